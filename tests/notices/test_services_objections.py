"""Objections: filed by the platform, the clock keeps running, an officer decides."""

import pytest
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed
from notices import services
from notices.models import Objection


@pytest.fixture
def objected(make_order):
    order = make_order(urls=[f"https://platform1.example/{n}" for n in range(3)])
    first, second, third = order.items.all()
    objection = services.objection_file(
        order=order,
        actor=Actor.of_platform(order.platform),
        reason="satire, not a deepfake",
        items=[first, second],
    )
    return order, objection, (first, second, third)


def test_filing_disputes_the_items_and_keeps_the_clock(objected):
    order, objection, (first, second, third) = objected
    order.refresh_from_db()
    assert order.status == "issued"
    assert order.clock_paused_at is None
    assert objection.status == "open"
    statuses = dict(order.items.values_list("pk", "status"))
    assert statuses == {first.pk: "disputed", second.pk: "disputed", third.pk: "pending"}


def test_upholding_withdraws_the_items_and_complies_when_the_rest_is_done(objected, officer):
    order, objection, (_, _, third) = objected
    services.order_items_report(
        order=order,
        actor=Actor.of_platform(order.platform),
        reports=[services.ItemReport(item_id=third.pk, action="removed")],
    )
    services.objection_uphold(objection=objection, actor=Actor.staff(officer), reason="satire")
    order.refresh_from_db()
    objection.refresh_from_db()
    assert objection.status == "upheld"
    assert objection.decision_reason == "satire"
    assert objection.decided_at is not None
    assert sorted(order.items.values_list("status", flat=True)) == [
        "removed",
        "withdrawn",
        "withdrawn",
    ]
    assert order.status == "complied"


def test_upholding_can_withdraw_the_whole_order(objected, officer):
    order, objection, _ = objected
    services.objection_uphold(
        objection=objection,
        actor=Actor.staff(officer),
        reason="wrong platform",
        withdraw_order=True,
    )
    order.refresh_from_db()
    assert order.status == "withdrawn"


def test_rejecting_puts_the_items_back_under_the_same_clock(objected, officer):
    order, objection, _ = objected
    due = order.due_at
    services.objection_reject(objection=objection, actor=Actor.staff(officer), reason="CSAM")
    order.refresh_from_db()
    assert set(order.items.values_list("status", flat=True)) == {"pending"}
    assert order.due_at == due


def test_decided_objection_cannot_be_decided_again(objected, officer):
    _, objection, _ = objected
    services.objection_reject(objection=objection, actor=Actor.staff(officer), reason="no")
    with pytest.raises(TransitionNotAllowed):
        services.objection_uphold(objection=objection, actor=Actor.staff(officer), reason="yes")
    assert Objection.objects.get().status == "rejected"


def test_only_staff_with_the_permission_decide(objected, auditor):
    order, objection, _ = objected
    for actor in (Actor.of_platform(order.platform), Actor.staff(auditor)):
        with pytest.raises(ActionForbidden):
            services.objection_uphold(objection=objection, actor=actor, reason="please")


def test_objection_needs_pending_items_of_the_order_and_a_reason(make_order):
    order = make_order()
    other = make_order()
    actor = Actor.of_platform(order.platform)
    with pytest.raises(ValidationError):
        services.objection_file(order=order, actor=actor, reason="x", items=[])
    with pytest.raises(ValidationError):
        services.objection_file(order=order, actor=actor, reason="x", items=[other.items.first()])
    with pytest.raises(ValidationError):
        services.objection_file(order=order, actor=actor, reason=" ", items=[order.items.first()])
    assert not Objection.objects.exists()


def test_no_objection_to_a_draft(make_order):
    order = make_order(issued=False)
    with pytest.raises(TransitionNotAllowed):
        services.objection_file(
            order=order,
            actor=Actor.of_platform(order.platform),
            reason="x",
            items=[order.items.first()],
        )
