"""The broker and the database going away for real, and coming back.

Broker: a Redis of the test's own is stopped while orders fall due; once it is back, beat's
next sweep catches up on all of them, because deadlines live in the database, not in messages.
Database: a relay between the sweep and PostgreSQL is cut; the sweep exits non-zero with the
error, the batch in flight leaves nothing, and the next sweep finishes the job exactly once.
"""

import os
import socket
import subprocess
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from compliance.kernel.decisions import decision_chain_verify
from compliance.models import DecisionRecord, Notification, WarningLetter
from notices.models import RemovalOrder
from tests.support.cloning import orders_clone_due
from tests.support.processes import celery, database_url, manage
from tests.support.proxy import Relay
from tests.support.waiting import wait_until


class PrivateRedis:
    """A Redis server of this test's own, on a free port, that it may stop and start."""

    def __init__(self, tmp_path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=20, what="the private Redis to start")

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=20)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    if redis.process and redis.process.poll() is None:
        redis.stop()


@pytest.mark.django_db(transaction=True)
def test_sweep_catches_up_after_the_broker_was_down(make_order, private_redis, tmp_path):
    orders = orders_clone_due(make_order(), 50, prefix="BROKER")
    RemovalOrder.objects.update(due_at=timezone.now() + timedelta(days=1))  # none due yet
    task = PeriodicTask.objects.get(task="compliance.sweep.writer")
    task.interval, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    task.save()
    env = {
        **os.environ,
        "CELERY_BROKER_URL": private_redis.url,
        "DATABASE_URL": database_url(),
        "VAR_DIR": str(tmp_path),
    }
    worker = celery("worker", "--pool", "solo", env=env, log=tmp_path / "worker.log")
    beat = celery("beat", "--schedule", str(tmp_path / "beat"), env=env, log=tmp_path / "beat.log")
    try:
        wait_until(
            lambda: "compliance.sweep.writer" in (tmp_path / "worker.log").read_text(),
            timeout=60,
            what="the worker to run a first (empty) sweep",
        )
        private_redis.stop()
        # While the broker is down, every order falls due.
        RemovalOrder.objects.update(due_at=timezone.now() - timedelta(minutes=1))
        wait_until(
            lambda: (
                "Connection refused" in (tmp_path / "worker.log").read_text()
                or "Cannot connect" in (tmp_path / "worker.log").read_text()
            ),
            timeout=60,
            what="the worker to notice the broker is gone",
        )
        assert set(RemovalOrder.objects.values_list("status", flat=True)) == {"issued"}
        private_redis.start()
        wait_until(
            lambda: RemovalOrder.objects.filter(status="warned").count() == len(orders),
            timeout=120,
            what="the sweep to catch up once the broker is back",
        )
    finally:
        for process in (beat, worker):
            process.terminate()
        for process in (beat, worker):
            process.wait(timeout=30)
    assert WarningLetter.objects.count() == len(orders)
    assert decision_chain_verify().ok


def _consistent() -> int:
    """Everything a batch writes is there for every escalated order, or not at all."""
    warned = RemovalOrder.objects.filter(status="warned").count()
    assert WarningLetter.objects.count() == warned
    assert DecisionRecord.objects.filter(action="removalorder.escalate").count() == warned
    assert Notification.objects.filter(event="order.escalated").count() == warned
    assert decision_chain_verify().ok
    return warned


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sweep_without_its_database_fails_loudly_changes_nothing_and_recovers(make_order):
    orders = orders_clone_due(make_order(), 1500, prefix="DBDOWN")
    relay = Relay(("127.0.0.1", int(connection.settings_dict["PORT"] or 5432)))
    through_relay = database_url(port=relay.port)
    try:
        relay.cut()
        unreachable = manage("escalate", database=through_relay)
        output, _ = unreachable.communicate(timeout=120)
        assert unreachable.returncode != 0
        assert "OperationalError" in output
        assert _consistent() == 0

        relay.restore()
        cut_midway = manage("escalate", "--batch-size", "10", database=through_relay)
        wait_until(
            lambda: WarningLetter.objects.exists() or cut_midway.poll() is not None,
            timeout=120,
            what="the sweep to commit a batch",
            every=0.01,
        )
        relay.cut()
        output, _ = cut_midway.communicate(timeout=120)
        assert cut_midway.returncode != 0, output
        assert "OperationalError" in output
        done = _consistent()
        assert 0 < done < len(orders)
        assert not RemovalOrder.objects.filter(
            status="issued", due_at__gt=timezone.now()
        ).exists(), "an outage is not a bad order: nothing is pushed back"

        relay.restore()
        recovered = manage("escalate", database=through_relay)
        output, _ = recovered.communicate(timeout=300)
        assert recovered.returncode == 0, output
    finally:
        relay.close()
    assert _consistent() == len(orders)
