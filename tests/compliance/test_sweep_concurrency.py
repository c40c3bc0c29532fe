"""Sweeps racing each other: every order escalated exactly once.

On PostgreSQL the sweeps claim with SKIP LOCKED and run truly in parallel; on SQLite the write
lock serializes them (transaction_mode IMMEDIATE), which must give the same result.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from compliance.decisions import decision_chain_verify
from compliance.models import DecisionRecord, Notification, WarningLetter
from compliance.sweep import orders_sweep
from notices.models import RemovalOrder

ORDERS = 120
SWEEPERS = 6


def _race(target, count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_escalate_each_order_once(make_order, make_platform):
    platform = make_platform()
    orders = [make_order(platform=platform) for _ in range(ORDERS)]
    now = timezone.now() + timedelta(days=1, minutes=1)
    reports = []
    errors = _race(lambda: reports.append(orders_sweep(now=now, batch_size=7)), SWEEPERS)

    assert errors == []
    assert sum(r.escalated for r in reports) == ORDERS
    if connection.vendor == "postgresql":
        assert sum(1 for r in reports if r.escalated) > 1, "the sweeps should share the work"
    assert WarningLetter.objects.count() == ORDERS
    assert set(RemovalOrder.objects.values_list("status", "escalation_level")) == {("warned", 1)}
    assert DecisionRecord.objects.filter(action="removalorder.escalate").count() == ORDERS
    assert Notification.objects.filter(event="order.escalated").count() == ORDERS
    assert len(set(WarningLetter.objects.values_list("number", flat=True))) == ORDERS
    assert decision_chain_verify().ok
    assert {o.pk for o in orders} == set(WarningLetter.objects.values_list("order_id", flat=True))
