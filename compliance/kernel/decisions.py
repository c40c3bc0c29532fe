"""Appending to and verifying the decision record."""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any, Protocol, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.options import Options
from django.utils import timezone

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.bulk import JsonText, rows_insert
from compliance.kernel.keys import checkpoint_sign, checkpoint_signature_valid, record_mac_maker
from compliance.kernel.models import (
    CANONICAL_JSON,
    GENESIS_HASH,
    DecisionChainHead,
    DecisionCheckpoint,
    DecisionRecord,
    record_hash_finish,
)

log = logging.getLogger(__name__)


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


def _links_json(objects: Sequence[Subject]) -> str:
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


class Subject(Protocol):
    """What a record can be about or link to: a model instance, or a stand-in with its model's
    options and primary key (the sweep names rows it wrote in bulk without loading them)."""

    @property
    def pk(self) -> Any: ...

    @property
    def _meta(self) -> Options[Any]: ...


@dataclass(frozen=True)
class Decision:
    """One decision to append; `decisions_append` writes many under one lock of the head."""

    actor: Actor
    subject: Subject
    action: Action
    from_state: str = ""
    to_state: str = ""
    legal_basis: str = ""
    reason: str = ""
    links: Sequence[Subject] = ()


def decision_record_append(
    *,
    actor: Actor,
    subject: Subject,
    action: Action,
    from_state: str = "",
    to_state: str = "",
    legal_basis: str = "",
    reason: str = "",
    links: Sequence[Subject] = (),
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
    key, sha256 = record_mac_maker()
    head = DecisionChainHead.objects.select_for_update().get(pk=1)
    rows = []
    seq, prev_hash = head.seq, head.hash
    for row, parts in prepared:
        seq += 1
        digest = record_hash_finish(parts, prev_hash=prev_hash, seq=seq)
        mac = hmac.new(key, f"{seq}:{digest}".encode(), sha256).hexdigest()
        rows.append((seq, *row, prev_hash, digest, mac))
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
    "mac",
]


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as published: from the table, the log file, or a copy kept elsewhere."""

    seq: int
    hash: str
    created_at: str
    key_id: str
    signature: str
    source: str = "the checkpoint table"

    @property
    def signed(self) -> bool:
        return checkpoint_signature_valid(
            seq=self.seq,
            digest=self.hash,
            created_at=self.created_at,
            key_id=self.key_id,
            signature=self.signature,
        )


class ChainTampered(Exception):
    """The chain does not verify; no checkpoint is signed over it."""


def decision_checkpoints_known(*, published: Iterable[Checkpoint] = ()) -> list[Checkpoint]:
    """Every checkpoint there is a copy of: the table, the log file, and `published` ones."""
    known = [
        Checkpoint(**{k: v for k, v in c.as_published().items()})
        for c in DecisionCheckpoint.objects.order_by("seq")
    ]
    known += checkpoints_read(path=Path(settings.DECISION_CHECKPOINT_LOG))
    return [*known, *published]


def checkpoints_read(*, path: Path) -> list[Checkpoint]:
    """Checkpoints from a file of JSON lines (the log, or a copy fetched from the public page)."""
    if not path.exists():
        return []
    found = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append(
                Checkpoint(
                    seq=int(data["seq"]),
                    hash=str(data["hash"]),
                    created_at=str(data["created_at"]),
                    key_id=str(data["key_id"]),
                    signature=str(data["signature"]),
                    source=f"{path} line {number}",
                )
            )
        except (ValueError, KeyError, TypeError):
            found.append(Checkpoint(0, "", "", "", "", source=f"{path} line {number} (unreadable)"))
    return found


def decision_chain_verify(*, published: Iterable[Checkpoint] = ()) -> ChainReport:
    """Recompute every hash and seal in order, and hold the chain against every signed
    checkpoint known; name the first record that does not fit."""
    checkpoints = decision_checkpoints_known(published=published)
    for checkpoint in checkpoints:
        if not checkpoint.signed:
            return ChainReport(
                0,
                checkpoint.seq,
                f"checkpoint #{checkpoint.seq} in {checkpoint.source} is not signed by a "
                "trusted key",
            )
    expected: dict[int, Checkpoint] = {}
    for checkpoint in checkpoints:
        expected.setdefault(checkpoint.seq, checkpoint)
    key, sha256 = record_mac_maker()
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
        seal = hmac.new(key, f"{record.seq}:{record.hash}".encode(), sha256).hexdigest()
        if not hmac.compare_digest(seal, record.mac):
            return ChainReport(
                checked, record.seq, "its seal does not match: written without the key"
            )
        if record.seq in expected and expected[record.seq].hash != record.hash:
            checkpoint = expected[record.seq]
            return ChainReport(
                checked,
                record.seq,
                f"differs from the signed checkpoint of #{record.seq} ({checkpoint.source})",
            )
        expected_prev = record.hash
        expected_seq += 1
        checked += 1
    head = DecisionChainHead.objects.get(pk=1)
    beyond = [c for c in checkpoints if c.seq > checked]
    if beyond:
        last = max(beyond, key=lambda c: c.seq)
        return ChainReport(
            checked,
            checked + 1,
            f"records after #{checked} are missing: checkpoint #{last.seq} ({last.source}) "
            "was signed over them",
        )
    if (head.seq, head.hash) != (checked, expected_prev):
        return ChainReport(checked, checked + 1, f"records after #{checked} are missing")
    return ChainReport(checked, checkpoints=len(checkpoints))


def decision_checkpoint_latest() -> dict[str, Any] | None:
    """The checkpoint in force, as published (letters and webhooks carry it)."""
    latest = DecisionCheckpoint.objects.order_by("-seq").first()
    return latest.as_published() if latest else None


def decision_checkpoint_write(*, now: datetime | None = None) -> DecisionCheckpoint | None:
    """Sign a checkpoint of the chain as it stands, after verifying the records added since
    the last one (a chain that does not verify is never signed: ChainTampered). Returns None
    when nothing was appended since the last checkpoint."""
    head = DecisionChainHead.objects.get(pk=1)
    last = DecisionCheckpoint.objects.order_by("-seq").first()
    if head.seq == 0 or (last is not None and last.seq >= head.seq):
        return None
    problem = _segment_problem(after=last, until=head.seq, head_hash=head.hash)
    if problem:
        log.error("decision chain does not verify; no checkpoint signed: %s", problem)
        raise ChainTampered(problem)
    created_at = (now or timezone.now()).isoformat()
    key_id, signature = checkpoint_sign(seq=head.seq, digest=head.hash, created_at=created_at)
    published = {
        "seq": head.seq,
        "hash": head.hash,
        "created_at": created_at,
        "key_id": key_id,
        "signature": signature,
    }
    # The log first: what it states is already committed (records are never rolled back once
    # in the chain), so a log line whose table row then fails to commit is still true.
    _log_append(json.dumps(published))
    return DecisionCheckpoint.objects.create(
        seq=head.seq,
        hash=head.hash,
        created_at=datetime.fromisoformat(created_at),
        key_id=key_id,
        signature=signature,
    )


def _segment_problem(*, after: DecisionCheckpoint | None, until: int, head_hash: str) -> str:
    """The first fault in the records after checkpoint `after` up to `until`, or ''."""
    key, sha256 = record_mac_maker()
    expected_prev = after.hash if after else GENESIS_HASH
    expected_seq = (after.seq if after else 0) + 1
    records = DecisionRecord.objects.filter(seq__gte=expected_seq, seq__lte=until).order_by("seq")
    for record in records.iterator(chunk_size=2000):
        seal = hmac.new(key, f"{record.seq}:{record.hash}".encode(), sha256).hexdigest()
        if record.seq != expected_seq:
            return f"expected record #{expected_seq}, found #{record.seq}"
        if record.prev_hash != expected_prev or record.compute_hash() != record.hash:
            return f"record #{record.seq} does not fit the chain"
        if not hmac.compare_digest(seal, record.mac):
            return f"record #{record.seq} was written without the key"
        expected_prev = record.hash
        expected_seq += 1
    if expected_seq != until + 1 or expected_prev != head_hash:
        return f"the head names #{until} but the chain ends at #{expected_seq - 1}"
    return ""


def _log_append(line: str) -> None:
    path = Path(settings.DECISION_CHECKPOINT_LOG)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class StateMismatch:
    model: str
    object_id: str
    current: str
    recorded: str


def decision_states_verify(*, models_checked: Iterable[type[models.Model]]) -> list[StateMismatch]:
    """Objects whose state column differs from the last state their decision records give: a
    state table edited around the services. An object with no record of its own keeps the
    state it was created in (the model's default, or one of `created_states`)."""
    mismatches = []
    for model in models_checked:
        content_type = ContentType.objects.get_for_model(model)
        last_seqs = (
            DecisionRecord.objects.filter(content_type=content_type)
            .exclude(to_state="")
            .values("object_id")
            .annotate(last=models.Max("seq"))
            .values("last")
        )
        recorded = dict(
            DecisionRecord.objects.filter(seq__in=last_seqs).values_list("object_id", "to_state")
        )
        field = cast(models.Field, model._meta.get_field("status"))
        created = set(getattr(model, "created_states", [field.get_default()]))
        for pk, state in model._default_manager.values_list("pk", "status").iterator():
            expected = recorded.get(str(pk))
            if expected is None:
                if state not in created:
                    mismatches.append(StateMismatch(model._meta.label, str(pk), state, "(created)"))
            elif state != expected:
                mismatches.append(StateMismatch(model._meta.label, str(pk), state, expected))
    return mismatches
