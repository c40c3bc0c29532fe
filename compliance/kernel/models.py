"""The kernel's data: the decision record, official counters, idempotent replies.

Decision records are append-only and hash-chained: rows are never updated or deleted (the
model refuses it, the admin refuses it, and database triggers, installed by migration 0002,
refuse it). Each row hashes its own content together with the previous row's hash and carries
a MAC made with a key outside the database, so an edit made around all of that shows in
`verify_decisions`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


class DecisionRecord(models.Model):
    class ActorKind(models.TextChoices):
        USER = "user", _("Staff user")
        PLATFORM = "platform", _("Platform")
        JOB = "job", _("Scheduled job")
        AGENCY = "agency", _("Requesting agency")

    seq = models.PositiveBigIntegerField(unique=True, editable=False, verbose_name=_("seq"))
    created_at = models.DateTimeField(editable=False, verbose_name=_("created at"))
    actor_kind = models.CharField(
        max_length=16, choices=ActorKind.choices, verbose_name=_("actor kind")
    )
    # Indexes cost every append; the sweep writes thousands of records a second, so only the
    # ones reads need exist (partial where most rows are the sweep's, with no user or platform).
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("actor user"),
    )
    actor_platform = models.ForeignKey(
        "registry.Platform",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("actor platform"),
    )
    actor_label = models.CharField(max_length=200, verbose_name=_("actor label"))
    # No database-level foreign key: content types are never deleted, and the check would cost
    # a lookup per appended row (measured: 0.7 s per 100,000 records).
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
        verbose_name=_("content type"),
    )
    object_id = models.CharField(max_length=64, verbose_name=_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200, verbose_name=_("object repr"))
    action = models.CharField(max_length=64, verbose_name=_("action"))
    from_state = models.CharField(max_length=32, blank=True, verbose_name=_("from state"))
    to_state = models.CharField(max_length=32, blank=True, verbose_name=_("to state"))
    # As long as the longest legal basis it records (an order's, a letter's: 300).
    legal_basis = models.CharField(max_length=300, blank=True, verbose_name=_("legal basis"))
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    links = models.JSONField(default=list, blank=True, verbose_name=_("links"))
    prev_hash = models.CharField(max_length=64, verbose_name=_("prev hash"))
    # Not unique: the chain (each record names the previous hash) is what verify checks.
    hash = models.CharField(max_length=64, verbose_name=_("hash"))
    # HMAC of seq and hash with a key the database never holds (compliance/decision_keys.py):
    # a record forged or rewritten by someone with only database access has no valid one.
    mac = models.CharField(max_length=64, verbose_name=_("mac"))

    class Meta:
        verbose_name = _("decision record")
        verbose_name_plural = _("decision records")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "seq"]),
            models.Index(
                fields=["actor_user"],
                name="decision_actor_user",
                condition=models.Q(actor_user__isnull=False),
            ),
            models.Index(
                fields=["actor_platform"],
                name="decision_actor_platform",
                condition=models.Q(actor_platform__isnull=False),
            ),
        ]
        constraints = [
            # A length check, not a regex: the regex cost 2.4 s per 100,000 appends. It still
            # catches truncated hashes (the char(N) bulk-insert trap in docs/performance.md).
            models.CheckConstraint(
                condition=models.Q(Exact(Length("hash"), 64), Exact(Length("prev_hash"), 64)),
                name="decisionrecord_hashes_are_sha256_length",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("decision records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("decision records are append-only")

    def content(self) -> dict[str, Any]:
        """What the hash covers: everything but the hash itself."""
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor_kind": self.actor_kind,
            "actor_user": self.actor_user_id,
            "actor_platform": self.actor_platform_id,
            "actor_label": self.actor_label,
            "content_type": self.content_type_id,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "action": self.action,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "legal_basis": self.legal_basis,
            "reason": self.reason,
            "links": self.links,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return record_hash(self.content())


CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def record_hash(content: dict[str, Any]) -> str:
    """SHA-256 of a record's canonical JSON (its content, which includes the previous hash)."""
    return hashlib.sha256(CANONICAL_JSON.encode(content).encode()).hexdigest()


def record_hash_finish(parts: tuple[str, str, str], *, prev_hash: str, seq: int) -> str:
    """`record_hash` of a record whose canonical JSON, less `prev_hash` and `seq`, is split in
    `parts` around them: the members sorting before, between and after, none empty (see
    decisions_append).
    prev_hash is hex: no escaping needed."""
    first, middle, last = parts
    text = f'{{{first},"prev_hash":"{prev_hash}",{middle},"seq":{seq},{last}}}'
    return hashlib.sha256(text.encode()).hexdigest()


