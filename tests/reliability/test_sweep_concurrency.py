"""Eight sweeps racing each other while the platform reports compliance on a third of the orders
at the same moment: every order ends escalated exactly once or complied, nothing doubled, no
report lost, the decision chain intact.

On PostgreSQL the sweeps claim with SKIP LOCKED and run truly in parallel, each thread on its
own connection; on SQLite the write lock serializes them (transaction_mode IMMEDIATE), which
must give the same result. `make stress` runs it at 10,000 orders, several rounds.
"""

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.utils import timezone

from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_chain_verify
from compliance.models import DecisionRecord, Notification, WarningLetter
from compliance.sweep.claim import orders_sweep
from notices import services as notices
from notices.models import OrderItem, OrderStatus, RemovalOrder
from tests.support import scale
from tests.support.cloning import orders_clone_due


def _race(targets: list[Callable[[], None]]) -> list[BaseException]:
    """Start every target at the same moment, each in its own thread with its own connection."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def run(target: Callable[[], None]) -> None:
        try:
            barrier.wait()
            target()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=1800)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return errors


@pytest.mark.parametrize("round_", range(scale.ROUNDS))
@pytest.mark.django_db(transaction=True)
def test_sweeps_and_reports_racing_escalate_each_order_once(round_, make_order):
    orders = orders_clone_due(make_order(), scale.ORDERS, prefix=f"RACE{round_}")
    platform = orders[0].platform
    reported = set(random.Random(round_).sample([o.pk for o in orders], len(orders) // 3))
    items: dict[int, list[int]] = defaultdict(list)
    for order_id, item_id in OrderItem.objects.filter(order_id__in=reported).values_list(
        "order_id", "id"
    ):
        items[order_id].append(item_id)
    now = timezone.now()
    reports: list[int] = []
    sweeps = []

    def sweep() -> None:
        sweeps.append(orders_sweep(now=now, batch_size=50))

    def report(order_ids: list[int]) -> None:
        actor = Actor.of_platform(platform)
        for order_id in order_ids:
            notices.order_items_report(
                order=RemovalOrder.objects.get(pk=order_id),
                actor=actor,
                reports=[notices.ItemReport(item_id=i, action="removed") for i in items[order_id]],
            )
            reports.append(order_id)

    # The sweeps claim oldest first; the reports start from the other end, so the two meet
    # somewhere in the middle: some orders are complied before their deadline is swept, some
    # while a sweep holds them, some after (a late compliance).
    ids = sorted(reported, reverse=True)
    errors = _race(
        [sweep] * scale.SWEEPERS + [lambda half=half: report(ids[half::2]) for half in (0, 1)]
    )

    assert errors == []
    assert sorted(reports) == sorted(ids), "every report was accepted"
    if connection.vendor == "postgresql":
        assert sum(1 for r in sweeps if r.escalated) > 1, "the sweeps should share the work"
    letters = Counter(WarningLetter.objects.values_list("order_id", flat=True))
    assert max(letters.values()) == 1, "no order got two letters"
    status = dict(RemovalOrder.objects.values_list("pk", "status"))
    for pk in reported:
        assert status[pk] == OrderStatus.COMPLIED, "a report was lost"
    for pk in set(status) - reported:
        assert status[pk] == OrderStatus.WARNED
        assert letters[pk] == 1
    # A report that came after the sweep is a late compliance: warned once, then complied.
    assert sum(r.escalated for r in sweeps) == len(letters)
    assert set(letters) >= set(status) - reported
    escalations = DecisionRecord.objects.filter(action="removalorder.escalate")
    assert escalations.count() == len(letters)
    assert Notification.objects.filter(event="order.escalated").count() == len(letters)
    assert len(set(WarningLetter.objects.values_list("number", flat=True))) == len(letters)
    assert DecisionRecord.objects.filter(action="orderitem.report").count() == sum(
        len(i) for i in items.values()
    )
    assert decision_chain_verify().ok
    print(
        f"\nrace: {len(status)} orders, {len(sweeps)} sweeps "
        f"({sum(1 for r in sweeps if r.escalated)} did work), {len(reports)} reports, "
        f"{len(letters)} escalated, {len(set(letters) & reported)} of them complied late"
    )
