"""The deadline sweep: every due order goes one rung up its policy's ladder, exactly once.

Deadlines live in the database (`due_at`), never in the broker. A sweep:

1. claims due orders in batches with `SELECT ... FOR UPDATE SKIP LOCKED` (orders another sweep
   holds are skipped, not waited for);
2. plans each order's next rung with the escalation rules (rules.py), checking each planned
   change of state against what the order's state machine declares (`RemovalOrder.escalate`);
3. writes the whole batch in a few statements (writer.py) and commits.

Running it twice, concurrently, or after a crash changes nothing already done: a claimed order
is no longer due once its batch commits, and an uncommitted batch leaves nothing. An order
whose plan fails is pushed back a little, so one bad order cannot stall the others.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from compliance.kernel.bulk import id_in
from compliance.policies.fines import Turnover, TurnoverRequired
from compliance.policies.models import EscalationPolicyVersion
from compliance.policies.selectors import calendar_current
from compliance.policies.terms import PolicyTerms
from compliance.sanctions.models import Fine, FineStatus
from compliance.sweep.rules import Step, escalation_step
from compliance.sweep.writer import batch_write
from notices.models import CLOCK_STATES, ItemStatus, OrderItem, RemovalOrder
from registry import standing

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(minutes=5)
OUTSTANDING = [ItemStatus.PENDING, ItemStatus.DISPUTED]
CLAIM_FIELDS = [
    "id",
    "reference",
    "platform_id",
    "status",
    "escalation_level",
    "urgent",
    "policy_version_id",
    "legal_basis",
    "platform__name",
    "platform__is_ugc",
]


def _declared_escalations() -> dict[str, frozenset[str]]:
    """What the state machine lets the sweep do: from each state, the states it may reach."""
    meta = RemovalOrder.escalate._django_fsm
    return {
        str(source): frozenset(meta.get_transition(source).target.allowed_states)
        for source in CLOCK_STATES
    }


DECLARED = _declared_escalations()


@dataclass
class SweepReport:
    escalated: int = 0
    failed: int = 0
    batches: int = 0
    # What a dry run would do. A real sweep keeps only counts: holding every step of a
    # 100,000-order sweep cost ~0.8 s of CPU in the garbage collector's full passes.
    steps: list[Step] = field(default_factory=list)

    def add(self, other: SweepReport) -> None:
        self.escalated += other.escalated
        self.failed += other.failed
        self.batches += other.batches
        self.steps += other.steps


def orders_due(*, now: datetime) -> Any:
    return RemovalOrder.objects.filter(
        status__in=CLOCK_STATES, clock_paused_at__isnull=True, due_at__lte=now
    )


def orders_sweep(
    *, now: datetime | None = None, batch_size: int = 2000, dry_run: bool = False
) -> SweepReport:
    """Escalate every order due at `now`, batch by batch; returns what was (or would be) done."""
    now = now or timezone.now()
    report = SweepReport()
    if dry_run:
        rows = list(orders_due(now=now).order_by("due_at").values(*CLAIM_FIELDS))
        report.steps, _ = _plan(rows, now=now, policies={})
        return report
    policies: dict[int, PolicyTerms] = {}
    while True:
        batch = _sweep_batch(now=now, batch_size=batch_size, policies=policies)
        report.add(batch)
        if batch.escalated + batch.failed == 0:
            return report


def _sweep_batch(
    *, now: datetime, batch_size: int, policies: dict[int, PolicyTerms]
) -> SweepReport:
    report = SweepReport(batches=1)
    try:
        with transaction.atomic():
            rows = _claim(now=now, batch_size=batch_size)
            if not rows:
                return SweepReport()
            steps, failures = _plan(rows, now=now, policies=policies)
            batch_write(steps, failures, now=now, retry_delay=RETRY_DELAY)
            report.escalated, report.failed = len(steps), len(failures)
    except Exception:
        if _database_lost():
            raise  # nothing of this batch was written; fail loudly, the next sweep starts over
        # One bad order must not stall the rest: redo this batch one order at a time.
        log.exception("sweep batch failed; retrying its orders one by one")
        return _sweep_one_by_one(now=now, batch_size=batch_size, policies=policies)
    return report


def _database_lost() -> bool:
    try:
        connection.ensure_connection()
        return not connection.is_usable()
    except DatabaseError:
        return True


def _sweep_one_by_one(
    *, now: datetime, batch_size: int, policies: dict[int, PolicyTerms]
) -> SweepReport:
    report = SweepReport(batches=1)
    with transaction.atomic():
        ids = [r["id"] for r in _claim(now=now, batch_size=batch_size)]
    for order_id in ids:
        try:
            with transaction.atomic():
                rows = _claim(now=now, batch_size=1, order_id=order_id)
                if not rows:
                    continue
                steps, failures = _plan(rows, now=now, policies=policies)
                batch_write(steps, failures, now=now, retry_delay=RETRY_DELAY)
                report.escalated += len(steps)
                report.failed += len(failures)
        except Exception:
            log.exception("escalation of order %s failed; retrying in %s", order_id, RETRY_DELAY)
            RemovalOrder.objects.filter(pk=order_id).update(due_at=now + RETRY_DELAY)
            report.failed += 1
    return report


def _claim(*, now: datetime, batch_size: int, order_id: int | None = None) -> list[dict[str, Any]]:
    due = orders_due(now=now)
    if order_id is not None:
        due = due.filter(pk=order_id)
    return list(
        due.order_by("due_at")
        .select_for_update(skip_locked=True, of=("self",))
        .values(*CLAIM_FIELDS)[:batch_size]
    )


def _terms(version_ids: set[int], policies: dict[int, PolicyTerms]) -> None:
    missing = version_ids - set(policies)
    for version in EscalationPolicyVersion.objects.filter(pk__in=missing):
        policies[version.pk] = version.parsed


def _plan(
    rows: list[dict[str, Any]], *, now: datetime, policies: dict[int, PolicyTerms]
) -> tuple[list[Step], list[int]]:
    """Work out each order's next rung. Orders whose plan fails are returned to be retried."""
    _terms({r["policy_version_id"] for r in rows}, policies)
    ids = [r["id"] for r in rows]
    outstanding: dict[int, list[int]] = defaultdict(list)
    fined: dict[int, list[dict[str, str]]] = defaultdict(list)
    items_where, params = id_in("order_id", ids)
    fines_where, _ = id_in("order_id", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT order_id, id FROM {OrderItem._meta.db_table} WHERE {items_where} "
            "AND status IN (%s, %s)",
            [*params, *OUTSTANDING],
        )
        for order_id, item_id in cursor.fetchall():
            outstanding[order_id].append(item_id)
        cursor.execute(
            f"SELECT order_id, item_amounts FROM {Fine._meta.db_table} WHERE {fines_where} "
            "AND status <> %s",
            [*params, FineStatus.REJECTED],
        )
        for order_id, amounts in cursor.fetchall():
            fined[order_id].append(json.loads(amounts) if isinstance(amounts, str) else amounts)
    steps: list[Step] = []
    failures: list[int] = []
    calendar = calendar_current()
    turnovers = _turnovers(rows, policies)
    for row in rows:
        try:
            step = escalation_step(
                row=row,
                now=now,
                terms=policies[row["policy_version_id"]],
                outstanding=outstanding[row["id"]],
                previous_fines=fined[row["id"]],
                calendar=calendar,
                turnover=turnovers.get(row["platform_id"]),
            )
            if step.to_state != step.from_state and step.to_state not in DECLARED[step.from_state]:
                raise ValueError(f"{step.from_state} -> {step.to_state} is not an escalation")
            steps.append(step)
        except TurnoverRequired as refused:
            # Refused, not charged as zero; retried, so a declaration made meanwhile counts.
            log.warning("order %s not escalated: %s", row["reference"], refused)
            failures.append(row["id"])
        except Exception:
            log.exception("cannot plan the escalation of order %s", row["reference"])
            failures.append(row["id"])
    return steps, failures


