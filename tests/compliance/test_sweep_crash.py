"""A sweep killed with SIGKILL in the middle, again and again, then run clean: every due order
is escalated exactly once, as if nothing had happened."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from compliance.decisions import decision_chain_verify
from compliance.models import DecisionRecord, Notification, WarningLetter
from notices.models import OrderItem, RemovalOrder
from tests.compliance.test_worker import _database_url
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 1500
KILLS = 3


def _clone_due_orders(template: RemovalOrder, count: int) -> None:
    """Copies of an issued order, due an hour ago (set-up only; the sweep is what is tested)."""
    fields = {
        f.attname: getattr(template, f.attname)
        for f in RemovalOrder._meta.concrete_fields
        if f.attname not in ("id", "reference")
    }
    fields["due_at"] = timezone.now() - timedelta(hours=1)
    orders = RemovalOrder.objects.bulk_create(
        RemovalOrder(**fields, reference=f"RO-CRASH-{n:06d}") for n in range(count)
    )
    OrderItem.objects.bulk_create(
        OrderItem(order=order, url=f"https://platform1.example/crash/{order.pk}")
        for order in orders
    )


def _sweep(batch_size: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url()}
    return subprocess.Popen(
        [sys.executable, "manage.py", "escalate", "--batch-size", str(batch_size)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_sweep_killed_halfway_escalates_each_order_exactly_once(make_order):
    template = make_order()
    RemovalOrder.objects.filter(pk=template.pk).update(due_at=timezone.now() - timedelta(hours=1))
    _clone_due_orders(template, ORDERS - 1)
    kills = 0
    for _ in range(KILLS):
        done_before = WarningLetter.objects.count()
        process = _sweep(batch_size=25)
        wait_until(
            lambda p=process, n=done_before: (
                WarningLetter.objects.count() > n or p.poll() is not None
            ),
            timeout=60,
            what="the sweep to commit a batch",
        )
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
    assert kills >= 1, "the sweep finished before it could be killed; raise ORDERS"
    assert WarningLetter.objects.count() < ORDERS, "killed sweeps must have left work undone"

    finish = _sweep(batch_size=500)
    output, _ = finish.communicate(timeout=120)
    assert finish.returncode == 0, output

    assert WarningLetter.objects.count() == ORDERS
    assert len(set(WarningLetter.objects.values_list("order_id", flat=True))) == ORDERS
    assert set(RemovalOrder.objects.values_list("status", "escalation_level")) == {("warned", 1)}
    assert DecisionRecord.objects.filter(action="removalorder.escalate").count() == ORDERS
    assert Notification.objects.filter(event="order.escalated").count() == ORDERS
    assert decision_chain_verify().ok
