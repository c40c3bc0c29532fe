"""A policy's terms as plain data: what a running order needs from its policy version.

Pure (no database): the sweep's escalation rules take these, and tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import models


class LadderAction(models.TextChoices):
    WARNING = "warning", "Warning letter"
    WARNING_FINE = "warning_fine", "Warning letter with fine"
    BLOCK_PROPOSAL = "block_proposal", "Access block proposal"


@dataclass(frozen=True)
class LadderStep:
    action: str
    period: timedelta
    urgent_period: timedelta
    fine_per_item: Decimal

    def period_for(self, *, urgent: bool) -> timedelta:
        return self.urgent_period if urgent else self.period


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
            ladder=tuple(
                LadderStep(
                    action=step["action"],
                    period=timedelta(hours=step["period_hours"]),
                    urgent_period=timedelta(hours=step["urgent_period_hours"]),
                    fine_per_item=Decimal(step.get("fine_per_item", "0")),
                )
                for step in terms["ladder"]
            ),
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
