"""What deadlines drive besides orders, and the one run of everything that beat starts.

Each is a scheduled job's part of the sweep, acting as the job `escalation-sweep`: fines unpaid
at the end of their period, registration faults whose period lapsed, normalization requests
not decided in time. Each claims its rows with `SKIP LOCKED`, so sweeps may run at once.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from compliance.delivery.email import deliver_soon
from compliance.kernel.actions import Action
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.transitions import transition_apply
from compliance.policies import citations
from compliance.sanctions.models import Fine, FineStatus, NormalizationRequest, RegistrationSanction
from compliance.sanctions.services import (
    access_block_propose_for_order,
    block_open,
    registration_sanction_propose,
)
from compliance.sweep.claim import orders_sweep
from compliance.sweep.writer import SWEEP
from notices.models import CLOCK_STATES, OrderStatus, RemovalOrder
from registry import services as registry
from registry.models import Platform, RegistrationStatus

log = logging.getLogger(__name__)


def fines_lapse(*, now: datetime) -> int:
    """Fines unpaid at the end of their period go overdue, and their order escalates as for
    content left up: a running order is due at once; a complied one gets a block proposal."""
    count = 0
    while True:
        with transaction.atomic():
            due = list(
                Fine.objects.select_for_update(skip_locked=True)
                .filter(status=FineStatus.ASSESSED, due_at__lte=now)
                .order_by("due_at")[:500]
            )
            for fine in due:
                transition_apply(
                    obj=fine,
                    name="lapse",
                    actor=SWEEP,
                    legal_basis=citations.FINE,
                    reason="Payment period ended unpaid.",
                )
                order = RemovalOrder.objects.select_for_update().get(pk=fine.order_id)
                if order.status in CLOCK_STATES and order.clock_paused_at is None:
                    RemovalOrder.objects.filter(pk=order.pk).update(due_at=now, updated_at=now)
                elif order.status == OrderStatus.COMPLIED:
                    access_block_propose_for_order(
                        order_id=order.pk,
                        platform_id=order.platform_id,
                        now=now,
                        actor=SWEEP,
                        reason=f"Fine {fine.number} unpaid after its payment period.",
                    )
            count += len(due)
        if not due:
            return count


# Registration faults (MR5 Art. 7).


def registration_faults_sweep(*, now: datetime) -> int:
    """Platforms whose fault period lapsed: warn, or propose suspension, revocation or a block."""
    count = 0
    with transaction.atomic():
        for platform in (
            Platform.objects.select_for_update(skip_locked=True)
            .filter(fault_due_at__lte=now)
            .order_by("fault_due_at")[:500]
        ):
            status = platform.status
            if status == RegistrationStatus.UPDATE_REQUIRED:
                registry.platform_warn(
                    platform=platform,
                    actor=SWEEP,
                    reason="Registration data not corrected in time.",
                )
            elif status in (RegistrationStatus.WARNED, RegistrationStatus.SUSPENDED):
                kind = (
                    RegistrationSanction.Kind.SUSPEND
                    if status == RegistrationStatus.WARNED
                    else RegistrationSanction.Kind.REVOKE
                )
                registration_sanction_propose(
                    platform=platform,
                    actor=SWEEP,
                    kind=kind,
                    reason="The period after the last step lapsed.",
                )
            elif status == RegistrationStatus.UNREGISTERED:
                block_open(
                    platform_id=platform.pk,
                    now=now,
                    actor=SWEEP,
                    reason="Operating without registration after notice.",
                )
                Platform.objects.filter(pk=platform.pk).update(fault_due_at=None)
            else:
                Platform.objects.filter(pk=platform.pk).update(fault_due_at=None)
            count += 1
    return count


def normalizations_flag_late(*, now: datetime) -> int:
    """Requests past their 2 x 24 h decision time are flagged for the supervisors."""
    with transaction.atomic():
        late = list(
            NormalizationRequest.objects.select_for_update(skip_locked=True).filter(
                status=NormalizationRequest.Status.REQUESTED,
                decide_by__lte=now,
                flagged_late_at__isnull=True,
            )
        )
        for request in late:
            NormalizationRequest.objects.filter(pk=request.pk).update(flagged_late_at=now)
            decision_record_append(
                actor=SWEEP,
                subject=request,
                action=Action.NORMALIZATION_FLAG_LATE,
                from_state=request.status,
                to_state=request.status,
                legal_basis=citations.NORMALIZATION,
                reason="Not decided within 2 x 24 hours of the request.",
            )
    return len(late)


@dataclass
class SweepSummary:
    fines_overdue: int = 0
    orders_escalated: int = 0
    orders_failed: int = 0
    registration_faults: int = 0
    normalizations_flagged: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def sweep_all(*, now: datetime | None = None, batch_size: int = 2000) -> SweepSummary:
    """One run of everything that deadlines drive. Overdue fines first, so their orders
    escalate in this same run."""
    now = now or timezone.now()
    summary = SweepSummary(fines_overdue=fines_lapse(now=now))
    report = orders_sweep(now=now, batch_size=batch_size)
    summary.orders_escalated, summary.orders_failed = report.escalated, report.failed
    summary.registration_faults = registration_faults_sweep(now=now)
    summary.normalizations_flagged = normalizations_flag_late(now=now)
    if report.escalated:
        deliver_soon()
    return summary
