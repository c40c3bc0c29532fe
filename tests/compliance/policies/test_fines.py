"""Fines as rules: per item within a cap, a fixed amount per order, a share of declared
turnover with a floor or a cap, a periodic penalty for each day begun; exact decimals, the
computation in words, and a refusal (never a zero) when the turnover a rule needs is missing or
in another currency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from compliance.policies.fines import (
    FineRule,
    FineRuleKind,
    Turnover,
    TurnoverRequired,
    fine_charge,
    fine_rule_problems,
    penalty_total,
)

TURNOVER = Turnover(
    amount=Decimal("1234567891.23"),
    currency="EUR",
    period_start=date(2025, 1, 1),
    period_end=date(2025, 12, 31),
    source="Audited accounts 2025",
)


def _charge(rule: FineRule, turnover: Turnover | None = TURNOVER, currency: str = "EUR"):
    return fine_charge(
        rule,
        items=[1, 2, 3],
        previous_fines=[{"1": "400"}],
        cap_per_item=Decimal("500"),
        currency=currency,
        turnover=turnover,
    )


def test_per_item_within_the_cap():
    charge = _charge(FineRule(FineRuleKind.PER_ITEM, amount=Decimal("300")))
    assert charge.item_amounts == {"1": Decimal("100"), "2": Decimal("300"), "3": Decimal("300")}
    assert charge.amount == Decimal("700")


def test_fixed_per_order_charges_no_items():
    charge = _charge(FineRule(FineRuleKind.FIXED, amount=Decimal("782500")), turnover=None)
    assert (charge.amount, charge.item_amounts) == (Decimal("782500"), {})
    assert "EUR 782,500.00" in charge.computation


def test_a_share_of_turnover_is_exact_and_rounded_down_to_the_cent():
    charge = _charge(FineRule(FineRuleKind.TURNOVER_SHARE, share=Decimal("0.06")))
    # 6% of 1,234,567,891.23 = 74,074,073.4738
    assert charge.amount == Decimal("74074073.47")
    assert charge.computation == (
        "6% of turnover EUR 1,234,567,891.23 (2025-01-01 to 2025-12-31, Audited accounts "
        "2025) = EUR 74,074,073.47"
    )


def test_the_floor_applies_when_the_share_is_smaller():
    """UK OSA: 10% of qualifying worldwide revenue or GBP 18 million, whichever is greater."""
    small = Turnover(Decimal("50000000"), "GBP", date(2025, 4, 1), date(2026, 3, 31), "Report")
    rule = FineRule(FineRuleKind.TURNOVER_SHARE, share=Decimal("0.10"), floor=Decimal("18e6"))
    charge = _charge(rule, turnover=small, currency="GBP")
    assert charge.amount == Decimal("18000000")
    assert charge.computation.endswith("at least GBP 18,000,000.00: GBP 18,000,000.00")
    large = Turnover(Decimal("900000000"), "GBP", date(2025, 4, 1), date(2026, 3, 31), "Report")
    assert _charge(rule, turnover=large, currency="GBP").amount == Decimal("90000000.00")


def test_the_cap_applies_when_the_share_is_larger():
    rule = FineRule(FineRuleKind.TURNOVER_SHARE, share=Decimal("0.06"), cap=Decimal("1000000"))
    charge = _charge(rule)
    assert charge.amount == Decimal("1000000")
    assert "at most EUR 1,000,000.00" in charge.computation


def test_no_turnover_is_a_refusal_not_a_zero():
    rule = FineRule(FineRuleKind.TURNOVER_SHARE, share=Decimal("0.06"))
    with pytest.raises(TurnoverRequired, match="declared turnover"):
        _charge(rule, turnover=None)
    with pytest.raises(TurnoverRequired, match="in EUR; the policy fines in GBP"):
        _charge(rule, currency="GBP")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("6%", "fine: an object"),
        ({"rule": "percentage"}, "fine.rule: one of"),
        ({"rule": "turnover_share"}, "fine.share: required"),
        ({"rule": "turnover_share", "share": "6"}, "fine.share: a fraction"),
        ({"rule": "turnover_share", "share": "0.1", "floor": "-1"}, "fine.floor: a positive"),
        ({"rule": "turnover_share", "share": "0.1", "floor": "9", "cap": "5"}, "above the cap"),
        ({"rule": "fixed", "share": "0.1"}, "fine.share: unknown"),
        ({"rule": "fixed"}, "fine.amount: required"),
        ({"rule": "per_item", "amount": "abc"}, "fine.amount: a positive"),
    ],
)
def test_an_incomplete_rule_names_what_is_missing(data, problem):
    assert any(problem in found for found in fine_rule_problems(data))


def test_a_complete_rule_has_no_problems():
    assert fine_rule_problems({"rule": "turnover_share", "share": "0.06", "cap": None}) == []
    assert FineRule.from_json({"rule": "fixed", "amount": "10"}).amount == Decimal("10")


@pytest.mark.parametrize(
    ("elapsed", "days"),
    [
        (timedelta(0), 0),
        (timedelta(seconds=1), 1),
        (timedelta(days=1), 1),
        (timedelta(days=1, seconds=1), 2),
        (timedelta(days=6, hours=23), 7),
    ],
)
def test_a_periodic_penalty_counts_each_day_begun(elapsed, days):
    started = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    total = penalty_total(
        daily=Decimal("333.33"),
        cap=None,
        started=started,
        stopped=started + elapsed,
        currency="EUR",
    )
    assert (total.days, total.amount) == (days, Decimal("333.33") * days)


def test_a_periodic_share_of_average_daily_turnover_in_a_leap_year():
    charge = fine_charge(
        FineRule.from_json({"rule": "periodic", "share": "0.05"}),
        items=[1],
        previous_fines=[],
        cap_per_item=Decimal(0),
        currency="EUR",
        turnover=Turnover(
            amount=Decimal("1000000.00"),
            currency="EUR",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            source="Accounts",
        ),
    )
    # 1,000,000 / 366 days x 5% = 136.6120..., rounded down to the cent.
    assert (charge.amount, charge.daily) == (Decimal(0), Decimal("136.61"))


def test_a_periodic_share_without_turnover_is_refused():
    with pytest.raises(TurnoverRequired):
        fine_charge(
            FineRule.from_json({"rule": "periodic", "share": "0.05"}),
            items=[1],
            previous_fines=[],
            cap_per_item=Decimal(0),
            currency="EUR",
            turnover=None,
        )
