"""Requesting agencies as actors (MR5 Art. 14(1)): their API keys, and the takedown requests
they send, which the regulator triages into removal orders."""

from __future__ import annotations

from datetime import datetime

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
