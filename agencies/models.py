"""Requesting agencies as actors (MR5 Art. 14(1)): their API keys, and the takedown requests
they send, which the regulator triages into removal orders."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.kernel.models import ApiKeyFields
from notices.models import Agency, ContentCategory, OrderItem, RemovalOrder
from registry.models import Platform


class AgencyKey(ApiKeyFields):
    """An agency's key to its part of the API, `cea_<prefix>_<secret>`: it reaches only that
    agency's requests."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("agency")
    )

    class Meta(ApiKeyFields.Meta):
        verbose_name = _("agency API key")
        verbose_name_plural = _("agency API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class TakedownRequest(models.Model):
    """A takedown request from an agency, waiting for the regulator's triage: accepted into
    draft orders (one per platform), or declined with a reason."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, waiting for triage")
        ACCEPTED = "accepted", _("Accepted into orders")
        MERGED = "merged", _("Merged into an open order")
        DECLINED = "declined", _("Declined")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="requests", verbose_name=_("agency")
    )
    category = models.ForeignKey(
        ContentCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    legal_basis = models.CharField(max_length=300, verbose_name=_("legal basis"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.SUBMITTED, verbose_name=_("status")
    )
    submitted_at = models.DateTimeField(verbose_name=_("submitted at"))
    triaged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("triaged at"))
    triaged_by_label = models.CharField(max_length=200, blank=True, verbose_name=_("triaged by"))
    decline_reason = models.TextField(blank=True, verbose_name=_("reason for declining"))

    class Meta:
        verbose_name = _("takedown request")
        verbose_name_plural = _("takedown requests")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("triage_takedownrequest", "Can triage takedown requests")]

    def __str__(self) -> str:
        return f"TR-{self.pk}"


class TakedownRequestHash(models.Model):
    """A fingerprint of the content a request names: sent as a hash only (an agency need not
    hand over the file) or taken from an evidence file it attached. One an open order's
    evidence carries already links the request to that order, as a URL does."""

    request = models.ForeignKey(
        TakedownRequest,
        on_delete=models.CASCADE,
        related_name="hashes",
        verbose_name=_("takedown request"),
    )
    hash_type = models.CharField(max_length=8, verbose_name=_("hash type"))
    value = models.CharField(max_length=64, verbose_name=_("value"))
    order = models.ForeignKey(
        RemovalOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("order"),
        help_text=_("The order carrying this content: an open order's already, or triage's."),
    )
    already_ordered = models.BooleanField(
        default=False,
        verbose_name=_("already ordered"),
        help_text=_("An open order's evidence had this fingerprint when the request came in."),
    )
    file = models.FileField(
        upload_to="takedown-requests/%Y/%m/",
        max_length=200,
        blank=True,
        verbose_name=_("evidence file"),
    )
    content_type = models.CharField(max_length=100, blank=True, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("size"))

    class Meta:
        verbose_name = _("takedown request fingerprint")
        verbose_name_plural = _("takedown request fingerprints")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "hash_type", "value"], name="request_hash_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hash_type}:{self.value[:16]}"


class TakedownRequestItem(models.Model):
    """One URL of a request: the platform it is on, and the order item that carries it, either
    an open order's already (linked at intake, not duplicated) or the one triage made."""

    request = models.ForeignKey(
        TakedownRequest,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("takedown request"),
    )
    url = models.URLField(max_length=2000, verbose_name=_("url"))
    platform = models.ForeignKey(
        Platform,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("platform"),
    )
    order_item = models.ForeignKey(
        OrderItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("order item"),
    )
    already_ordered = models.BooleanField(
        default=False,
        verbose_name=_("already ordered"),
        help_text=_("An open order held this URL when the request came in."),
    )

    class Meta:
        verbose_name = _("takedown request item")
        verbose_name_plural = _("takedown request items")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class Referral(models.Model):
    """A case the regulator refers to another agency (a CSAM order to the police, say), with a
    deadline to acknowledge it; the agency acknowledges and later reports the outcome."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("Waiting for the agency's acknowledgement")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged, outcome pending")
        CLOSED = "closed", _("Outcome reported")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("agency")
    )
    order = models.ForeignKey(
        RemovalOrder, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("order")
    )
    reason = models.TextField(verbose_name=_("reason"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.REFERRED, verbose_name=_("status")
    )
    referred_at = models.DateTimeField(verbose_name=_("referred at"))
    referred_by_label = models.CharField(max_length=200, verbose_name=_("referred by"))
    acknowledge_by = models.DateTimeField(verbose_name=_("acknowledge by"))
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    outcome = models.TextField(blank=True, verbose_name=_("outcome"))
    outcome_at = models.DateTimeField(null=True, blank=True, verbose_name=_("outcome reported at"))

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "order"],
                condition=models.Q(status__in=["referred", "acknowledged"]),
                name="referral_one_open_per_agency_and_order",
            )
        ]

    def __str__(self) -> str:
        return f"RF-{self.pk}"

    def acknowledged_late(self, now: datetime) -> bool:
        """Acknowledged after the deadline, or not yet and the deadline passed."""
        return (self.acknowledged_at or now) > self.acknowledge_by


class AgencyMember(models.Model):
    """A staff user who works for an agency: in the admin they see and send their agency's
    requests only, and answer its referrals."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agency_membership",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="members", verbose_name=_("agency")
    )

    class Meta:
        verbose_name = _("agency member")
        verbose_name_plural = _("agency members")
        ordering = ["agency", "user"]

    def __str__(self) -> str:
        return f"{self.user} ({self.agency})"


