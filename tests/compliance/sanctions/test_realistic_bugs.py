"""Tests written against bugs that once left the whole suite green, one each.

Each names the bug it catches; applied to the code, the bug makes exactly that test fail.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.kernel.errors import FourEyesViolation
from compliance.models import AccessBlock, EscalationPolicy, Fine
from compliance.policies.services import policy_save
from compliance.sanctions import services as sanctions
from compliance.sanctions.selectors import normalization_blockers
from compliance.sweep.jobs import sweep_all
from notices import services as notices
from registry import services as registry

T0 = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def _sweep_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        sweep_all()


def _policy(supervisor, **changes) -> EscalationPolicy:
    policy = EscalationPolicy.objects.get(is_default=True)
    for name, value in changes.items():
        setattr(policy, name, value)
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    return policy


def test_paid_fines_count_towards_the_cap(make_order, make_platform, officer, supervisor):
    """Bug: the cap counted only `assessed` fines, so paying a fine reset its items' room."""
    _policy(supervisor, fine_cap_per_item=Decimal("250000000"))
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=make_platform(is_ugc=True))
    for day in (1, 2):  # letter 1, then letter 2 with 100,000,000 per item
        _sweep_at(T0 + timedelta(days=day))
    first = Fine.objects.get(order=order)
    sanctions.fine_confirm_payment(
        fine=first, actor=Actor.staff(officer), payment_reference="TRX-1"
    )
    _sweep_at(T0 + timedelta(days=3))  # letter 3: 200,000,000 per item, capped
    third = Fine.objects.filter(order=order).exclude(pk=first.pk).get()
    assert {Decimal(v) for v in third.item_amounts.values()} == {Decimal("150000000")}, (
        "250M cap less 100M paid"
    )


def test_overdue_fines_stand_in_the_way_of_normalization(make_order, make_platform, supervisor):
    """Bug: overdue fines counted as settled, so access was restored with fines unpaid."""
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=make_platform(is_ugc=True))
    for day in (1, 2, 3, 4):
        _sweep_at(T0 + timedelta(days=day))
    block = AccessBlock.objects.get(platform=order.platform)
    sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor))
    notices.order_items_report(
        order=order,
        actor=Actor.of_platform(order.platform),
        reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()],
    )
    _sweep_at(T0 + timedelta(days=40))  # both fines' payment periods have ended
    assert set(Fine.objects.filter(order=order).values_list("status", flat=True)) == {"overdue"}
    problems = normalization_blockers(block=block)
    assert [p for p in problems if "overdue" in p], problems
    request = sanctions.normalization_request_file(
        platform=order.platform, actor=Actor.of_platform(order.platform), statement="Removed."
    )
    with pytest.raises(ValidationError, match="Normalization cannot be granted yet"):
        sanctions.normalization_grant(request=request, actor=Actor.staff(supervisor))


def test_the_suspension_lasts_its_own_period(make_platform, officer, supervisor, supervisor2):
    """Bug: the suspension's period was read from the warning's (both 7 days by default)."""
    _policy(supervisor, registration_warning_days=3, suspension_days=10)
    platform = make_platform()
    with time_machine.travel(T0, tick=False):
        platform = registry.platform_require_update(
            platform=platform, actor=Actor.staff(officer), reason="New director."
        )
        platform = registry.platform_warn(platform=platform, actor=Actor.staff(officer), reason="x")
    assert platform.fault_due_at == T0 + timedelta(days=3)
    proposal = sanctions.registration_sanction_propose(
        platform=platform, actor=Actor.staff(supervisor), kind="suspend", reason="Lapsed."
    )
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        sanctions.registration_sanction_approve(sanction=proposal, actor=Actor.staff(supervisor2))
    platform.refresh_from_db()
    assert (platform.status, platform.fault_due_at) == ("suspended", T0 + timedelta(days=13))


def test_a_ladder_without_a_block_rung_stops_the_clock_once(make_order, supervisor):
    """Bug: the end-of-ladder check was off by one; a ladder without a block step then failed
    to plan and the order was retried every five minutes for ever."""
    _policy(
        supervisor,
        ladder=[{"action": "warning", "period_hours": 24, "urgent_period_hours": 4}],
    )
    with time_machine.travel(T0, tick=False):
        order = make_order()
    _sweep_at(T0 + timedelta(days=1))  # the one letter
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        summary = sweep_all()
    assert (summary.orders_escalated, summary.orders_failed) == (1, 0)
    order.refresh_from_db()
    assert (order.status, order.escalation_level, order.due_at) == ("warned", 1, None)
    last = order.letters.count()
    with time_machine.travel(T0 + timedelta(days=9), tick=False):
        assert sweep_all().orders_escalated == 0
    assert order.letters.count() == last == 1


def test_a_supervisor_cannot_approve_their_own_registration_sanction(
    make_platform, officer, supervisor, supervisor2
):
    """Bug: registration sanctions were approved without the four-eyes check."""
    platform = make_platform()
    platform = registry.platform_require_update(
        platform=platform, actor=Actor.staff(officer), reason="x"
    )
    platform = registry.platform_warn(platform=platform, actor=Actor.staff(officer), reason="x")
    proposal = sanctions.registration_sanction_propose(
        platform=platform, actor=Actor.staff(supervisor), kind="suspend", reason="Lapsed."
    )
    with pytest.raises(FourEyesViolation):
        sanctions.registration_sanction_approve(sanction=proposal, actor=Actor.staff(supervisor))
    with pytest.raises(FourEyesViolation):
        sanctions.registration_sanction_reject(
            sanction=proposal, actor=Actor.staff(supervisor), reason="No."
        )
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    sanctions.registration_sanction_approve(sanction=proposal, actor=Actor.staff(supervisor2))
    platform.refresh_from_db()
    assert platform.status == "suspended"
