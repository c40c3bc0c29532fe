"""A small enforcement history with known times (the `world` fixture), replayed through the real
services under a travelling clock, so every figure can be computed by hand
(tests/transparency/test_compute.py says how)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from compliance.kernel.actors import Actor
from compliance.sanctions.services import fine_confirm_payment, fine_declare_payment
from compliance.sweep.jobs import sweep_all
from notices import services as notices
from notices.models import ItemStatus, RemovalOrder
from registry.models import Platform
from transparency.periods import Period

# 10:00 in Jakarta on Monday 5 October 2026.
T0 = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
OCTOBER = Period.parse("2026-10")


def comply(order: RemovalOrder, at: datetime) -> RemovalOrder:
    with time_machine.travel(at, tick=False):
        return notices.order_items_report(
            order=order,
            actor=Actor.of_platform(order.platform),
            reports=[notices.ItemReport(i.pk, ItemStatus.REMOVED) for i in order.items.all()],
        )


@dataclass
class World:
    fast: Platform  # six NCII orders on time, one gambling order late
    slow: Platform  # three NCII orders left up: two letters each, the second with a fine
    fast_orders: list[RemovalOrder]
    slow_orders: list[RemovalOrder]


@pytest.fixture
def world(make_platform, make_order, officer) -> World:
    """Platform "Fast": orders F1-F6 (NCII) complied 1, 2, 3, 5, 8 and 13 hours after issue,
    F7 (gambling) missed its 24 h deadline (letter 1 at 25 h) and complied at 30 h; it objected
    to one item of F7 and the objection was rejected.
    Platform "Slow": orders S1-S3 (NCII) never complied: letter 1 at 25 h, letter 2 with a fine
    of Rp 100,000,000 per item (2 items) at 49 h; one fine paid at 60 h.
    Every order has 2 items and was issued by the ministry at T0."""
    fast = make_platform(name="Fast")
    slow = make_platform(name="Slow")
    with time_machine.travel(T0, tick=False):
        fast_orders = [make_order(platform=fast) for _ in range(6)]
        fast_orders.append(make_order(platform=fast, category="gambling"))
        slow_orders = [make_order(platform=slow) for _ in range(3)]
    for order, hours in zip(fast_orders, (1, 2, 3, 5, 8, 13), strict=False):
        comply(order, T0 + timedelta(hours=hours))
    late = fast_orders[6]
    with time_machine.travel(T0 + timedelta(hours=20), tick=False):
        objection = notices.objection_file(
            order=late,
            actor=Actor.of_platform(fast),
            reason="Licensed lottery.",
            items=[late.items.first()],
        )
        notices.objection_reject(
            objection=objection, actor=Actor.staff(officer), reason="Not licensed here."
        )
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        sweep_all()
    comply(late, T0 + timedelta(hours=30))
    with time_machine.travel(T0 + timedelta(hours=49), tick=False):
        sweep_all()
    fine = slow_orders[0].fines.get()
    with time_machine.travel(T0 + timedelta(hours=60), tick=False):
        fine_declare_payment(fine=fine, actor=Actor.of_platform(slow), payment_reference="TRX-1")
        fine_confirm_payment(fine=fine, actor=Actor.staff(officer))
    return World(fast, slow, fast_orders, slow_orders)
