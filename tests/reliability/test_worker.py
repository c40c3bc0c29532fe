"""The real thing: celery beat (django-celery-beat's schedule) and a worker on Redis sweep a
due order, and the deliverer sends its letter."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from compliance.models import Notification
from notices.models import RemovalOrder
from tests.support.processes import celery, database_url
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def broker():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    client.ping()  # fails the test clearly if Redis is down
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.mark.django_db(transaction=True)
def test_beat_scheduled_sweep_escalates_a_due_order(make_order, broker, tmp_path):
    order = make_order()
    RemovalOrder.objects.filter(pk=order.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    # The schedule is data: speed it up in django-celery-beat's table, as an operator would.
    task = PeriodicTask.objects.get(task="compliance.sweep.writer")
    task.interval, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    task.save()

    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "DATABASE_URL": database_url(),
        "VAR_DIR": str(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    worker = celery(
        "worker", "--concurrency", "1", "--pool", "solo", env=env, log=tmp_path / "worker.log"
    )
    beat = celery("beat", "--schedule", str(tmp_path / "beat"), env=env, log=tmp_path / "beat.log")
    try:
        wait_until(
            lambda: RemovalOrder.objects.get(pk=order.pk).status == "warned",
            timeout=90,
            what="the beat-scheduled sweep to escalate the order",
        )
        wait_until(
            lambda: Notification.objects.filter(event="order.escalated", status="sent").exists(),
            timeout=60,
            what="the worker to deliver the warning letter",
        )
    finally:
        for process in (beat, worker):
            process.terminate()
        for process in (beat, worker):
            process.wait(timeout=30)
    order.refresh_from_db()
    assert order.escalation_level == 1
    assert order.letters.count() == 1
    log = (tmp_path / "worker.log").read_text()
    assert "compliance.sweep.writer" in log
    assert "Warning letter 1" in log  # the console email backend printed the letter
