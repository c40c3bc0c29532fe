"""Fingerprints of ordered content, hash lists platforms check uploads against, and matches.

Hashes are sensitive (a list of CSAM hashes is itself protected material): nothing here is
public; platforms reach the lists only with their key, and only the lists open to them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from registry.models import Platform

MANAGE = "fingerprints.manage_hash_lists"


class HashType(models.TextChoices):
    SHA256 = "sha256", _("SHA-256 (exact)")
    MD5 = "md5", _("MD5 (exact; what hash-sharing programmes exchange)")
    PDQ = "pdq", _("PDQ (perceptual, images)")
    VIDEO = "video", _("Video (PDQ of its frames)")


# Hex digits per hash type; a video entry's frames are PDQ hashes.
HEX_LENGTH = {HashType.SHA256: 64, HashType.MD5: 32, HashType.PDQ: 64}
PERCEPTUAL = {HashType.PDQ, HashType.VIDEO}
# PDQ hashes of lower quality are kept but not matched (too little structure to mean much).
MIN_QUALITY = 50
# The widest PDQ threshold a list may have: PDQ's recommended one. Wider, unrelated images
# begin to match (docs/fingerprints.md).
MAX_THRESHOLD = 31
# A PDQ query this close to an allowed hash is the harmless image itself (re-encoded, resized):
# not reported.
ALLOW_RADIUS = 10


class Fingerprint(models.Model):
    """What an evidence file leaves behind, computed after its upload commits."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Computed")
        FAILED = "failed", _("Failed")

    evidence = models.OneToOneField(
        "notices.Evidence",
        on_delete=models.PROTECT,
        related_name="fingerprint",
        verbose_name=_("evidence"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    md5 = models.CharField(max_length=32, blank=True, verbose_name=_("md5"))
    pdq = models.CharField(max_length=64, blank=True, verbose_name=_("pdq"))
    pdq_quality = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("pdq quality")
    )
    # For videos: the PDQ hash and quality of one frame a second, as [[hex, quality], ...].
    frames = models.JSONField(default=list, blank=True, verbose_name=_("frames"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    computed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("computed at"))

    class Meta:
        verbose_name = _("fingerprint")
        verbose_name_plural = _("fingerprints")

    def __str__(self) -> str:
        return f"fingerprint of {self.evidence_id}"


class HashList(models.Model):
    """Hashes of one category of content, matched with one threshold."""

    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    category = models.ForeignKey(
        "notices.ContentCategory",
        on_delete=models.PROTECT,
        related_name="hash_lists",
        verbose_name=_("category"),
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    pdq_threshold = models.PositiveSmallIntegerField(
        default=MAX_THRESHOLD,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_THRESHOLD)],
        help_text="Largest Hamming distance (of 256 bits) at which a PDQ hash matches.",
        verbose_name=_("pdq threshold"),
    )
    video_share = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=0.5,
        validators=[MinValueValidator(0.01), MaxValueValidator(1)],
        help_text="Share of frames that must match, both ways, for a video to match.",
        verbose_name=_("video share"),
    )
    restricted = models.BooleanField(
        default=False,
        help_text="Only the platforms chosen below may match and download it.",
        verbose_name=_("restricted"),
    )
    platforms = models.ManyToManyField(
        "registry.Platform", blank=True, related_name="hash_lists_open", verbose_name=_("platforms")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("hash list")
        verbose_name_plural = _("hash lists")
        ordering = ["name"]
        permissions = [("manage_hash_lists", "Can add, withdraw and restrict hashes")]

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    QUARANTINED = "quarantined", _("Quarantined (not matched until reviewed)")


class HashEntry(ConcurrentTransitionMixin, models.Model):
    """One hash in a list, from evidence or submitted as a hash only (no file held)."""

    hash_list = models.ForeignKey(
        HashList, on_delete=models.PROTECT, related_name="entries", verbose_name=_("hash list")
    )
    hash_type = models.CharField(
        max_length=8, choices=HashType.choices, verbose_name=_("hash type")
    )
    # Hex; for a video, the SHA-256 of its frames' hashes (the frames are in `frames`).
    value = models.CharField(max_length=64, verbose_name=_("value"))
    quality = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("quality"))
    frames = models.JSONField(
        default=list, blank=True, help_text="A video's frame PDQ hashes.", verbose_name=_("frames")
    )
    status = FSMField(
        max_length=16,
        choices=EntryStatus.choices,
        default=EntryStatus.ACTIVE,
        protected=True,
        verbose_name=_("status"),
    )
    evidence = models.ForeignKey(
        "notices.Evidence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hash_entries",
        verbose_name=_("evidence"),
    )
    order = models.ForeignKey(
        "notices.RemovalOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hash_entries",
        help_text="The order the content was ordered removed under, if any.",
        verbose_name=_("order"),
    )
    submitted_by_label = models.CharField(max_length=200, verbose_name=_("submitted by label"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    # Every change takes the next number, so platforms can sync by "changes since N".
    change_seq = models.PositiveBigIntegerField(unique=True, verbose_name=_("change seq"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    false_positive_reports = models.PositiveIntegerField(
        default=0, verbose_name=_("false positive reports")
    )
    matches = models.PositiveIntegerField(default=0, verbose_name=_("matches"))

    class Meta:
        verbose_name = _("hash entry")
        verbose_name_plural = _("hash entries")
        ordering = ["change_seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["hash_list", "hash_type", "value"], name="hash_once_per_list"
            )
        ]
        indexes = [
            models.Index(fields=["hash_type", "value"], name="hash_entry_value"),
            # A platform's sync: each list's changes after its position.
            models.Index(fields=["hash_list", "change_seq"], name="hash_entry_list_change"),
        ]

    def __str__(self) -> str:
        return f"{self.hash_type}:{self.value[:16]}…"

    @transition(
        field=status,
        source=[EntryStatus.ACTIVE, EntryStatus.QUARANTINED],
        target=EntryStatus.WITHDRAWN,
        permission=MANAGE,
    )
    def withdraw(self) -> None:
        """A victim, an agency or an officer takes the hash back: platforms drop it."""

    @transition(
        field=status,
        source=EntryStatus.ACTIVE,
        target=EntryStatus.QUARANTINED,
        permission=MANAGE,
        custom={"actors": {"job"}},
    )
    def quarantine(self) -> None:
        """Its false-positive reports or match rate spiked: not matched until reviewed."""

    @transition(
        field=status, source=EntryStatus.QUARANTINED, target=EntryStatus.ACTIVE, permission=MANAGE
    )
    def release(self) -> None:
        """Reviewed and kept."""


class AllowedHash(models.Model):
    """A hash known to collide with harmless content: never reported as a match."""

    hash_type = models.CharField(
        max_length=8, choices=HashType.choices, verbose_name=_("hash type")
    )
    value = models.CharField(max_length=64, verbose_name=_("value"))
    reason = models.CharField(max_length=300, verbose_name=_("reason"))
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("allowed hash")
        verbose_name_plural = _("allowed hashes")
        constraints = [
            models.UniqueConstraint(fields=["hash_type", "value"], name="allowed_hash_once")
        ]

    def __str__(self) -> str:
        return f"{self.hash_type}:{self.value[:16]}…"


class Match(models.Model):
    """A hash a platform asked about that matched an entry; named to it by an opaque id."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Matched")
        FOUND = "found", _("Reported found on the platform")
        FALSE_POSITIVE = "false_positive", _("Reported a false positive")

    public_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public id")
    )
    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="hash_matches",
        verbose_name=_("platform"),
    )
    entry = models.ForeignKey(
        HashEntry, on_delete=models.PROTECT, related_name="match_log", verbose_name=_("entry")
    )
    hash_type = models.CharField(
        max_length=8, choices=HashType.choices, verbose_name=_("hash type")
    )
    query = models.CharField(max_length=64, verbose_name=_("query"))
    distance = models.PositiveSmallIntegerField(verbose_name=_("distance"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.MATCHED, verbose_name=_("status")
    )
    url = models.URLField(max_length=2000, blank=True, verbose_name=_("url"))
    reupload_order = models.ForeignKey(
        "notices.RemovalOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reupload order"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at", "entry"], name="match_recent")]

    def __str__(self) -> str:
        return str(self.public_id)


class PlatformUsage(models.Model):
    """How a platform uses the lists: a platform that never checks stands out."""

    platform = models.OneToOneField(
        "registry.Platform",
        on_delete=models.CASCADE,
        related_name="hash_usage",
        verbose_name=_("platform"),
    )
    last_synced_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last synced at"))
    lookups = models.PositiveBigIntegerField(default=0, verbose_name=_("lookups"))
    matched = models.PositiveBigIntegerField(default=0, verbose_name=_("matched"))

    class Meta:
        verbose_name = _("platform usage")
        verbose_name_plural = _("platform usages")

    def __str__(self) -> str:
        return f"hash use of {self.platform_id}"


class PlatformHashUse(Platform):
    """Every platform with how it uses the lists, for the regulator's page: one that never
    syncs or looks up stands out."""

    class Meta:
        verbose_name = _("platform's use of hash lists")
        verbose_name_plural = _("platforms' use of hash lists")
        proxy = True
