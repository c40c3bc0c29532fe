"""Pausing the clock: a ledger of pauses, and `due_at` moved by exactly the paused time."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed
from notices import services
from notices.models import ClockPause, RemovalOrder

T0 = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)


def test_pause_and_resume_move_the_deadline_exactly(make_order, officer):
    actor = Actor.staff(officer)
    with time_machine.travel(T0, tick=False):
        order = make_order()
    due = order.due_at
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        order = services.order_clock_pause(order=order, actor=actor, reason="objection review")
    assert order.clock_paused_at == T0 + timedelta(hours=3)
    with time_machine.travel(T0 + timedelta(hours=5, seconds=1, microseconds=7), tick=False):
        order = services.order_clock_resume(order=order, actor=actor)
    assert order.due_at == due + timedelta(hours=2, seconds=1, microseconds=7)
    assert order.clock_paused_at is None
    pause = ClockPause.objects.get()
    assert (pause.paused_at, pause.resumed_at, pause.resumed_by) == (
        T0 + timedelta(hours=3),
        T0 + timedelta(hours=5, seconds=1, microseconds=7),
        officer,
    )


def test_cannot_pause_twice_or_resume_a_running_clock(make_order, officer):
    actor = Actor.staff(officer)
    order = make_order()
    with pytest.raises(TransitionNotAllowed):
        services.order_clock_resume(order=order, actor=actor)
    services.order_clock_pause(order=order, actor=actor, reason="x")
    with pytest.raises(TransitionNotAllowed):
        services.order_clock_pause(order=order, actor=actor, reason="x")
    assert ClockPause.objects.count() == 1


def test_draft_clock_cannot_be_paused_and_platforms_cannot_pause(make_order, officer, auditor):
    with pytest.raises(TransitionNotAllowed):
        services.order_clock_pause(
            order=make_order(issued=False), actor=Actor.staff(officer), reason="x"
        )
    order = make_order()
    for actor in (Actor.of_platform(order.platform), Actor.staff(auditor)):
        with pytest.raises(ActionForbidden):
            services.order_clock_pause(order=order, actor=actor, reason="x")


def test_compliance_while_paused_closes_the_pause(make_order, officer):
    with time_machine.travel(T0, tick=False):
        order = make_order()
        services.order_clock_pause(order=order, actor=Actor.staff(officer), reason="x")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        order = services.order_items_report(
            order=order,
            actor=Actor.of_platform(order.platform),
            reports=[
                services.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()
            ],
        )
    assert order.status == "complied"
    assert order.clock_paused_at is None
    assert ClockPause.objects.get().resumed_at == T0 + timedelta(hours=1)
    assert order.due_at == T0 + timedelta(hours=25)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(1, 10**9)), min_size=1, max_size=4))
def test_due_at_moves_by_the_sum_of_the_pauses(make_order, officer, gaps):
    """Any sequence of running and paused spans (in microseconds): due moves by the paused sum."""
    actor = Actor.staff(officer)
    with time_machine.travel(T0, tick=False):
        order = make_order()
    due, now, paused_total = order.due_at, T0, timedelta(0)
    for running_us, paused_us in gaps:
        now += timedelta(microseconds=running_us)
        with time_machine.travel(now, tick=False):
            services.order_clock_pause(order=order, actor=actor, reason="x")
        now += timedelta(microseconds=paused_us)
        paused_total += timedelta(microseconds=paused_us)
        with time_machine.travel(now, tick=False):
            services.order_clock_resume(order=order, actor=actor)
    order = RemovalOrder.objects.get(pk=order.pk)
    assert order.due_at == due + paused_total
    ledger = sum((p.resumed_at - p.paused_at for p in order.pauses.all()), start=timedelta(0))
    assert ledger == paused_total
