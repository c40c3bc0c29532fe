"""The sweep's bulk writer: a planned batch of escalations in a few statements.

For thousands of orders at once: the orders' new state, a warning letter each (with a fine
where the rung carries one), block proposals, the letters to send, the webhook events and the
hash-chained decision records, numbered from running counts that take no lock.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, models

from compliance.delivery import letters
from compliance.delivery.models import Notification
from compliance.delivery.webhooks import webhook_platforms, webhook_rows, webhook_rows_insert
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.bulk import (
    JsonText,
    ids_reserve,
    rows_insert,
    rows_update,
)
from compliance.kernel.counters import numbers_draw
from compliance.kernel.decisions import Decision, decision_checkpoint_latest, decisions_append
from compliance.kernel.formats import amount_wire
from compliance.kernel.letters import LETTER_COLUMNS as OFFICIAL_LETTER_COLUMNS
from compliance.kernel.letters import LetterRow
from compliance.kernel.letters import letter_rows as official_letter_rows
from compliance.kernel.models import OfficialLetter
from compliance.policies import citations
from compliance.policies.terms import LadderAction
from compliance.sanctions.models import Fine, FineStatus, PeriodicPenalty, WarningLetter
from compliance.sanctions.services import access_block_propose_for_order
from compliance.sweep.rules import EXHAUSTED, Step
from notices.models import RemovalOrder
from registry.models import PlatformContact

log = logging.getLogger(__name__)

SWEEP = Actor.scheduled_job("escalation-sweep")


def batch_write(
    steps: list[Step], failures: list[int], *, now: datetime, retry_delay: timedelta
) -> None:
    """Write a planned batch: a few statements for thousands of rows.

    Parallel sweeps wait for each other only at the head of the decision chain, locked from
    the append to commit. So the records are appended last and that stretch is kept short:
    foreign keys are checked as each row goes in rather than at commit, and letter and fine
    numbers come from running counts that take no lock (compliance/kernel/counters.py).
    """
    if failures:
        rows_update(
            RemovalOrder,
            ["due_at"],
            [(i, now + retry_delay) for i in failures],
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
            s.legal_basis or citations.WARNING_LETTER,
        )
        for s in letter_steps
    ]
    rows_insert(WarningLetter, LETTER_COLUMNS, letter_rows)
    rows_insert(
        OfficialLetter,
        OFFICIAL_LETTER_COLUMNS,
        official_letter_rows(
            kind=OfficialLetter.Kind.WARNING,
            model=WarningLetter,
            rows=[
                LetterRow(number=number, platform_id=s.platform_id, object_id=letter_id)
                for s in letter_steps
                for letter_id, number in [letters_by_order[s.order_id]]
            ],
            now=now,
        ),
    )
    rows_insert(
        Fine,
        FINE_COLUMNS,
        [_fine_row(s, letters_by_order, fines_by_order, now=now) for s in fine_steps],
    )
    rows_insert(
        PeriodicPenalty,
        PENALTY_COLUMNS,
        [
            (
                s.order_id,
                s.platform_id,
                letters_by_order[s.order_id][0],
                s.penalty_daily,
                s.terms.currency,
                s.penalty_cap,
                s.computation,
                s.needs_approval,
                now,
                PeriodicPenalty.Status.ACCRUING,
            )
            for s in letter_steps
            if s.penalty_daily and s.terms is not None
        ],
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
    status = FineStatus.PROPOSED if step.needs_approval else FineStatus.ASSESSED
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
        step.computation,
        status,
        now,
        due,
        "",
        "",
    )


def _blocks_propose(block_steps: list[Step], *, now: datetime) -> dict[int, Any]:
    return {
        s.order_id: access_block_propose_for_order(
            order_id=s.order_id,
            platform_id=s.platform_id,
            now=now,
            actor=SWEEP,
            reason=f"Removal order {s.reference}: "
            + (s.cause or "content still up after the last letter."),
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
    "computation",
    "status",
    "assessed_at",
    "due_at",
    "payment_reference",
    "waived_reason",
]
PENALTY_COLUMNS = [
    "order_id",
    "platform_id",
    "letter_id",
    "daily_amount",
    "currency",
    "cap",
    "computation",
    "needs_approval",
    "started_at",
    "status",
]
NOTIFICATION_COLUMNS = [
    "event",
    "platform_id",
    "letter_id",
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

    def __init__(self, model: type[models.Model], pk: int, text: str) -> None:
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
        basis = citations.WARNING_LETTER
        if s.order_id in letters_by_order:
            letter_id, number = letters_by_order[s.order_id]
            links.append(_Ref(WarningLetter, letter_id, number))
        if s.order_id in fines_by_order:
            fine_id, number, _, _ = fines_by_order[s.order_id]
            links.append(_Ref(Fine, fine_id, number))
            basis = citations.FINE_WITH_LETTER
        if s.order_id in blocks:
            links.append(blocks[s.order_id])
            basis = citations.ACCESS_BLOCK
        basis = s.legal_basis or basis
        reason = (s.cause or f"Deadline passed with {s.items_outstanding} item(s) outstanding;") + (
            f" letter {s.level}." if s.action != LadderAction.BLOCK_PROPOSAL else " block proposed."
        )
        if s.action == EXHAUSTED:
            reason = "Deadline passed; the policy ladder has no further step."
        decisions.append(
            Decision(
                actor=SWEEP,
                subject=_Ref(RemovalOrder, s.order_id, s.reference),
                action=Action.ORDER_ESCALATE,
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
        if s.action == EXHAUSTED:
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
            legal_basis=citations.ACCESS_BLOCK if block else citations.WARNING_LETTER,
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
                number or None,
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
        if s.action == EXHAUSTED:
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
                        "amount": amount_wire(s.fine_amount),
                        "currency": s.terms.currency if s.terms else "",
                        "due_at": due,
                        "status": status,
                    },
                )
            )
    return events
