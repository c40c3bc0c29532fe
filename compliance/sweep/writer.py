"""The deadline sweep: every due order goes one rung up its policy's ladder, exactly once.

Deadlines live in the database (`due_at`), never in the broker. A sweep claims due orders in
batches with `SELECT ... FOR UPDATE SKIP LOCKED`, plans each escalation in Python, writes the
whole batch in a few statements (order updates, letters, fines, decision records, outbox rows)
and commits. Running it twice, concurrently, or after a crash changes nothing already done: a
claimed order is no longer due once its batch commits, and an uncommitted batch leaves nothing.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from compliance.delivery import letters
from compliance.delivery.models import Notification
from compliance.delivery.webhooks import webhook_platforms, webhook_rows, webhook_rows_insert
from compliance.kernel.actors import Actor
from compliance.kernel.bulk import (
    JsonText,
    id_in,
    ids_reserve,
    rows_insert,
    rows_update,
)
from compliance.kernel.counters import numbers_draw
from compliance.kernel.decisions import Decision, decision_checkpoint_latest, decisions_append
from compliance.policies.models import EscalationPolicyVersion, LadderAction, PolicyTerms
from compliance.sanctions.models import Fine, FineStatus, WarningLetter
from notices.models import CLOCK_STATES, ItemStatus, OrderItem, OrderStatus, RemovalOrder
from registry.models import PlatformContact

log = logging.getLogger(__name__)

SWEEP = Actor.scheduled_job("escalation-sweep")
ART_15_LETTER = "MR5 Art. 15(11) and 16(12) (warning letters)"
ART_15_FINE = "MR5 Art. 15(10) and 15(11) (administrative fine)"
ART_15_BLOCK = "MR5 Art. 15(12) and 16(13) (access block)"
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
            _write(steps, failures, now=now)
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
                _write(steps, failures, now=now)
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
    for row in rows:
        try:
            steps.append(
                _step(
                    row,
                    now,
                    policies[row["policy_version_id"]],
                    outstanding[row["id"]],
                    fined[row["id"]],
                )
            )
        except Exception:
            log.exception("cannot plan the escalation of order %s", row["reference"])
            failures.append(row["id"])
    return steps, failures


def _step(
    row: dict[str, Any],
    now: datetime,
    terms: PolicyTerms,
    items: list[int],
    previous_fines: list[dict[str, str]],
) -> Step:
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
        items_outstanding=len(items),
        terms=terms,
    )
    if level >= len(terms.ladder):
        step.action = "exhausted"  # a ladder without a block step: the clock just stops
        return step
    rung = terms.ladder[level]
    step.action = rung.action
    if rung.action == LadderAction.BLOCK_PROPOSAL:
        step.to_state = OrderStatus.BLOCKED
        return step
    step.level = level + 1
    step.due_at = now + rung.period_for(urgent=row["urgent"])
    step.to_state = OrderStatus.WARNED
    if rung.action == LadderAction.WARNING_FINE and (
        row["platform__is_ugc"] or not terms.fines_only_ugc
    ):
        amounts = fine_item_amounts(
            items=items,
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
    items: list[int],
    previous_fines: list[dict[str, str]],
    per_item: Decimal,
    cap_per_item: Decimal,
) -> dict[str, Decimal]:
    """What a fine charges per outstanding item: the rung's amount, but never more than what
    is left under the item's cap after the fines already assessed on it (by item id)."""
    already: dict[str, Decimal] = defaultdict(Decimal)
    for amounts in previous_fines:
        for item_id, amount in amounts.items():
            already[item_id] += Decimal(amount)
    charged = {}
    for item_id in map(str, items):
        amount = min(per_item, max(cap_per_item - already[item_id], Decimal(0)))
        if amount > 0:
            charged[item_id] = amount
    return charged


