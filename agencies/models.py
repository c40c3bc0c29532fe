"""Requesting agencies as actors (MR5 Art. 14(1)): their API keys, and the takedown requests
they send, which the regulator triages into removal orders."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.kernel.models import ApiKeyFields
from notices.models import Agency, ContentCategory, OrderItem
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
