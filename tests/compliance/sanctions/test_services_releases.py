"""Ending a sanction early, four-eyes like every sanction decision: one supervisor alone can
neither lift a block in force (which empties the ISP feed) nor waive a fine."""

import pytest

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden, FourEyesViolation, TransitionNotAllowed
from compliance.models import AccessBlock, DecisionRecord, Fine
from compliance.sanctions import services as sanctions
from compliance.sanctions.selectors import blocklist_entries


@pytest.fixture
def block_in_force(victim):
    return AccessBlock.objects.get(platform=victim.platform, status="in_force")


def test_one_supervisor_alone_cannot_lift_a_block(block_in_force, supervisor, client):
    release = sanctions.access_block_lift_propose(
        block=block_in_force, actor=Actor.staff(supervisor), reason="Court order 12/2026."
    )
    records = DecisionRecord.objects.count()
    with pytest.raises(FourEyesViolation):
        sanctions.sanction_release_approve(release=release, actor=Actor.staff(supervisor))
    block_in_force.refresh_from_db()
    assert block_in_force.status == "in_force"
    assert blocklist_entries(), "the ISP feed still lists the platform"
    assert DecisionRecord.objects.count() == records


def test_a_second_supervisor_lifts_it(block_in_force, supervisor, supervisor2):
    release = sanctions.access_block_lift_propose(
        block=block_in_force, actor=Actor.staff(supervisor), reason="Court order 12/2026."
    )
    sanctions.sanction_release_approve(release=release, actor=Actor.staff(supervisor2))
    block_in_force.refresh_from_db()
    block_in_force.platform.refresh_from_db()
    assert block_in_force.status == "lifted"
    assert block_in_force.platform.status == "registered"
    assert blocklist_entries() == []
    lifted = DecisionRecord.objects.get(action="accessblock.lift")
    assert lifted.actor_user == supervisor2
    assert lifted.links[0]["type"] == "compliance.sanctionrelease"


def test_one_supervisor_alone_cannot_waive_a_fine(victim, supervisor, supervisor2, officer):
    fine = Fine.objects.filter(order=victim).first()
    release = sanctions.fine_waive_propose(
        fine=fine, actor=Actor.staff(supervisor), reason="First offence."
    )
    with pytest.raises(FourEyesViolation):
        sanctions.sanction_release_approve(release=release, actor=Actor.staff(supervisor))
    with pytest.raises(ActionForbidden):
        sanctions.sanction_release_approve(release=release, actor=Actor.staff(officer))
    fine.refresh_from_db()
    assert fine.status in ("assessed", "overdue")
    sanctions.sanction_release_approve(release=release, actor=Actor.staff(supervisor2))
    fine.refresh_from_db()
    assert (fine.status, fine.waived_reason) == ("waived", "First offence.")


def test_a_rejected_proposal_changes_nothing_and_a_new_one_can_follow(
    block_in_force, supervisor, supervisor2
):
    release = sanctions.access_block_lift_propose(
        block=block_in_force, actor=Actor.staff(supervisor), reason="Mistake."
    )
    with pytest.raises(TransitionNotAllowed):
        sanctions.access_block_lift_propose(
            block=block_in_force, actor=Actor.staff(supervisor2), reason="Again."
        )
    sanctions.sanction_release_reject(
        release=release, actor=Actor.staff(supervisor2), reason="No court order attached."
    )
    block_in_force.refresh_from_db()
    assert block_in_force.status == "in_force"
    again = sanctions.access_block_lift_propose(
        block=block_in_force, actor=Actor.staff(supervisor2), reason="Order attached."
    )
    assert again.status == "proposed"


def test_the_lift_and_waive_steps_refuse_to_run_without_an_approved_decision(
    block_in_force, victim, supervisor
):
    release = sanctions.access_block_lift_propose(
        block=block_in_force, actor=Actor.staff(supervisor), reason="Court order."
    )
    with pytest.raises(FourEyesViolation):
        sanctions._block_lift(
            block=block_in_force,
            actor=Actor.staff(supervisor),
            reason="x",
            legal_basis="x",
            cause=release,
        )
    with pytest.raises(FourEyesViolation):
        sanctions._fine_waive(
            fine=Fine.objects.filter(order=victim).first(),
            actor=Actor.staff(supervisor),
            reason="x",
            cause=release,
        )
