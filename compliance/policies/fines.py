"""A ladder rung's fine as a rule, not only an amount per item: a fixed amount per item (MR5),
a fixed amount per order (a civil penalty for a notice not complied with), a share of the
platform's declared turnover with an optional floor and cap (EU DSA Art. 52(3) and 74: up to
6%; UK OSA Sch. 13: up to 10% or GBP 18 million, whichever is greater), or a periodic penalty
accruing for each day begun until compliance (EU DSA Art. 52(4) and 76: up to 5% of average
daily turnover), a fixed amount or a share of the average daily turnover, with an optional cap
on its total.

Pure (no database): the sweep's rules call `fine_charge` with the turnover it read. Amounts are
exact decimals, rounded down to the cent (a maximum is never exceeded by rounding), and each
charge carries its computation in words, as the fine letter shows it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

CENT = Decimal("0.01")


class FineRuleKind(StrEnum):
    PER_ITEM = "per_item"
    FIXED = "fixed"
    TURNOVER_SHARE = "turnover_share"
    PERIODIC = "periodic"


# The keys each kind of rule takes (besides `rule`), and which of them it needs.
RULE_KEYS = {
    FineRuleKind.PER_ITEM: ({"amount"}, {"amount"}),
    FineRuleKind.FIXED: ({"amount"}, {"amount"}),
    FineRuleKind.TURNOVER_SHARE: ({"share", "floor", "cap"}, {"share"}),
    # A periodic penalty takes `amount` (a day) or `share` (of average daily turnover).
    FineRuleKind.PERIODIC: ({"amount", "share", "cap"}, set()),
}


@dataclass(frozen=True)
class FineRule:
    kind: FineRuleKind
    amount: Decimal = Decimal(0)
    share: Decimal = Decimal(0)
    floor: Decimal | None = None
    cap: Decimal | None = None

    @property
    def needs_turnover(self) -> bool:
        return self.kind == FineRuleKind.TURNOVER_SHARE or (
            self.kind == FineRuleKind.PERIODIC and self.share > 0
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FineRule:
        """A rule as a policy stores it (checked by `fine_rule_problems` when saved)."""

        def amount(key: str) -> Decimal | None:
            return Decimal(str(data[key])) if data.get(key) is not None else None

        return cls(
            kind=FineRuleKind(data["rule"]),
            amount=amount("amount") or Decimal(0),
            share=amount("share") or Decimal(0),
            floor=amount("floor"),
            cap=amount("cap"),
        )


def fine_rule_problems(data: Any) -> list[str]:
    """What is wrong with a rung's `fine` object, each naming its key; empty if nothing."""
    if not isinstance(data, dict):
        return ["fine: an object with its rule"]
    kind = data.get("rule")
    if kind not in RULE_KEYS:
        return [f"fine.rule: one of {', '.join(RULE_KEYS)}"]
    allowed, needed = RULE_KEYS[FineRuleKind(kind)]
    problems = [
        f"fine.{key}: unknown for a {kind} rule" for key in sorted(set(data) - allowed - {"rule"})
    ]
    problems += [f"fine.{key}: required for a {kind} rule" for key in sorted(needed - set(data))]
    if kind == FineRuleKind.PERIODIC and len({"amount", "share"} & set(data)) != 1:
        problems.append("fine.amount: give a periodic rule's amount a day, or its share, once")
    values: dict[str, Decimal] = {}
    for key in sorted(allowed & set(data)):
        if data[key] is None and key not in needed:
            continue
        try:
            value = Decimal(str(data[key]))
            if not value.is_finite() or value <= 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"fine.{key}: a positive number")
            continue
        values[key] = value
    if "share" in values and values["share"] > 1:
        problems.append("fine.share: a fraction of turnover, at most 1 (0.06 is 6%)")
    if "floor" in values and "cap" in values and values["floor"] > values["cap"]:
        problems.append("fine.floor: above the cap")
    return problems


@dataclass(frozen=True)
class Turnover:
    """A platform's declared turnover, as a turnover-based fine needs it."""

    amount: Decimal
    currency: str
    period_start: date
    period_end: date
    source: str


class TurnoverRequired(ValueError):
    """A fine set as a share of turnover, for a platform with none declared in the policy's
    currency: refused, never charged as zero."""