def _write(steps: list[Step], failures: list[int], *, now: datetime) -> None:
    """Write a planned batch: a few statements for thousands of rows.

    Parallel sweeps wait for each other only at the head of the decision chain, locked from
    the append to commit. So the records are appended last and that stretch is kept short:
    foreign keys are checked as each row goes in rather than at commit, and letter and fine
    numbers come from running counts that take no lock (compliance/counters.py).
    """
    if failures:
        rows_update(
            RemovalOrder,
            ["due_at"],
            [(i, now + RETRY_DELAY) for i in failures],
            types=["timestamptz"],
        )
    if not steps:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    letter_steps = [
        s for s in steps if s.action in (LadderAction.WARNING, LadderAction.WARNING_FINE)
    ]
    fine_steps = [s for s in letter_steps if s.fine_amount > 0]
    block_steps = [s for s in steps if s.action == LadderAction.BLOCK_PROPOSAL]
    year = now.year
    letters_by_order = {
        s.order_id: (letter_id, f"WL-{year}-{number:06d}")
        for s, letter_id, number in zip(
            letter_steps,
            ids_reserve(WarningLetter, len(letter_steps)),
            numbers_draw(name="letter", count=len(letter_steps)),
            strict=True,
        )
    }
    fines_by_order = {
        s.order_id: _fine_facts(s, fine_id, f"FN-{year}-{number:06d}", now=now)
        for s, fine_id, number in zip(
            fine_steps,
            ids_reserve(Fine, len(fine_steps)),
            numbers_draw(name="fine", count=len(fine_steps)),
            strict=True,
        )
    }
    platform_ids = {s.platform_id for s in steps}
    checkpoint = decision_checkpoint_latest()
    recipients = _recipients(platform_ids)
    with_webhook = webhook_platforms(platform_ids=platform_ids)
    rows_update(
        RemovalOrder,
        ["status", "escalation_level", "due_at", "updated_at"],
        [(s.order_id, s.to_state, s.level, s.due_at, now) for s in steps],
        types=["text", "int", "timestamptz", "timestamptz"],
    )
    letter_rows = [
        (
            *letters_by_order[s.order_id],
            s.order_id,
            s.platform_id,
            s.level,
            now,
            s.due_at,
            s.items_outstanding,
            ART_15_LETTER,
        )
        for s in letter_steps
    ]
    rows_insert(WarningLetter, LETTER_COLUMNS, letter_rows)
    rows_insert(
        Fine,
        FINE_COLUMNS,
        [_fine_row(s, letters_by_order, fines_by_order, now=now) for s in fine_steps],
    )
    # Proposing a block appends to the chain, locking its head until commit: so blocks come
    # after the other rows that need not wait for it.
    blocks = _blocks_propose(block_steps, now=now)
    rows_insert(
        Notification,
        NOTIFICATION_COLUMNS,
        _notification_rows(
            steps,
            letters_by_order,
            fines_by_order,
            blocks,
            recipients,
            now=now,
            footer=letters.checkpoint_footer(checkpoint),
        ),
    )
    webhook_rows_insert(
        rows=webhook_rows(
            _events(
                [s for s in steps if s.platform_id in with_webhook],
                letters_by_order,
                fines_by_order,
            ),
            platforms=with_webhook,
            now=now,
            checkpoint=checkpoint,
        )
    )
    decisions_append(decisions=_decisions(steps, letters_by_order, fines_by_order, blocks))


def _fine_facts(
    step: Step, fine_id: int, number: str, *, now: datetime
) -> tuple[int, str, datetime, FineStatus]:
    assert step.terms is not None
    due = now + step.terms.fine_payment_period
    status = FineStatus.PROPOSED if step.terms.fines_need_approval else FineStatus.ASSESSED
    return fine_id, number, due, status


def _fine_row(
    step: Step, letters_by_order: dict, fines_by_order: dict, *, now: datetime
) -> tuple[Any, ...]:
    assert step.terms is not None
    fine_id, number, due, status = fines_by_order[step.order_id]
    return (
        fine_id,
        number,
        step.order_id,
        step.platform_id,
        letters_by_order[step.order_id][0],
        step.fine_amount,
        step.terms.currency,
        step.item_amounts,
        status,
        now,
        due,
        "",
        "",
    )


def _blocks_propose(block_steps: list[Step], *, now: datetime) -> dict[int, Any]:
    from compliance.sanctions.services import access_block_propose_for_order

    return {
        s.order_id: access_block_propose_for_order(
            order_id=s.order_id,
            platform_id=s.platform_id,
            now=now,
            actor=SWEEP,
            reason=f"Removal order {s.reference}: content still up after the last letter.",
        )
        for s in block_steps
    }


LETTER_COLUMNS = [
    "id",
    "number",
    "order_id",
    "platform_id",
    "level",
    "issued_at",
    "response_due_at",
    "items_outstanding",
    "legal_basis",
]
FINE_COLUMNS = [
    "id",
    "number",
    "order_id",
    "platform_id",
    "letter_id",
    "amount",
    "currency",
    "item_amounts",
    "status",
    "assessed_at",
    "due_at",
    "payment_reference",
    "waived_reason",
]
NOTIFICATION_COLUMNS = [
    "event",
    "platform_id",
    "recipients",
    "subject",
    "body",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "created_at",
]


