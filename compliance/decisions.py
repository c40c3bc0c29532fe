"""Appending to and verifying the decision record."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from compliance.actors import Actor
from compliance.bulk import JsonText, rows_insert
from compliance.models import DecisionChainHead, DecisionRecord
from compliance.models.decisions import CANONICAL_JSON, GENESIS_HASH, record_hash_finish


def _json(value: Any) -> str:
    """A scalar as canonical JSON, without the encoder's per-call set-up (thousands a batch)."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return CANONICAL_JSON.encode(value)


# Actions, states, labels and reasons repeat across a batch: each is encoded once.
_json_repeated = lru_cache(maxsize=4096)(_json)


def _links_json(objects: Sequence[models.Model]) -> str:
    """References to related objects, as a record's `links` stores them ({"type", "id",
    "repr"} each), in canonical JSON (keys sorted, compact), written directly."""
    return (
        "["
        + ",".join(
            f'{{"id":{_json(obj.pk)},"repr":{_json(str(obj)[:200])},'
            f'"type":{_json(obj._meta.label_lower)}}}'
            for obj in objects
        )
        + "]"
    )


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
    return decisions_write(prepared=decisions_prepare(decisions=decisions))


# A record's row, less seq and the hashes, and its canonical JSON around them.
Prepared = list[tuple[tuple[Any, ...], tuple[str, str, str]]]


def decisions_prepare(*, decisions: Iterable[Decision]) -> Prepared:
    """Everything of the records but the chain (`seq`, `prev_hash`, the hash), encoded before
    the head is locked: that lock is held until commit and serializes every writer, so it
    should cover only hashing and inserting. Touches the database only to look up a content
    type the first time a process meets a model."""
    now = timezone.now()
    created = encode_basestring_ascii(now.isoformat())
    content_types: dict[type, int] = {}
    prepared: Prepared = []
    for decision in decisions:
        actor, subject = decision.actor, decision.subject
        model = subject._meta.model
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model).pk
        user = actor.user.pk if actor.user else None
        platform = actor.platform.pk if actor.platform else None
        object_id, object_repr = str(subject.pk), str(subject)[:200]
        links = _links_json(decision.links)
        # The record's canonical JSON (DecisionRecord.content(), keys sorted) around the two
        # members the chain fills in; tests check it against DecisionRecord.compute_hash().
        parts = (
            f'"action":{_json_repeated(decision.action)},"actor_kind":{_json_repeated(actor.kind)},'
            f'"actor_label":{_json_repeated(actor.label)},"actor_platform":{_json(platform)},'
            f'"actor_user":{_json(user)},"content_type":{content_types[model]},'
            f'"created_at":{created},"from_state":{_json_repeated(decision.from_state)},'
            f'"legal_basis":{_json_repeated(decision.legal_basis)},"links":{links},'
            f'"object_id":{_json(object_id)},"object_repr":{_json(object_repr)}',
            f'"reason":{_json_repeated(decision.reason)}',
            f'"to_state":{_json_repeated(decision.to_state)}',
        )
        row = (
            now,
            actor.kind,
            user,
            platform,
            actor.label,
            content_types[model],
            object_id,
            object_repr,
            decision.action,
            decision.from_state,
            decision.to_state,
            decision.legal_basis,
            decision.reason,
            JsonText(links),
        )
        prepared.append((row, parts))
    return prepared


def decisions_write(*, prepared: Prepared) -> int:
    """Chain and insert prepared records, inside the transaction whose decisions they are."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("decision records are appended inside the transaction they record")
    if not prepared:
        return 0
    head = DecisionChainHead.objects.select_for_update().get(pk=1)
    rows = []
    seq, prev_hash = head.seq, head.hash
    for row, parts in prepared:
        seq += 1
        digest = record_hash_finish(parts, prev_hash=prev_hash, seq=seq)
        rows.append((seq, *row, prev_hash, digest))
        prev_hash = digest
    rows_insert(DecisionRecord, RECORD_COLUMNS, rows)
    head.seq, head.hash = seq, prev_hash
    head.save(update_fields=["seq", "hash"])
    return len(rows)


RECORD_COLUMNS = [
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
