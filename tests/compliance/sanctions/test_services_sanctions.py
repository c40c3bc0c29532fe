"""Blocks, fines, normalization, registration faults: approvals, four-eyes, refusals."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden, FourEyesViolation, TransitionNotAllowed
from compliance.models import AccessBlock, DecisionRecord, Fine, NormalizationRequest
from compliance.sanctions import services as sanctions
from compliance.sanctions.selectors import blocklist_entries
from compliance.sweep.jobs import sweep_all
from notices import services as notices
from registry import services as registry

T0 = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def _sweeps(n: int, hours: int = 24) -> None:
    for k in range(1, n + 1):
        with time_machine.travel(T0 + timedelta(hours=hours * k), tick=False):
            sweep_all()


@pytest.fixture
def blocked_order(make_order, make_platform):
    """An order on a UGC platform taken up the whole ladder: two fines, a block proposed."""
    platform = make_platform(is_ugc=True)
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    _sweeps(4)
    order.refresh_from_db()
    # Proposed, not in force: the order shows where the ladder left it, its clock stopped.
    assert order.status == "fined"
    assert order.due_at is None
    return order


def _block(order) -> AccessBlock:
    return AccessBlock.objects.get(platform=order.platform)


def test_supervisor_puts_the_block_in_force(blocked_order, supervisor):
    block = sanctions.access_block_approve(
        block=_block(blocked_order), actor=Actor.staff(supervisor), reason="ladder exhausted"
    )
    platform = blocked_order.platform
    platform.refresh_from_db()
    assert (block.status, block.decided_by, block.in_force_at is not None) == (
        "in_force",
        supervisor,
        True,
    )
    assert (platform.status, platform.times_blocked) == ("blocked", 1)
    # In force: the order's content is still up, so it shows `blocked`, recorded as such.
    blocked_order.refresh_from_db()
    assert blocked_order.status == "blocked"
    record = DecisionRecord.objects.filter(object_id=str(blocked_order.pk)).last()
    assert (record.action, record.from_state, record.to_state) == (
        "removalorder.enforce_block",
        "fined",
        "blocked",
    )


def test_approving_twice_is_refused_and_changes_nothing(blocked_order, supervisor, supervisor2):
    block = _block(blocked_order)
    sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor))
    records = DecisionRecord.objects.count()
    with pytest.raises(TransitionNotAllowed):
        sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor2))
    blocked_order.platform.refresh_from_db()
    assert blocked_order.platform.times_blocked == 1
    assert DecisionRecord.objects.count() == records


def test_four_eyes_a_proposer_cannot_approve_their_own_block(
    make_platform, supervisor, supervisor2
):
    platform = make_platform(registered=False)
    block = sanctions.access_block_propose(
        platform=platform, actor=Actor.staff(supervisor), reason="illegal gambling site"
    )
    with pytest.raises(FourEyesViolation):
        sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor))
    block.refresh_from_db()
    assert block.status == "proposed"
    block = sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor2))
    assert block.status == "in_force"


def test_officers_and_auditors_cannot_approve(blocked_order, officer, auditor):
    for user in (officer, auditor):
        with pytest.raises(ActionForbidden):
            sanctions.access_block_approve(block=_block(blocked_order), actor=Actor.staff(user))
    assert _block(blocked_order).status == "proposed"


def test_rejected_block_leaves_the_platform_alone(blocked_order, supervisor):
    block = sanctions.access_block_reject(
        block=_block(blocked_order), actor=Actor.staff(supervisor), reason="court stay"
    )
    blocked_order.platform.refresh_from_db()
    assert block.status == "rejected"
    assert blocked_order.platform.status == "registered"


def test_lifting_a_block_not_in_force_is_refused(blocked_order, supervisor):
    with pytest.raises(TransitionNotAllowed):
        sanctions.access_block_lift_propose(
            block=_block(blocked_order), actor=Actor.staff(supervisor), reason="x"
        )


def test_later_orders_join_the_open_block(blocked_order, make_order):
    with time_machine.travel(T0, tick=False):
        second = make_order(platform=blocked_order.platform)
    _sweeps(4)
    second.refresh_from_db()
    assert second.status == "fined"
    block = _block(blocked_order)
    assert set(block.orders.all()) == {blocked_order, second}


# Fines.


def test_paying_a_waived_fine_is_refused(blocked_order, supervisor, supervisor2, officer):
    fine = Fine.objects.filter(order=blocked_order).first()
    release = sanctions.fine_waive_propose(
        fine=fine, actor=Actor.staff(supervisor), reason="first offence"
    )
    sanctions.sanction_release_approve(release=release, actor=Actor.staff(supervisor2))
    with pytest.raises(TransitionNotAllowed):
        sanctions.fine_confirm_payment(
            fine=fine, actor=Actor.staff(officer), payment_reference="TRX-9"
        )
    fine.refresh_from_db()
    assert (fine.status, fine.payment_reference) == ("waived", "")


def test_platform_declares_and_officer_confirms_payment(blocked_order, officer, make_platform):
    fine = Fine.objects.filter(order=blocked_order).first()
    with pytest.raises(ActionForbidden):
        sanctions.fine_declare_payment(
            fine=fine, actor=Actor.of_platform(make_platform()), payment_reference="X"
        )
    sanctions.fine_declare_payment(
        fine=fine, actor=Actor.of_platform(blocked_order.platform), payment_reference="BNI-42"
    )
    fine = sanctions.fine_confirm_payment(fine=fine, actor=Actor.staff(officer))
    assert (fine.status, fine.payment_reference) == ("paid", "BNI-42")
    assert fine.paid_at is not None


def test_only_supervisors_waive_and_a_reason_is_needed(blocked_order, officer, supervisor):
    fine = Fine.objects.filter(order=blocked_order).first()
    with pytest.raises(ValidationError):
        sanctions.fine_waive_propose(fine=fine, actor=Actor.staff(supervisor), reason="")
    release = sanctions.fine_waive_propose(fine=fine, actor=Actor.staff(officer), reason="nice")
    with pytest.raises(ActionForbidden):
        sanctions.sanction_release_approve(release=release, actor=Actor.staff(officer))
    fine.refresh_from_db()
    assert fine.status == "assessed"


def test_fines_needing_approval_wait_for_a_supervisor(make_order, make_platform, supervisor):
    from compliance.models import EscalationPolicy
    from compliance.policies.services import policy_save

    policy = EscalationPolicy.objects.get(is_default=True)
    policy.fines_need_approval = True
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=make_platform(is_ugc=True))
    _sweeps(2)
    fine = Fine.objects.get(order=order)
    assert fine.status == "proposed"
    assert sanctions.fine_approve(fine=fine, actor=Actor.staff(supervisor)).status == "assessed"


# Normalization.


@pytest.fixture
def in_force(blocked_order, supervisor):
    sanctions.access_block_approve(block=_block(blocked_order), actor=Actor.staff(supervisor))
    blocked_order.platform.refresh_from_db()
    return blocked_order


def _comply(order):
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        return notices.order_items_report(
            order=order,
            actor=Actor.of_platform(order.platform),
            reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in order.items.all()],
        )


def test_normalization_refused_until_complied_and_paid_then_granted(in_force, officer, supervisor):
    platform = in_force.platform
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        request = sanctions.normalization_request_file(
            platform=platform, actor=Actor.of_platform(platform), statement="all removed"
        )
    assert request.decide_by == T0 + timedelta(days=5, hours=48)
    with pytest.raises(ValidationError) as error:
        sanctions.normalization_grant(request=request, actor=Actor.staff(supervisor))
    assert f"Order {in_force.reference} is blocked." in error.value.messages
    _comply(in_force)
    with pytest.raises(ValidationError, match="Fine FN-"):
        sanctions.normalization_grant(request=request, actor=Actor.staff(supervisor))
    for fine in Fine.objects.filter(order=in_force):
        sanctions.fine_confirm_payment(fine=fine, actor=Actor.staff(officer), payment_reference="T")
    request = sanctions.normalization_grant(request=request, actor=Actor.staff(supervisor))
    platform.refresh_from_db()
    assert request.status == "granted"
    assert platform.status == "registered"
    assert _block(in_force).status == "lifted"


def test_normalization_refused_and_suggested_refusal_after_three_blocks(in_force, supervisor):
    platform = in_force.platform
    request = sanctions.normalization_request_file(
        platform=platform, actor=Actor.of_platform(platform), statement="removed"
    )
    assert not request.refusal_suggested
    type(platform).objects.filter(pk=platform.pk).update(times_blocked=4)
    request.refresh_from_db()
    assert request.refusal_suggested
    request = sanctions.normalization_refuse(
        request=request, actor=Actor.staff(supervisor), reason="blocked four times"
    )
    assert request.status == "refused"
    platform.refresh_from_db()
    assert platform.status == "blocked"


def test_normalization_four_eyes_and_one_open_request(in_force, supervisor):
    platform = in_force.platform
    request = sanctions.normalization_request_file(
        platform=platform, actor=Actor.staff(supervisor), statement="on the platform's behalf"
    )
    with pytest.raises(TransitionNotAllowed):
        sanctions.normalization_request_file(
            platform=platform, actor=Actor.of_platform(platform), statement="again"
        )
    _comply(in_force)
    with pytest.raises(FourEyesViolation):
        sanctions.normalization_grant(request=request, actor=Actor.staff(supervisor))


def test_normalization_needs_a_block_in_force(make_platform):
    platform = make_platform()
    with pytest.raises(TransitionNotAllowed):
        sanctions.normalization_request_file(
            platform=platform, actor=Actor.of_platform(platform), statement="x"
        )


def test_late_normalization_decisions_are_flagged_once(in_force):
    platform = in_force.platform
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        request = sanctions.normalization_request_file(
            platform=platform, actor=Actor.of_platform(platform), statement="done"
        )
    with time_machine.travel(request.decide_by - timedelta(seconds=1), tick=False):
        assert sweep_all().normalizations_flagged == 0
    with time_machine.travel(request.decide_by, tick=False):
        assert sweep_all().normalizations_flagged == 1
        assert sweep_all().normalizations_flagged == 0
    assert NormalizationRequest.objects.get().flagged_late_at == request.decide_by


# Registration faults (MR5 Art. 7).


def test_registration_fault_path_through_the_sweep(make_platform, officer, supervisor, supervisor2):
    platform = make_platform()
    with time_machine.travel(T0, tick=False):
        platform = registry.platform_require_update(
            platform=platform, actor=Actor.staff(officer), reason="new director not declared"
        )
    assert platform.fault_due_at == T0 + timedelta(days=14)
    with time_machine.travel(T0 + timedelta(days=14), tick=False):
        assert sweep_all().registration_faults == 1
    platform.refresh_from_db()
    assert (platform.status, platform.fault_due_at) == ("warned", T0 + timedelta(days=21))
    with time_machine.travel(T0 + timedelta(days=21), tick=False):
        sweep_all()
    proposal = platform.registration_sanctions.get()
    assert (proposal.kind, proposal.status, proposal.proposed_by_label) == (
        "suspend",
        "proposed",
        "job:escalation-sweep",
    )
    with time_machine.travel(T0 + timedelta(days=22), tick=False):
        sanctions.registration_sanction_approve(sanction=proposal, actor=Actor.staff(supervisor))
    platform.refresh_from_db()
    assert (platform.status, platform.fault_due_at) == ("suspended", T0 + timedelta(days=29))
    with time_machine.travel(T0 + timedelta(days=29), tick=False):
        sweep_all()
    revocation = platform.registration_sanctions.get(kind="revoke")
    sanctions.registration_sanction_approve(sanction=revocation, actor=Actor.staff(supervisor2))
    platform.refresh_from_db()
    assert platform.status == "revoked"
    # Revocation comes with an access block (Art. 7), in force at once: on the ISPs' feed.
    block = AccessBlock.objects.get(platform=platform)
    assert (block.status, block.cause, block.decided_by) == (
        "in_force",
        "registration",
        supervisor2,
    )
    domain = platform.domains.get().domain
    assert domain in [e["domain"] for e in blocklist_entries()]
    assert DecisionRecord.objects.filter(action="accessblock.approve", object_id=str(block.pk))


def test_fixing_the_record_stops_the_fault_clock(make_platform, officer):
    platform = make_platform()
    registry.platform_require_update(platform=platform, actor=Actor.staff(officer), reason="x")
    platform = registry.platform_accept_update(platform=platform, actor=Actor.staff(officer))
    assert platform.fault_due_at is None


def test_unregistered_platform_notice_then_block_proposal(make_platform, officer):
    platform = make_platform(registered=False)
    with time_machine.travel(T0, tick=False):
        registry.platform_notify_unregistered(
            platform=platform, actor=Actor.staff(officer), reason="Operating without registration."
        )
    with time_machine.travel(T0 + timedelta(days=7), tick=False):
        sweep_all()
    block = AccessBlock.objects.get(platform=platform)
    assert (block.status, block.proposed_by_label) == ("proposed", "job:escalation-sweep")
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        assert sweep_all().registration_faults == 0


# Temporary openings.


def _in_force(blocked_order, supervisor) -> AccessBlock:
    return sanctions.access_block_approve(
        block=_block(blocked_order), actor=Actor.staff(supervisor), reason="In force."
    )


def test_a_temporary_opening_ends_with_the_block_back_in_force(
    blocked_order, supervisor, supervisor2, client
):
    block = _in_force(blocked_order, supervisor)
    domain = blocked_order.platform.domains.get().domain
    now = timezone.now()
    sanctions.access_block_open_temporarily(
        block=block,
        actor=Actor.staff(supervisor2),
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=2),
        reason="Access for a court hearing.",
    )
    assert client.get("/api/v1/blocklist.txt").content.decode() == ""
    with time_machine.travel(now + timedelta(days=2, minutes=1), tick=False):
        assert sweep_all().openings_ended == 1
        assert client.get("/api/v1/blocklist.txt").content.decode() == f"{domain}\n"
    assert block.openings.get().outcome == "returned"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(5, 2, "closes_at"), (1, 3, "opens_at"), (-10, -5, "closes_at"), (1, 200, "closes_at")],
)
def test_a_bad_window_is_refused_naming_the_field(
    blocked_order, supervisor, supervisor2, start, end, field
):
    block = _in_force(blocked_order, supervisor)
    now = timezone.now()
    staff = Actor.staff(supervisor2)
    sanctions.access_block_open_temporarily(
        block=block,
        actor=staff,
        opens_at=now + timedelta(days=2),
        closes_at=now + timedelta(days=4),
        reason="First window.",
    )
    with pytest.raises(ValidationError) as refused:
        sanctions.access_block_open_temporarily(
            block=block,
            actor=staff,
            opens_at=now + timedelta(days=start),
            closes_at=now + timedelta(days=end),
            reason="Second window.",
        )
    assert field in refused.value.message_dict
    assert block.openings.count() == 1


def test_only_supervisors_open_a_block_and_only_one_in_force(blocked_order, officer, supervisor):
    now = timezone.now()
    window = {"opens_at": now, "closes_at": now + timedelta(days=1), "reason": "x"}
    with pytest.raises(TransitionNotAllowed):
        sanctions.access_block_open_temporarily(
            block=_block(blocked_order), actor=Actor.staff(supervisor), **window
        )
    block = _in_force(blocked_order, supervisor)
    with pytest.raises(ActionForbidden):
        sanctions.access_block_open_temporarily(block=block, actor=Actor.staff(officer), **window)