class DecisionCheckpoint(models.Model):
    """A signed statement that the chain had `seq` records ending in `hash` (append-only).

    Signed with a key kept outside the database, published, and copied to a log file: a chain
    rewritten afterwards no longer contains the checkpointed record and `verify_decisions`
    says so, even if the rewrite recomputed every hash.
    """

    seq = models.PositiveBigIntegerField(verbose_name=_("seq"))
    hash = models.CharField(max_length=64, verbose_name=_("hash"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    key_id = models.CharField(max_length=16, verbose_name=_("key id"))
    signature = models.CharField(max_length=100, verbose_name=_("signature"))

    class Meta:
        verbose_name = _("decision checkpoint")
        verbose_name_plural = _("decision checkpoints")
        ordering = ["-seq"]
        get_latest_by = "seq"
        constraints = [models.UniqueConstraint(fields=["seq"], name="checkpoint_seq_unique")]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq} {self.hash[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("checkpoints are append-only")

    def as_published(self) -> dict[str, Any]:
        """What is published and what outsiders keep: enough to check it on its own."""
        return {
            "seq": self.seq,
            "hash": self.hash,
            "created_at": self.created_at.isoformat(),
            "key_id": self.key_id,
            "signature": self.signature,
        }


class DecisionChainHead(models.Model):
    """One row: the last appended record. Locking it serializes appends to the chain."""

    seq = models.PositiveBigIntegerField(default=0, verbose_name=_("seq"))
    hash = models.CharField(max_length=64, default=GENESIS_HASH, verbose_name=_("hash"))

    class Meta:
        verbose_name = _("decision chain head")
        verbose_name_plural = _("decision chain heads")

    def __str__(self) -> str:
        return f"head #{self.seq}"


class Counter(models.Model):
    """Gap-free yearly numbering for official documents (registrations, orders, blocks). Year 0
    holds the running counts of letters and fines on SQLite (see compliance/kernel/counters.py)."""

    name = models.CharField(max_length=32, verbose_name=_("name"))
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    value = models.PositiveBigIntegerField(default=0, verbose_name=_("value"))

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="counter_unique_name_year")
        ]

    def __str__(self) -> str:
        return f"{self.name}/{self.year}: {self.value}"


class ApiKeyFields(models.Model):
    """What every API key keeps (a platform's, an agency's): only a digest of the key, which
    is shown once. The key reads `<kind>_<prefix>_<secret>`: the prefix finds the row, the
    digest of the whole key is compared in constant time."""

    name = models.CharField(max_length=100, verbose_name=_("name"))
    prefix = models.CharField(max_length=16, unique=True, verbose_name=_("prefix"))
    digest = models.CharField(max_length=64, verbose_name=_("digest"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for repeats. Keys are
    per caller: a platform's, or an agency's."""

    platform = models.ForeignKey(
        "registry.Platform",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("platform"),
    )
    agency = models.ForeignKey(
        "notices.Agency",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("agency"),
    )
    key = models.CharField(max_length=200, verbose_name=_("key"))
    method = models.CharField(max_length=8, verbose_name=_("method"))
    path = models.CharField(max_length=500, verbose_name=_("path"))
    request_hash = models.CharField(max_length=64, verbose_name=_("request hash"))
    status_code = models.PositiveSmallIntegerField(null=True, verbose_name=_("status code"))
    response_body = models.JSONField(null=True, verbose_name=_("response body"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "key"], name="idempotency_key_per_platform"
            ),
            models.UniqueConstraint(fields=["agency", "key"], name="idempotency_key_per_agency"),
            models.CheckConstraint(
                condition=models.Q(platform__isnull=True) ^ models.Q(agency__isnull=True),
                name="idempotency_key_one_caller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id or self.agency_id}:{self.key}"


def _letter_path(letter: OfficialLetter, filename: str) -> str:
    return f"letters/{letter.issued_at:%Y}/{letter.number}.pdf"


class OfficialLetter(models.Model):
    """An official letter as issued: numbered, rendered once to a PDF whose SHA-256 the
    decision record keeps, verifiable by anyone holding its number and short code.

    Written in the transaction of the decision it states (a row per letter, cheap enough for
    the sweep's batches); rendered afterwards by a worker from the documents it points to
    (compliance/documents), never in the decision's own transaction."""

    class Kind(models.TextChoices):
        ORDER_NOTICE = "order_notice", _("Removal order notice")
        WARNING = "warning", _("Warning letter")
        FINE = "fine_assessment", _("Fine assessment")
        BLOCK_ORDER = "block_order", _("Access block order to ISPs")
        BLOCK_LIFTING = "block_lifting", _("Lifting of an access block")
        NORMALIZATION = "normalization_decision", _("Normalization decision")
        REGISTRATION = "registration_decision", _("Registration decision")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be rendered")
        RENDERING = "rendering", _("Rendering")
        RENDERED = "rendered", _("Rendered")
        FAILED = "failed", _("Failed (gave up)")

    number = models.CharField(max_length=32, unique=True, verbose_name=_("number"))
    kind = models.CharField(max_length=32, choices=Kind.choices, verbose_name=_("kind"))
    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="official_letters",
        verbose_name=_("platform"),
    )
    # The document the letter states (an order, a warning letter, a fine, a block, ...).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("content type")
    )
    object_id = models.CharField(max_length=64, verbose_name=_("object id"))
    source = GenericForeignKey("content_type", "object_id")
    signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who decided; empty for letters the engine issues under standing authority.",
        verbose_name=_("signatory"),
    )
    issued_at = models.DateTimeField(verbose_name=_("issued at"))
    # What the decision said that its document does not keep (a refusal's reason, ...).
    facts = models.JSONField(default=dict, blank=True, verbose_name=_("facts"))
    code = models.CharField(
        max_length=9, help_text="Short code for verification (/verify/).", verbose_name=_("code")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"))
    claimed_until = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed until"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    file = models.FileField(
        upload_to=_letter_path, max_length=100, blank=True, verbose_name=_("file")
    )
    sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("sha256"))
    size = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("size"))
    rendered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("rendered at"))

    class Meta:
        verbose_name = _("official letter")
        verbose_name_plural = _("official letters")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="letter_render_due",
                condition=models.Q(status__in=["pending", "rendering"]),
            ),
            models.Index(fields=["content_type", "object_id"], name="letter_source"),
        ]

    def __str__(self) -> str:
        return self.number
