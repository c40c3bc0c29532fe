"""The real thing: celery beat (django-celery-beat's schedule) and a worker on Redis sweep a
due order, and the deliverer sends its letter."""

import os
import socket
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import requests
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from compliance.kernel.actors import Actor
from compliance.models import Notification
from fingerprints.hashing import image_pdq
from fingerprints.models import Fingerprint
from notices.models import Evidence, RemovalOrder
from registry.services import api_key_create
from tests.support import images
from tests.support.processes import celery, database_url, serving, web_server
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


@pytest.mark.django_db(transaction=True)
def test_a_worker_fingerprints_evidence_after_the_upload_commits(
    make_order, officer, broker, tmp_path
):
    """A platform uploads a capture to the web server, which only queues the task on the real
    broker; a worker computes the fingerprint."""
    order = make_order()
    _, key = api_key_create(platform=order.platform, actor=Actor.staff(officer), name="w")
    env = {"CELERY_BROKER_URL": broker, "VAR_DIR": str(tmp_path)}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = web_server(env=env, port=port, log=tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: serving(base), timeout=60, what="gunicorn to serve")
        item = order.items.first()
        response = requests.post(
            f"{base}/api/v1/orders/{order.reference}/items/{item.pk}/evidence/",
            files={"file": ("capture.png", images.png_bytes(images.shapes(2)), "image/png")},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert response.status_code == 201, response.text
    finally:
        server.terminate()
        server.wait(timeout=30)
    evidence = Evidence.objects.get(order=order)
    assert not Fingerprint.objects.filter(evidence=evidence).exists()  # not in the request
    worker = celery(
        "worker",
        "--concurrency",
        "1",
        "--pool",
        "solo",
        env={**os.environ, **env, "DATABASE_URL": database_url()},
        log=tmp_path / "worker.log",
    )
    try:
        wait_until(
            lambda: Fingerprint.objects.filter(evidence=evidence, status="done").exists(),
            timeout=90,
            what="the worker to fingerprint the upload",
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    fingerprint = Fingerprint.objects.get(evidence=evidence)
    assert fingerprint.pdq == image_pdq(images.shapes(2)).hex
    assert "fingerprints.fingerprint_compute" in (tmp_path / "worker.log").read_text()
