"""The escalation rules: which rung comes next for an order whose deadline passed, whether it
carries a fine and how much. Plain functions over plain data, no database: the claim loop
(claim.py) feeds them the rows it claimed, the writer (writer.py) writes what they return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from compliance.policies.calendar import Calendar
from compliance.policies.fines import Turnover, fine_charge
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
    # How the fine was worked out, in words (shown on its letter).
    computation: str = ""
    # A supervisor approves the fine before it is assessed (the policy's or the rung's rule).
    needs_approval: bool = False
    # A periodic penalty the rung starts: its amount a day and the cap on its total.
    penalty_daily: Decimal | None = None
    penalty_cap: Decimal | None = None


def escalation_step(
    *,
    row: Mapping[str, Any],
    now: datetime,
    terms: PolicyTerms,
    outstanding: Sequence[int],
    previous_fines: Sequence[Mapping[str, str]],
    calendar: Calendar,
    turnover: Turnover | None = None,
) -> Step:
    """The next rung of the order in `row` (its id, reference, platform, status, level,
    urgency and whether its platform carries user-generated content) under `terms`; `turnover`
    is the platform's declared turnover, for a rung whose fine is a share of it."""
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
    if (
        rung.action == LadderAction.WARNING_FINE
        and rung.fine is not None
        and (row["platform__is_ugc"] or not terms.fines_only_ugc)
    ):
        # A turnover-based fine without the turnover raises TurnoverRequired: the order's
        # escalation is refused (and retried), never charged as zero.
        charge = fine_charge(
            rung.fine,
            items=outstanding,
            previous_fines=previous_fines,
            cap_per_item=terms.fine_cap_per_item,
            currency=terms.currency,
            turnover=turnover,
        )
        step.item_amounts = {
            item_id: str(amount) for item_id, amount in charge.item_amounts.items()
        }
        step.fine_amount = charge.amount
        step.computation = charge.computation
        step.needs_approval = terms.fines_need_approval or rung.needs_approval
        if charge.daily is not None:
            step.penalty_daily = charge.daily
            step.penalty_cap = rung.fine.cap
        if step.fine_amount > 0 or step.penalty_daily:
            step.to_state = OrderStatus.FINED
    return step
