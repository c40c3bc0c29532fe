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
from compliance.kernel.letters import letters_render_soon
from compliance.kernel.transitions import transition_apply
from compliance.policies import citations
from compliance.policies.fines import penalty_total
from compliance.policies.terms import LadderAction
from compliance.sanctions.models import (
    AccessBlock,
    BlockOpening,
    Fine,
    FineStatus,
    NormalizationRequest,
    PeriodicPenalty,
    RegistrationSanction,
)
from compliance.sanctions.services import (
    block_open,
    block_openings_end,
    periodic_penalties_settle,
    registration_sanction_propose,
)
from compliance.sweep.claim import RETRY_DELAY, nonpayment_step, orders_sweep
from compliance.sweep.rules import EXHAUSTED, Step
from compliance.sweep.writer import SWEEP, batch_write
from notices.models import CLOCK_STATES, OrderStatus, RemovalOrder
from registry import services as registry
from registry.models import Platform, RegistrationStatus

log = logging.getLogger(__name__)


def fines_lapse(*, now: datetime) -> int:
    """Fines unpaid at the end of their period go overdue, and climb the ladder as content
    left up does (DESIGN §1): an order still running is due at once (its next rung charges
    what is still up); an order whose content came down gets its next rung for the unpaid
    fine (the next letter with its fine, a block proposal only after the last letter)."""
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
                order = (
                    RemovalOrder.objects.select_for_update(of=("self",))
                    .select_related("platform")
                    .get(pk=fine.order_id)
                )
                if order.status in CLOCK_STATES:
                    # Its clock runs (or is paused, or stopped awaiting a block decision):
                    # the sweep takes it up from there.
                    if order.clock_paused_at is None and order.due_at is not None:
                        RemovalOrder.objects.filter(pk=order.pk).update(due_at=now, updated_at=now)
                elif order.status == OrderStatus.COMPLIED:
                    step = nonpayment_step(order=order, fine=fine, now=now)
                    if step.action != EXHAUSTED:
                        batch_write([step], [], now=now, retry_delay=RETRY_DELAY)
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
                    cause=AccessBlock.Cause.REGISTRATION,
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
    openings_ended: int = 0
    penalties_settled: int = 0

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
    summary.openings_ended = block_openings_end(now=now, actor=SWEEP)
    summary.penalties_settled = periodic_penalties_settle(now=now, actor=SWEEP)
    if report.escalated or summary.penalties_settled:
        letters_render_soon()  # the e-mails wait for their letters' PDFs
        deliver_soon()
    return summary


@dataclass
class SweepPreview:
    """What one run at `now` would do, as lines for an operator; nothing is written."""

    orders: list[str]
    fines: list[str]
    registration_faults: list[str]
    normalizations: list[str]
    openings: list[str]
    penalties: list[str]


def _step_text(step: Step) -> str:
    if step.action == LadderAction.BLOCK_PROPOSAL:
        return "an access block proposed"
    if step.action == EXHAUSTED:
        return "nothing more (the ladder has no further step)"
    fine = f" with a fine of {step.fine_amount:,.2f}" if step.fine_amount else ""
    return f"letter {step.level}{fine}"


def sweep_preview(*, now: datetime) -> SweepPreview:
    """Everything `sweep_all(now=now)` would do, read without writing (escalate --dry-run)."""
    orders = [
        f"{s.reference}  {s.from_state} -> {s.to_state}  ({s.action}"
        + (f", fine {s.fine_amount:,.2f}" if s.fine_amount else "")
        + f", {s.items_outstanding} item(s) outstanding)"
        for s in orders_sweep(now=now, dry_run=True).steps
    ]
    fines = []
    for fine in (
        Fine.objects.filter(status=FineStatus.ASSESSED, due_at__lte=now)
        .select_related("order__platform")
        .order_by("due_at")
    ):
        order = fine.order
        if order.status == OrderStatus.COMPLIED:
            then = _step_text(nonpayment_step(order=order, fine=fine, now=now))
        elif order.status in CLOCK_STATES and order.clock_paused_at is None and order.due_at:
            then = "the order is due at once (its next rung in this run)"
        else:
            then = f"nothing more for the order ({order.status})"
        fines.append(f"{fine.number}  assessed -> overdue; {order.reference}: {then}")
    faults = []
    for platform in Platform.objects.filter(fault_due_at__lte=now).order_by("fault_due_at"):
        then = {
            RegistrationStatus.UPDATE_REQUIRED: "warned",
            RegistrationStatus.WARNED: "a suspension proposed",
            RegistrationStatus.SUSPENDED: "a revocation proposed",
            RegistrationStatus.UNREGISTERED: "an access block proposed",
        }.get(RegistrationStatus(platform.status), "its fault clock cleared")
        faults.append(f"{platform.name}  {platform.status}: {then}")
    late = [
        f"normalization request #{r.pk} of {r.platform}: flagged late (decide by "
        f"{timezone.localtime(r.decide_by):%Y-%m-%d %H:%M %Z})"
        for r in NormalizationRequest.objects.filter(
            status=NormalizationRequest.Status.REQUESTED,
            decide_by__lte=now,
            flagged_late_at__isnull=True,
        ).select_related("platform")
    ]
    openings = [
        f"{o.block} of {o.block.platform}: temporary opening ends ({o.closes_at:%Y-%m-%d %H:%M} "
        "UTC); back in force unless registered meanwhile"
        for o in BlockOpening.objects.filter(
            ended_at__isnull=True, closes_at__lte=now
        ).select_related("block__platform")
    ]
    penalties = [
        f"periodic penalty of {p.letter.number} on {p.order.reference}: "
        + (
            "void (the order was withdrawn)"
            if p.order.status == OrderStatus.WITHDRAWN
            else f"totalled into a fine, {total.computation}"
        )
        for p in PeriodicPenalty.objects.filter(
            status=PeriodicPenalty.Status.ACCRUING, stopped_at__isnull=False
        ).select_related("letter", "order")
        for total in [
            penalty_total(
                daily=p.daily_amount,
                cap=p.cap,
                started=p.started_at,
                stopped=p.stopped_at or now,
                currency=p.currency,
            )
        ]
    ]
    return SweepPreview(orders, fines, faults, late, openings, penalties)
