"""The escalation rules: which rung comes next for an order whose deadline passed, whether it
carries a fine and how much. Plain functions over plain data, no database: the claim loop
(claim.py) feeds them the rows it claimed, the writer (writer.py) writes what they return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from compliance.policies.calendar import Calendar
from compliance.policies.terms import LadderAction, PolicyTerms
from notices.models import OrderStatus

# The step of an order at the end of a ladder that has no block rung: its clock just stops.
EXHAUSTED = "exhausted"


@dataclass
class Step:
    """One planned escalation of one order."""

    order_id: int
    reference: str
    platform_id: int
    platform_name: str
    from_state: str
    to_state: str
    level: int
    action: str
    due_at: datetime | None
    items_outstanding: int
    fine_amount: Decimal = Decimal(0)
    item_amounts: dict[str, str] = field(default_factory=dict)
    terms: PolicyTerms | None = None
    # Why, when not a deadline passing with content up (a fine left unpaid).
    cause: str = ""
    # The rule the rung applies, as its policy names it ("" for the engine's default citation).
    legal_basis: str = ""


def escalation_step(
    *,
    row: Mapping[str, Any],
    now: datetime,
    terms: PolicyTerms,
    outstanding: Sequence[int],
    previous_fines: Sequence[Mapping[str, str]],
    calendar: Calendar,
) -> Step:
    """The next rung of the order in `row` (its id, reference, platform, status, level,
    urgency and whether its platform carries user-generated content) under `terms`."""
    level = row["escalation_level"]
    step = Step(
        order_id=row["id"],
        reference=row["reference"],
        platform_id=row["platform_id"],
        platform_name=row["platform__name"],
        from_state=row["status"],
        to_state=row["status"],
        level=level,
        action="",
        due_at=None,
        items_outstanding=len(outstanding),
        terms=terms,
    )
    if level >= len(terms.ladder):
        step.action = EXHAUSTED
        return step
    rung = terms.ladder[level]
    step.action = rung.action
    step.legal_basis = rung.legal_basis
    if rung.action == LadderAction.BLOCK_PROPOSAL:
        # The order keeps its state until a supervisor puts the block in force (it shows
        # `blocked` only then); its clock stops meanwhile (no `due_at`).
        return step
    step.level = level + 1
    step.due_at = rung.period_for(urgent=row["urgent"]).after(now, calendar)
    step.to_state = OrderStatus.WARNED
    if rung.action == LadderAction.WARNING_FINE and (
        row["platform__is_ugc"] or not terms.fines_only_ugc
    ):
        amounts = fine_item_amounts(
            items=outstanding,
            previous_fines=previous_fines,
            per_item=rung.fine_per_item,
            cap_per_item=terms.fine_cap_per_item,
        )
        step.item_amounts = {item_id: str(amount) for item_id, amount in amounts.items()}
        step.fine_amount = sum(amounts.values(), Decimal(0))
        if step.fine_amount > 0:
            step.to_state = OrderStatus.FINED
    return step


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
