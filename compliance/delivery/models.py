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

    event = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

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
        "registry.Platform", on_delete=models.PROTECT, related_name="notifications"
    )
    recipients = models.JSONField(default=list)
    # The official letter the e-mail carries as a PDF: it waits until the letter is rendered.
    letter = models.ForeignKey(
        "compliance.OfficialLetter",
        to_field="number",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)

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

    msg_id = models.CharField(max_length=40, unique=True)
    platform = models.ForeignKey(
        "registry.Platform", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

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
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["attempted_at"]

    def __str__(self) -> str:
        return f"{self.delivery} at {self.attempted_at}: {self.status_code or self.error}"
