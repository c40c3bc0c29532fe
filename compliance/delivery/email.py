"""Letters to platforms' contact persons by e-mail: queued with the decision, sent after it.

A notification is written in the transaction that decided it; the deliverer (queue.py) claims
it, sends it, and marks it; a failure is retried with exponential backoff, then given up and
shown in the admin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone

from compliance.delivery.letters import checkpoint_footer
from compliance.delivery.models import Notification
from compliance.delivery.queue import Channel, Outcome, deliveries_deliver, delivery_wake
from compliance.kernel.decisions import decision_checkpoint_latest
from compliance.kernel.models import OfficialLetter
from registry.models import Platform

TASK = "compliance.deliver_notifications"
CLAIM_FOR = timedelta(minutes=5)
MAX_ATTEMPTS = 12  # 1 min doubling to a 2 h cap: about a day of retries


def notification_enqueue(
    *,
    event: str,
    platform: Platform,
    subject: str,
    body: str,
    letter: OfficialLetter | None = None,
) -> Notification:
    """Queue a letter to the platform's contact persons; sent once the transaction commits
    and, if it carries an official letter, once that is rendered (attached as a PDF)."""
    now = timezone.now()
    notification = Notification.objects.create(
        event=event,
        platform=platform,
        subject=subject,
        body=body + checkpoint_footer(decision_checkpoint_latest()),
        letter=letter,
        created_at=now,
        next_attempt_at=now,
        recipients=list(platform.contacts.values_list("email", flat=True)),
    )
    delivery_wake(task=TASK)
    return notification


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=1) * 2 ** max(attempts - 1, 0), timedelta(hours=2))


def message_id(notification: Notification) -> str:
    """The same on every attempt: a letter re-sent after a crash (sent, then killed before it
    was marked) is recognisable as the same letter by any mail system."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<notification-{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{domain}>"


class EmailChannel(Channel[Notification]):
    model = Notification
    done_status = Notification.Status.SENT
    done_at = "sent_at"
    claim_for = CLAIM_FOR
    ready = Q(letter__isnull=True) | Q(letter__status=OfficialLetter.Status.RENDERED)
    # One letter at a time (the default): a deliverer killed mid-round re-sends at most the
    # one in flight.

    def prepare(self, deliveries: Sequence[Notification]) -> dict[int, Any]:
        """The PDFs to attach, read here (the sends run in threads without the database)."""
        attachments: dict[int, dict[int, tuple[str, bytes]]] = defaultdict(dict)
        carrying: dict[str, list[Notification]] = defaultdict(list)
        for delivery in deliveries:
            if delivery.letter_id:
                carrying[delivery.letter_id].append(delivery)
        for letter in OfficialLetter.objects.filter(number__in=carrying):
            with letter.file.open("rb") as pdf:
                attachment = (f"{letter.number}.pdf", pdf.read())
            for delivery in carrying[letter.number]:
                attachments[delivery.platform_id][delivery.pk] = attachment
        return dict(attachments)

    def send(self, delivery: Notification, context: Any) -> Outcome:
        try:
            if not delivery.recipients:
                raise ValueError("the platform has no contact person to write to")
            message = EmailMessage(
                delivery.subject,
                delivery.body,
                settings.DEFAULT_FROM_EMAIL,
                delivery.recipients,
                headers={"Message-ID": message_id(delivery)},
            )
            if delivery.letter_id:
                name, pdf = context[delivery.pk]
                message.attach(name, pdf, "application/pdf")
            message.send(fail_silently=False)
        except Exception as error:
            return Outcome(error=f"{type(error).__name__}: {error}")
        return Outcome(ok=True)

    def retry_after(self, attempts: int) -> timedelta | None:
        return None if attempts >= MAX_ATTEMPTS else backoff(attempts)


EMAIL = EmailChannel()


def notifications_deliver(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send the letters that are due; returns how many were sent."""
    return deliveries_deliver(channel=EMAIL, now=now, limit=limit)


def deliver_soon() -> None:
    """Wake the letter deliverer after commit (the sweep writes its letters in bulk)."""
    delivery_wake(task=TASK)