class _Ref:
    """A stand-in model instance for decision links, without loading the row."""

    def __init__(self, model: type, pk: int, text: str) -> None:
        self._meta = model._meta
        self.pk = pk
        self.text = text

    def __str__(self) -> str:
        return self.text


def _decisions(
    steps: list[Step], letters_by_order: dict, fines_by_order: dict, blocks: dict
) -> list[Decision]:
    decisions = []
    for s in steps:
        links: list[Any] = []
        basis = ART_15_LETTER
        if s.order_id in letters_by_order:
            letter_id, number = letters_by_order[s.order_id]
            links.append(_Ref(WarningLetter, letter_id, number))
        if s.order_id in fines_by_order:
            fine_id, number, _, _ = fines_by_order[s.order_id]
            links.append(_Ref(Fine, fine_id, number))
            basis = ART_15_FINE
        if s.order_id in blocks:
            links.append(blocks[s.order_id])
            basis = ART_15_BLOCK
        reason = f"Deadline passed with {s.items_outstanding} item(s) outstanding; " + (
            f"letter {s.level}." if s.action != LadderAction.BLOCK_PROPOSAL else "block proposed."
        )
        if s.action == "exhausted":
            reason = "Deadline passed; the policy ladder has no further step."
        decisions.append(
            Decision(
                actor=SWEEP,
                subject=_Ref(RemovalOrder, s.order_id, s.reference),
                action="removalorder.escalate",
                from_state=s.from_state,
                to_state=s.to_state,
                legal_basis=basis,
                reason=reason,
                links=links,
            )
        )
    return decisions


def _recipients(platform_ids: set[int]) -> dict[int, JsonText]:
    """Each platform's contact addresses, encoded once per platform, not once per letter."""
    emails: dict[int, list[str]] = defaultdict(list)
    for platform_id, email in PlatformContact.objects.filter(
        platform_id__in=platform_ids
    ).values_list("platform_id", "email"):
        emails[platform_id].append(email)
    return {p: JsonText(json.dumps(emails[p])) for p in platform_ids}


def _notification_rows(
    steps: list[Step],
    letters_by_order: dict,
    fines_by_order: dict,
    blocks: dict,
    recipients: dict[int, JsonText],
    *,
    now: datetime,
    footer: str,
) -> list[tuple[Any, ...]]:
    rows = []
    for s in steps:
        if s.action == "exhausted":
            continue
        _, number = letters_by_order.get(s.order_id, (None, ""))
        _, fine_number, fine_due, _ = fines_by_order.get(s.order_id, (None, "", None, None))
        block = blocks.get(s.order_id)
        subject, body = letters.warning_letter_text(
            number=number or (block.number if block else ""),
            reference=s.reference,
            platform=s.platform_name,
            level=s.level,
            items_outstanding=s.items_outstanding,
            legal_basis=ART_15_BLOCK if block else ART_15_LETTER,
            due_at=s.due_at,
            fine_number=fine_number,
            fine_amount=s.fine_amount or None,
            currency=s.terms.currency if s.terms else "",
            fine_due_at=fine_due,
            block_proposed=block is not None,
        )
        rows.append(
            (
                "order.escalated",
                s.platform_id,
                recipients[s.platform_id],
                subject,
                body + footer,
                Notification.Status.PENDING,
                0,
                now,
                "",
                now,
            )
        )
    return rows


def _events(
    steps: list[Step], letters_by_order: dict, fines_by_order: dict
) -> list[tuple[int, str, dict[str, Any]]]:
    """The webhook events of a batch: each escalation, and each fine it assessed."""
    events: list[tuple[int, str, dict[str, Any]]] = []
    for s in steps:
        if s.action == "exhausted":
            continue
        _, letter = letters_by_order.get(s.order_id, (None, ""))
        events.append(
            (
                s.platform_id,
                "order.escalated",
                {
                    "reference": s.reference,
                    "status": s.to_state,
                    "escalation_level": s.level,
                    "due_at": s.due_at,
                    "letter": letter or None,
                },
            )
        )
        if s.order_id in fines_by_order:
            _, number, due, status = fines_by_order[s.order_id]
            events.append(
                (
                    s.platform_id,
                    "fine.assessed",
                    {
                        "number": number,
                        "order": s.reference,
                        "amount": str(s.fine_amount),
                        "currency": s.terms.currency if s.terms else "",
                        "due_at": due,
                        "status": status,
                    },
                )
            )
    return events
