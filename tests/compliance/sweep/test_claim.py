"""The claim loop: orders another sweep holds are skipped, never waited for; every planned
change of state is one the order's state machine declares."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from compliance.sweep.claim import DECLARED, orders_sweep
from notices.models import CLOCK_STATES, RemovalOrder


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_skips_an_order_another_sweep_holds(make_order):
    """Bug caught: a claim without SKIP LOCKED queues behind the other sweep's batch (here
    until its lock timeout), so parallel sweeps wait for each other instead of sharing."""
    held, free = make_order(), make_order()
    RemovalOrder.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    locked, release = threading.Event(), threading.Event()

    def other_sweep() -> None:
        try:
            with transaction.atomic():
                RemovalOrder.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=other_sweep)
    holder.start()
    assert locked.wait(10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        report = orders_sweep(now=timezone.now())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        release.set()
        holder.join()
    assert (report.escalated, report.failed) == (1, 0)
    assert RemovalOrder.objects.get(pk=free.pk).status == "warned"
    assert RemovalOrder.objects.get(pk=held.pk).status == "issued", "left to its holder"


def test_the_sweep_plans_only_what_the_state_machine_declares():
    assert set(DECLARED) == set(CLOCK_STATES)
    for targets in DECLARED.values():
        # `blocked` comes only with a block in force (RemovalOrder.enforce_block), never from
        # the sweep.
        assert targets == {"warned", "fined"}
