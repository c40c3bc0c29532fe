"""Appending to and verifying the decision record."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from compliance.actors import Actor
from compliance.bulk import ids_reserve, rows_insert
from compliance.models import DecisionChainHead, DecisionRecord
from compliance.models.decisions import GENESIS_HASH, record_hash


def link(obj: models.Model) -> dict[str, Any]:
    """A reference to a related object, as stored in a record's `links`."""
    return {"type": obj._meta.label_lower, "id": obj.pk, "repr": str(obj)[:200]}


@dataclass(frozen=True)
class Decision:
    """One decision to append; `decisions_append` writes many under one lock of the head."""

    actor: Actor
    subject: models.Model
    action: str
    from_state: str = ""
    to_state: str = ""
    legal_basis: str = ""
    reason: str = ""
    links: Sequence[models.Model] = ()


def decision_record_append(
    *,
    actor: Actor,
    subject: models.Model,
    action: str,
    from_state: str = "",
    to_state: str = "",
    legal_basis: str = "",
    reason: str = "",
    links: Sequence[models.Model] = (),
) -> None:
    """Append one record. Must run inside the caller's transaction, so both commit or neither."""
    decision = Decision(
        actor=actor,
        subject=subject,
        action=action,
        from_state=from_state,
        to_state=to_state,
        legal_basis=legal_basis,
        reason=reason,
        links=links,
    )
    decisions_append(decisions=[decision])


def decisions_append(*, decisions: Iterable[Decision]) -> int:
    """Append many records under one lock of the chain head (the sweep appends thousands)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("decision records are appended inside the transaction they record")
    head = DecisionChainHead.objects.select_for_update().get(pk=1)
    now = timezone.now()
    content_types: dict[type, int] = {}
    rows = []
    for decision in decisions:
        actor, subject = decision.actor, decision.subject
        model = subject._meta.model
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model).pk
        content = {
            "seq": head.seq + 1,
            "created_at": now.isoformat(),
            "actor_kind": actor.kind,
            "actor_user": actor.user.pk if actor.user else None,
            "actor_platform": actor.platform.pk if actor.platform else None,
            "actor_label": actor.label,
            "content_type": content_types[model],
            "object_id": str(subject.pk),
            "object_repr": str(subject)[:200],
            "action": decision.action,
            "from_state": decision.from_state,
            "to_state": decision.to_state,
            "legal_basis": decision.legal_basis,
            "reason": decision.reason,
            "links": [link(obj) for obj in decision.links],
            "prev_hash": head.hash,
        }
        head.seq, head.hash = content["seq"], record_hash(content)
        rows.append((content, head.hash))
    if not rows:
        return 0
    ids = ids_reserve(DecisionRecord, len(rows))
    rows_insert(
        DecisionRecord,
        RECORD_COLUMNS,
        [
            (
                pk,
                c["seq"],
                now,
                c["actor_kind"],
                c["actor_user"],
                c["actor_platform"],
                c["actor_label"],
                c["content_type"],
                c["object_id"],
                c["object_repr"],
                c["action"],
                c["from_state"],
                c["to_state"],
                c["legal_basis"],
                c["reason"],
                c["links"],
                c["prev_hash"],
                digest,
            )
            for pk, (c, digest) in zip(ids, rows, strict=True)
        ],
    )
    head.save(update_fields=["seq", "hash"])
    return len(rows)


RECORD_COLUMNS = [
    "id",
    "seq",
    "created_at",
    "actor_kind",
    "actor_user_id",
    "actor_platform_id",
    "actor_label",
    "content_type_id",
    "object_id",
    "object_repr",
    "action",
    "from_state",
    "to_state",
    "legal_basis",
    "reason",
    "links",
    "prev_hash",
    "hash",
]


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def decision_chain_verify() -> ChainReport:
    """Recompute every hash in order; name the first record that does not fit."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for record in DecisionRecord.objects.order_by("seq").iterator(chunk_size=2000):
        if record.seq != expected_seq:
            return ChainReport(checked, record.seq, f"expected record #{expected_seq} here")
        if record.prev_hash != expected_prev:
            return ChainReport(checked, record.seq, "does not link to the record before it")
        if record.compute_hash() != record.hash:
            return ChainReport(checked, record.seq, "content does not match its hash")
        expected_prev = record.hash
        expected_seq += 1
        checked += 1
    head = DecisionChainHead.objects.get(pk=1)
    if (head.seq, head.hash) != (checked, expected_prev):
        return ChainReport(checked, checked + 1, f"records after #{checked} are missing")
    return ChainReport(checked)
