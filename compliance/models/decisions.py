"""The append-only, hash-chained record of every decision the engine takes.

Rows are never updated or deleted: the model refuses it, the admin refuses it, and database
triggers (installed by migration 0002) refuse it. Each row hashes its own content together with
the previous row's hash, so an edit made around all of that shows in `verify_decisions`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


class DecisionRecord(models.Model):
    class ActorKind(models.TextChoices):
        USER = "user", "Staff user"
        PLATFORM = "platform", "Platform"
        JOB = "job", "Scheduled job"

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_platform = models.ForeignKey(
        "registry.Platform", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=64)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    legal_basis = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["content_type", "object_id", "seq"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hash__regex=r"^[0-9a-f]{64}$")
                & models.Q(prev_hash__regex=r"^[0-9a-f]{64}$"),
                name="decisionrecord_hashes_are_sha256_hex",
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
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class DecisionChainHead(models.Model):
    """One row: the last appended record. Locking it serializes appends to the chain."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"head #{self.seq}"