@dataclass
class FineCharge:
    amount: Decimal
    computation: str
    item_amounts: dict[str, Decimal] = field(default_factory=dict)
    # A periodic penalty charges nothing at its rung: it accrues this much a day instead.
    daily: Decimal | None = None


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def fine_charge(
    rule: FineRule,
    *,
    items: Sequence[int],
    previous_fines: Sequence[Mapping[str, str]],
    cap_per_item: Decimal,
    currency: str,
    turnover: Turnover | None,
) -> FineCharge:
    """What the rung charges an order with `items` outstanding, and how it was worked out."""
    if rule.kind == FineRuleKind.PER_ITEM:
        amounts = fine_item_amounts(
            items=items,
            previous_fines=previous_fines,
            per_item=rule.amount,
            cap_per_item=cap_per_item,
        )
        total = sum(amounts.values(), Decimal(0))
        return FineCharge(
            amount=total,
            item_amounts=amounts,
            computation=f"{len(amounts)} item(s) x {money(rule.amount, currency)}, within "
            f"{money(cap_per_item, currency)} per item = {money(total, currency)}",
        )
    if rule.kind == FineRuleKind.FIXED:
        return FineCharge(
            amount=rule.amount,
            computation=f"Fixed amount for the order: {money(rule.amount, currency)}",
        )
    if rule.kind == FineRuleKind.PERIODIC and not rule.needs_turnover:
        return FineCharge(
            amount=Decimal(0),
            daily=rule.amount,
            computation=f"{money(rule.amount, currency)} for each day begun until compliance",
        )
    turnover = _turnover_in(turnover, rule=rule, currency=currency)
    if rule.kind == FineRuleKind.PERIODIC:
        days = (turnover.period_end - turnover.period_start).days + 1
        daily = (turnover.amount * rule.share / days).quantize(CENT, rounding=ROUND_DOWN)
        return FineCharge(
            amount=Decimal(0),
            daily=daily,
            computation=f"{_percent(rule.share)} of average daily turnover "
            f"({money(turnover.amount, currency)} over {days} days, "
            f"{turnover.period_start} to {turnover.period_end}, {turnover.source}) = "
            f"{money(daily, currency)} for each day begun until compliance",
        )
    base = (turnover.amount * rule.share).quantize(CENT, rounding=ROUND_DOWN)
    steps = [
        f"{_percent(rule.share)} of turnover "
        f"{money(turnover.amount, currency)} ({turnover.period_start} to "
        f"{turnover.period_end}, {turnover.source}) = {money(base, currency)}"
    ]
    amount = base
    if rule.floor is not None and amount < rule.floor:
        amount = rule.floor
        steps.append(f"at least {money(rule.floor, currency)}: {money(amount, currency)}")
    if rule.cap is not None and amount > rule.cap:
        amount = rule.cap
        steps.append(f"at most {money(rule.cap, currency)}: {money(amount, currency)}")
    return FineCharge(amount=amount, computation="; ".join(steps))


def _percent(share: Decimal) -> str:
    return f"{share * 100:f}".rstrip("0").rstrip(".") + "%"


def _turnover_in(turnover: Turnover | None, *, rule: FineRule, currency: str) -> Turnover:
    if turnover is None:
        raise TurnoverRequired(
            f"a fine of {_percent(rule.share)} of turnover needs the platform's declared turnover"
        )
    if turnover.currency != currency:
        raise TurnoverRequired(
            f"the declared turnover is in {turnover.currency}; the policy fines in {currency}"
        )
    return turnover


@dataclass(frozen=True)
class PenaltyTotal:
    days: int
    amount: Decimal
    computation: str


def penalty_total(
    *, daily: Decimal, cap: Decimal | None, started: datetime, stopped: datetime, currency: str
) -> PenaltyTotal:
    """A periodic penalty stopped by compliance: each day begun since it started counts once,
    within its cap."""
    elapsed = max(stopped - started, timedelta(0))
    days = -(-elapsed // timedelta(days=1))
    amount = daily * days
    computation = (
        f"{days} day(s) begun from {started.astimezone(UTC):%Y-%m-%d %H:%M} UTC to compliance "
        f"at {stopped.astimezone(UTC):%Y-%m-%d %H:%M} UTC x {money(daily, currency)} = "
        f"{money(amount, currency)}"
    )
    if cap is not None and amount > cap:
        amount = cap
        computation += f"; at most {money(cap, currency)}: {money(amount, currency)}"
    return PenaltyTotal(days=days, amount=amount, computation=computation)


def fine_item_amounts(
    *,
    items: Sequence[int],
    previous_fines: Sequence[Mapping[str, str]],
    per_item: Decimal,
    cap_per_item: Decimal,
) -> dict[str, Decimal]:
    """What a fine charges per outstanding item: the rung's amount, but never more than what
    is left under the item's cap after the fines already assessed on it (by item id)."""
    already: dict[str, Decimal] = defaultdict(Decimal)
    for amounts in previous_fines:
        for item_id, earlier in amounts.items():
            already[item_id] += Decimal(earlier)
    charged = {}
    for item_id in map(str, items):
        amount = min(per_item, max(cap_per_item - already[item_id], Decimal(0)))
        if amount > 0:
            charged[item_id] = amount
    return charged