def _turnovers(rows: list[dict[str, Any]], policies: dict[int, PolicyTerms]) -> dict[int, Turnover]:
    """The platforms' current worldwide turnover (the latest period, its latest declaration),
    read only if a ladder in play fines by turnover."""
    if not any(
        rung.fine is not None and rung.fine.needs_turnover
        for row in rows
        for rung in policies[row["policy_version_id"]].ladder
    ):
        return {}
    return turnovers_current(platform_ids={row["platform_id"] for row in rows})


def turnovers_current(*, platform_ids: set[int]) -> dict[int, Turnover]:
    return {
        platform_id: Turnover(
            amount=declared.amount,
            currency=declared.currency,
            period_start=declared.period_start,
            period_end=declared.period_end,
            source=declared.source,
        )
        for platform_id, declared in standing.turnovers_current(platform_ids=platform_ids).items()
    }


def nonpayment_step(*, order: RemovalOrder, fine: Fine, now: datetime) -> Step:
    """The next rung for an order whose fine went unpaid after the content came down (X,
    2025: letter 3 for non-payment, with its own fine): the letter and its fine as the ladder
    says, charged on the items the unpaid fine charged, within their caps. The order keeps
    its state (the content stays down); after the last letter the rung is a block proposal."""
    policies: dict[int, PolicyTerms] = {}
    assert order.policy_version_id is not None, "an issued order keeps its policy version"
    _terms({order.policy_version_id}, policies)
    previous = [
        amounts
        for amounts in Fine.objects.filter(order=order)
        .exclude(status=FineStatus.REJECTED)
        .values_list("item_amounts", flat=True)
    ]
    row = {
        "id": order.pk,
        "reference": order.reference,
        "platform_id": order.platform_id,
        "platform__name": order.platform.name,
        "platform__is_ugc": order.platform.is_ugc,
        "status": order.status,
        "escalation_level": order.escalation_level,
        "urgent": order.urgent,
    }
    step = escalation_step(
        row=row,
        now=now,
        terms=policies[order.policy_version_id],
        outstanding=[int(item_id) for item_id in fine.item_amounts],
        previous_fines=previous,
        calendar=calendar_current(),
        turnover=turnovers_current(platform_ids={order.platform_id}).get(order.platform_id),
    )
    step.to_state = order.status
    step.items_outstanding = order.items.filter(status__in=OUTSTANDING).count()
    step.cause = f"Fine {fine.number} unpaid at the end of its payment period;"
    return step
