"""Writing to the notification outbox and delivering from it.

A notification is written in the transaction that decided it; delivery happens after commit,
from the table: each row is claimed with a conditional update (so one deliverer sends it),
sent, and marked; a failure is retried with exponential backoff, then given up and shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.delivery.letters import checkpoint_footer
from compliance.delivery.models import Notification
from compliance.kernel.decisions import decision_checkpoint_latest
from registry.models import Platform

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=5)
MAX_ATTEMPTS = 12  # 1 min doubling to a 2 h cap: about a day of retries


def notification_enqueue(
    *, event: str, platform: Platform, subject: str, body: str
) -> Notification:
    """Queue a letter to the platform's contact persons; sent once the transaction commits."""
    now = timezone.now()
    notification = Notification.objects.create(
        event=event,
        platform=platform,
        subject=subject,
        body=body + checkpoint_footer(decision_checkpoint_latest()),
        created_at=now,
        next_attempt_at=now,
        recipients=list(platform.contacts.values_list("email", flat=True)),
    )
    deliver_soon()
    return notification


def deliver_soon() -> None:
    """Wake the deliverer after commit; if the broker is down, beat's next run delivers."""
    from compliance.tasks import deliver_notifications

    def kick() -> None:
        try:
            deliver_notifications.delay()
        except Exception:
            log.warning("could not reach the broker; notifications wait for the next run")

    transaction.on_commit(kick)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=1) * 2 ** max(attempts - 1, 0), timedelta(hours=2))


def notifications_due(*, now: datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(
        Q(status=Notification.Status.PENDING)
        | Q(status=Notification.Status.SENDING, claimed_until__lt=now),
        next_attempt_at__lte=now,
    )


def rows_claimed(
    due: Callable[[], QuerySet[Any]], *, now: datetime, hold_for: timedelta, limit: int
) -> Iterator[int]:
    """Ids of due rows this process claimed, oldest first: a conditional update each, so of
    several deliverers exactly one gets a row; a claim expires if its holder dies."""
    for pk in due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit]:
        if due().filter(pk=pk).update(status="sending", claimed_until=now + hold_for) == 1:
            yield pk


def message_id(notification: Notification) -> str:
    """The same on every attempt: a letter re-sent after a crash (sent, then killed before it
    was marked) is recognisable as the same letter by any mail system."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<notification-{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{domain}>"


def notifications_deliver(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send what is due; returns how many were sent. Safe to run in several workers at once."""
    now = now or timezone.now()
    sent = 0
    claimed = rows_claimed(
        lambda: notifications_due(now=now), now=now, hold_for=CLAIM_FOR, limit=limit
    )
    for pk in claimed:
        notification = Notification.objects.get(pk=pk)
        try:
            if not notification.recipients:
                raise ValueError("the platform has no contact person to write to")
            EmailMessage(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                notification.recipients,
                headers={"Message-ID": message_id(notification)},
            ).send(fail_silently=False)
        except Exception as error:
            attempts = notification.attempts + 1
            gave_up = attempts >= MAX_ATTEMPTS
            Notification.objects.filter(pk=pk).update(
                status=Notification.Status.FAILED if gave_up else Notification.Status.PENDING,
                attempts=attempts,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                next_attempt_at=now + backoff(attempts),
                claimed_until=None,
            )
            log.warning("notification %s failed (attempt %s): %s", pk, attempts, error)
            continue
        Notification.objects.filter(pk=pk).update(
            status=Notification.Status.SENT,
            attempts=notification.attempts + 1,
            sent_at=now,
            claimed_until=None,
            last_error="",
        )
        sent += 1
    return sent
