"""A policy's terms as plain data: what a running order needs from its policy version.

Pure (no database): the sweep's escalation rules take these, and tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.policies.calendar import Calendar, Span, Unit
from compliance.policies.fines import FineRule, FineRuleKind


class LadderAction(models.TextChoices):
    WARNING = "warning", _("Warning letter")
    WARNING_FINE = "warning_fine", _("Warning letter with fine")
    BLOCK_PROPOSAL = "block_proposal", _("Access block proposal")


class DataLadderAction(models.TextChoices):
    """The rungs of a data-access request left unanswered (MR5 Art. 21-46)."""

    WARNING = "warning", _("Warning to answer")
    SUPERVISOR_REFERRAL = "supervisor_referral", _("Referred to a supervisor for sanction")


# A rung's period in one unit: `period_hours` (and `urgent_period_hours`), `period_days` or
# `period_working_days` in its JSON.
PERIOD_KEYS = {unit: (f"period_{unit.value}", f"urgent_period_{unit.value}") for unit in Unit}


@dataclass(frozen=True)
class LadderStep:
    action: str
    period: Span
    urgent_period: Span
    # What a warning_fine rung charges: its `fine` rule, or `fine_per_item` (MR5's form).
    fine: FineRule | None = None
    # The rule the rung applies, cited by its letter and decision record ("" for the default).
    legal_basis: str = ""
    # A supervisor approves the rung's fine before it is assessed (as `fines_need_approval`
    # asks for every rung of a policy).
    needs_approval: bool = False

    def period_for(self, *, urgent: bool) -> Span:
        return self.urgent_period if urgent else self.period

    @classmethod
    def from_json(cls, step: dict[str, Any]) -> LadderStep:
        unit = next(u for u, (key, _) in PERIOD_KEYS.items() if key in step)
        key, urgent_key = PERIOD_KEYS[unit]
        return cls(
            action=step["action"],
            period=Span(step[key], unit),
            urgent_period=Span(step.get(urgent_key, step[key]), unit),
            fine=(
                FineRule.from_json(step["fine"])
                if "fine" in step
                else FineRule(FineRuleKind.PER_ITEM, amount=Decimal(step["fine_per_item"]))
                if "fine_per_item" in step
                else None
            ),
            legal_basis=step.get("legal_basis", ""),
            needs_approval=step.get("needs_approval", False),
        )


@dataclass(frozen=True)
class ReferralRung:
    """Where a clock of warnings ending in a supervisor's referral (a data-access request's, a
    risk assessment's) goes next: `rung` is None at the ladder's end (the clock just stops);
    `due_at` is a warning's new deadline (None for a referral, which stops the clock)."""

    rung: LadderStep | None
    due_at: datetime | None

    @property
    def refers(self) -> bool:
        return self.rung is not None and self.rung.action == DataLadderAction.SUPERVISOR_REFERRAL


def referral_rung_next(
    ladder: list[dict[str, Any]], *, level: int, now: datetime, calendar: Calendar
) -> ReferralRung:
    if level >= len(ladder):
        return ReferralRung(rung=None, due_at=None)
    rung = LadderStep.from_json(ladder[level])
    if rung.action == DataLadderAction.SUPERVISOR_REFERRAL:
        return ReferralRung(rung=rung, due_at=None)
    return ReferralRung(rung=rung, due_at=rung.period.after(now, calendar))


def referral_rung_text(ladder: list[dict[str, Any]], *, level: int) -> str:
    """What the next rung does, for a dry run's line."""
    if level >= len(ladder):
        return "its clock stops (the ladder has no further step)"
    return str(DataLadderAction(LadderStep.from_json(ladder[level]).action).label)


@dataclass(frozen=True)
class PolicyTerms:
    notice: timedelta
    urgent_notice: timedelta
    ladder: tuple[LadderStep, ...]
    currency: str
    fine_cap_per_item: Decimal
    fines_only_ugc: bool
    fine_payment_period: timedelta
    fines_need_approval: bool
    reupload_notice: timedelta | None = None

    @classmethod
    def from_json(cls, terms: dict[str, Any]) -> PolicyTerms:
        return cls(
            notice=timedelta(hours=terms["notice_hours"]),
            urgent_notice=timedelta(hours=terms["urgent_notice_hours"]),
            ladder=tuple(LadderStep.from_json(step) for step in terms["ladder"]),
            currency=terms["currency"],
            fine_cap_per_item=Decimal(terms["fine_cap_per_item"]),
            fines_only_ugc=terms["fines_only_ugc"],
            fine_payment_period=timedelta(days=terms["fine_payment_days"]),
            fines_need_approval=terms["fines_need_approval"],
            reupload_notice=(
                timedelta(hours=terms["reupload_notice_hours"])
                if terms.get("reupload_notice_hours")
                else None
            ),
        )

    def notice_for(self, *, urgent: bool, reupload: bool = False) -> timedelta:
        """The deadline of a new order: a re-upload's may be shorter, never longer."""
        notice = self.urgent_notice if urgent else self.notice
        if reupload and self.reupload_notice is not None:
            return min(notice, self.reupload_notice)
        return notice