class DataRequest(models.Model):
    """A request for data a platform holds (MR5 Art. 21-46), from an authorised agency or the
    regulator itself, answered within the policy's days (5 calendar days) with files, or
    objected to with reasons. Unanswered, it climbs the policy's ladder for data requests."""

    class Kind(models.TextChoices):
        SUBSCRIBER = "subscriber", _("Subscriber data")
        TRAFFIC = "traffic", _("Traffic data")
        CONTENT = "content", _("Content")
        PERSONAL = "personal", _("Specific personal data")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the platform's answer")
        ANSWERED = "answered", _("Answered")
        OBJECTED = "objected", _("Objected to by the platform")

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="data_requests", verbose_name=_("platform")
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_requests",
        verbose_name=_("requesting agency"),
        help_text=_("Empty when the regulator itself requests."),
    )
    requested_by_label = models.CharField(max_length=200, verbose_name=_("requested by"))
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    legal_basis = models.CharField(max_length=300, verbose_name=_("legal basis"))
    description = models.TextField(
        verbose_name=_("description"), help_text=_("What data, of whom, for which period.")
    )
    court_order = models.FileField(
        upload_to="data-requests/court-orders/%Y/%m/",
        max_length=200,
        blank=True,
        verbose_name=_("court order"),
    )
    court_order_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("sha256"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    requested_at = models.DateTimeField(verbose_name=_("requested at"))
    answer_by = models.DateTimeField(verbose_name=_("answer by"))
    # The sweep's clock: the next rung is due then (empty once answered or the ladder ended).
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due at"))
    escalation_level = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("escalation level")
    )
    # The policy's ladder when the request was made: a later edit does not change its clock.
    ladder = models.JSONField(default=list, verbose_name=_("ladder"))
    referred_to_supervisor_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("referred to a supervisor at")
    )
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))
    answer_note = models.TextField(blank=True, verbose_name=_("answer note"))
    objection = models.TextField(blank=True, verbose_name=_("objection"))

    class Meta:
        verbose_name = _("data-access request")
        verbose_name_plural = _("data-access requests")
        ordering = ["-requested_at", "-pk"]
        permissions = [
            ("view_dataanswer", "Can read the files platforms answer data requests with")
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="data_request_clock")]

    def __str__(self) -> str:
        return f"DR-{self.pk}"

    @property
    def answered_late(self) -> bool:
        return self.answered_at is not None and self.answered_at > self.answer_by


class DataRequestFile(models.Model):
    """A file a platform answered with, kept with its SHA-256; only the requester and
    auditors read it, and every read is in the decision record."""

    request = models.ForeignKey(
        DataRequest, on_delete=models.PROTECT, related_name="files", verbose_name=_("request")
    )
    file = models.FileField(upload_to="data-requests/answers/%Y/%m/", max_length=200)
    name = models.CharField(max_length=200, verbose_name=_("name"))
    sha256 = models.CharField(max_length=64, verbose_name=_("sha256"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    uploaded_at = models.DateTimeField(verbose_name=_("uploaded at"))

    class Meta:
        verbose_name = _("data-access answer file")
        verbose_name_plural = _("data-access answer files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"
