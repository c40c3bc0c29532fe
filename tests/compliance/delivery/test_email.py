"""Delivering notifications (letters by e-mail): claimed once, sent once, retried with
backoff, then given up."""

import socket
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from compliance.delivery.email import (
    MAX_ATTEMPTS,
    backoff,
    notification_enqueue,
    notifications_deliver,
)
from compliance.models import Notification

T0 = datetime(2027, 8, 1, tzinfo=UTC)  # after the rows are queued (now)


@pytest.fixture
def queued(make_platform):
    platform = make_platform()
    return notification_enqueue(event="order.issued", platform=platform, subject="S", body="B")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sent_once_to_the_contacts(queued):
    assert notifications_deliver() == 1
    assert notifications_deliver() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [queued.platform.contacts.get().email]
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("sent", 1)


def test_failure_is_retried_with_backoff_then_succeeds(queued, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        _closed_port(),
        2,
    )
    assert notifications_deliver(now=T0 + timedelta(days=1)) == 0
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in queued.last_error
    assert queued.next_attempt_at == T0 + timedelta(days=1, minutes=1)
    assert notifications_deliver(now=T0 + timedelta(days=1, seconds=59)) == 0  # not yet due
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_deliver(now=T0 + timedelta(days=1, minutes=1)) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.last_error) == ("sent", 2, "")


def test_backoff_doubles_to_a_cap_over_about_a_day():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(20) == timedelta(hours=2)
    assert sum((backoff(n) for n in range(1, MAX_ATTEMPTS)), timedelta()) >= timedelta(hours=8)


def test_gives_up_after_the_last_attempt_and_shows_it(queued, settings):
    Notification.objects.filter(pk=queued.pk).update(attempts=MAX_ATTEMPTS - 1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    notifications_deliver(now=T0 + timedelta(days=1))
    queued.refresh_from_db()
    assert queued.status == "failed"


def test_a_claim_held_by_another_deliverer_is_skipped_until_it_expires(queued):
    now = T0 + timedelta(days=1)
    Notification.objects.filter(pk=queued.pk).update(
        status="sending", claimed_until=now + timedelta(minutes=5)
    )
    assert notifications_deliver(now=now) == 0
    assert notifications_deliver(now=now + timedelta(minutes=6)) == 1


def test_a_platform_without_contacts_fails_visibly(make_platform):
    platform = make_platform()
    platform.contacts.all().delete()
    notification = notification_enqueue(event="x", platform=platform, subject="S", body="B")
    notifications_deliver()
    notification.refresh_from_db()
    assert "no contact person" in notification.last_error


def test_deliver_command_refuses_a_moment_it_cannot_read(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="ISO-8601"):
        call_command("deliver", "--now", "yesterday")
