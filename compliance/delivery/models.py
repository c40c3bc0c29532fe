"""What must reach a platform, written in the transaction that decided it and sent afterwards.

One family: a `Delivery` is one message to one platform by one channel, letters by e-mail
(`Notification`) or signed events to its webhook (`WebhookDelivery`, with its attempts logged
in `WebhookAttempt`). The broker only wakes the deliverer; what must be sent lives here, so a
lost broker message or a killed worker loses nothing (compliance/delivery/queue.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    """What every channel's rows share: when each is due, who holds it, how it went."""

    PENDING, SENDING, FAILED = "pending", "sending", "failed"

    event = models.CharField(max_length=64, verbose_name=_("event"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"))
    claimed_until = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed until"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        abstract = True


class Notification(Delivery):
    """A letter to the platform's contact persons, by e-mail."""

    class Status(models.TextChoices):
        PENDING = Delivery.PENDING, _("Pending")
        SENDING = Delivery.SENDING, _("Sending")
        SENT = "sent", _("Sent")
        FAILED = Delivery.FAILED, _("Failed (gave up)")

    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("platform"),
    )
    recipients = models.JSONField(default=list, verbose_name=_("recipients"))
    # The official letter the e-mail carries as a PDF: it waits until the letter is rendered.
    letter = models.ForeignKey(
        "compliance.OfficialLetter",
        to_field="number",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("letter"),
    )
    subject = models.CharField(max_length=300, verbose_name=_("subject"))
    body = models.TextField(verbose_name=_("body"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due",
                condition=models.Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.platform_id}: {self.subject}"


class WebhookDelivery(Delivery):
    """A signed event to the platform's webhook (Standard Webhooks)."""

    class Status(models.TextChoices):
        PENDING = Delivery.PENDING, _("Pending")
        SENDING = Delivery.SENDING, _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = Delivery.FAILED, _("Failed (gave up)")

    msg_id = models.CharField(max_length=40, unique=True, verbose_name=_("msg id"))
    platform = models.ForeignKey(
        "registry.Platform",
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
        verbose_name=_("platform"),
    )
    payload = models.JSONField(verbose_name=_("payload"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    last_status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("last status code")
    )
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_due",
                condition=models.Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.msg_id}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="log", verbose_name=_("delivery")
    )
    attempted_at = models.DateTimeField(verbose_name=_("attempted at"))
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("status code")
    )
    error = models.TextField(blank=True, verbose_name=_("error"))
    duration_ms = models.PositiveIntegerField(verbose_name=_("duration ms"))

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["attempted_at"]

    def __str__(self) -> str:
        return f"{self.delivery} at {self.attempted_at}: {self.status_code or self.error}"
