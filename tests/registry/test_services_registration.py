"""The registration state machine: every transition from every state, for every kind of actor."""

import pytest
from django.core.exceptions import ValidationError

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed
from compliance.models import DecisionRecord
from registry import services
from registry.models import Platform, RegistrationStatus

ALLOWED = {
    RegistrationStatus.UNREGISTERED: {"file_application", "block"},
    RegistrationStatus.PENDING: {"approve", "reject", "block"},
    RegistrationStatus.REGISTERED: {"require_update", "block"},
    RegistrationStatus.REJECTED: {"file_application"},
    RegistrationStatus.UPDATE_REQUIRED: {"accept_update", "warn", "block"},
    RegistrationStatus.WARNED: {"accept_update", "suspend", "block"},
    RegistrationStatus.SUSPENDED: {"accept_update", "revoke", "block"},
    RegistrationStatus.BLOCKED: {"normalize"},
    RegistrationStatus.REVOKED: set(),
}
TRANSITIONS = sorted(services.TRANSITION_SERVICES)
OFFICER_MAY = {"file_application", "approve", "reject", "require_update", "accept_update", "warn"}


def _in_state(platform: Platform, state: str) -> Platform:
    """Put a platform in any state for the matrix (the paths there are tested separately)."""
    Platform.objects.filter(pk=platform.pk).update(status=state)
    platform.refresh_from_db()
    return platform


def _run(name: str, platform: Platform, actor: Actor) -> Platform:
    return services.TRANSITION_SERVICES[name](platform=platform, actor=actor, reason="because")


@pytest.mark.parametrize("state", list(RegistrationStatus))
@pytest.mark.parametrize("name", TRANSITIONS)
def test_transition_matrix_for_a_supervisor(make_platform, supervisor, state, name):
    platform = _in_state(make_platform(), state)
    records = DecisionRecord.objects.count()
    actor = Actor.staff(supervisor)
    if name in ALLOWED[state]:
        result = _run(name, platform, actor)
        assert result.status != state
        assert DecisionRecord.objects.count() == records + 1
        assert DecisionRecord.objects.last().action == f"platform.{name}"
    else:
        with pytest.raises(TransitionNotAllowed) as error:
            _run(name, platform, actor)
        assert error.value.current_state == state
        platform.refresh_from_db()
        assert platform.status == state
        assert DecisionRecord.objects.count() == records


@pytest.mark.parametrize("name", TRANSITIONS)
def test_officer_may_decide_registration_but_not_sanction(make_platform, officer, name):
    state = next(s for s, names in ALLOWED.items() if name in names)
    platform = _in_state(make_platform(), state)
    if name in OFFICER_MAY:
        assert _run(name, platform, Actor.staff(officer)).status != state
    else:
        with pytest.raises(ActionForbidden):
            _run(name, platform, Actor.staff(officer))
        platform.refresh_from_db()
        assert platform.status == state


@pytest.mark.parametrize("name", TRANSITIONS)
def test_auditor_may_take_no_transition(make_platform, auditor, name):
    state = next(s for s, names in ALLOWED.items() if name in names)
    platform = _in_state(make_platform(), state)
    with pytest.raises(ActionForbidden):
        _run(name, platform, Actor.staff(auditor))


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("platform", {"file_application", "require_update"}),
        ("job", {"warn"}),
    ],
)
@pytest.mark.parametrize("name", TRANSITIONS)
def test_platforms_and_jobs_take_only_their_transitions(make_platform, actor, allowed, name):
    state = next(s for s, names in ALLOWED.items() if name in names)
    platform = _in_state(make_platform(), state)
    who = Actor.of_platform(platform) if actor == "platform" else Actor.scheduled_job("sweep")
    if name in allowed:
        assert _run(name, platform, who).status != state
        assert DecisionRecord.objects.last().actor_label == who.label
    else:
        with pytest.raises(ActionForbidden):
            _run(name, platform, who)


def test_inactive_staff_may_do_nothing(make_platform, supervisor):
    supervisor.is_active = False
    supervisor.save()
    with pytest.raises(ActionForbidden):
        services.platform_require_update(
            platform=make_platform(), actor=Actor.staff(supervisor), reason="x"
        )


def test_approval_issues_a_registration_number_once(make_platform, officer):
    platform = make_platform()
    number = platform.registration_number
    assert number is not None
    assert number.startswith(f"REG-{platform.registered_at.year}-")
    assert platform.registered_at is not None

    actor = Actor.staff(officer)
    services.platform_require_update(platform=platform, actor=actor, reason="new owner")
    platform = services.platform_accept_update(platform=platform, actor=actor)
    assert platform.registration_number == number


def test_registration_numbers_are_sequential_and_unique(make_platform):
    numbers = [make_platform().registration_number for _ in range(3)]
    tails = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert tails == [tails[0], tails[0] + 1, tails[0] + 2]


def test_full_registration_fault_path(make_platform, officer, supervisor, supervisor2):
    from compliance.sanctions import services as sanctions

    platform = make_platform()
    o = Actor.staff(officer)
    platform = services.platform_require_update(platform=platform, actor=o, reason="stale data")
    platform = services.platform_warn(platform=platform, actor=o, reason="no answer in 7 days")
    for kind, approver, status in [
        ("suspend", supervisor, RegistrationStatus.SUSPENDED),
        ("revoke", supervisor2, RegistrationStatus.REVOKED),
    ]:
        proposal = sanctions.registration_sanction_propose(
            platform=platform, actor=o, kind=kind, reason="still not fixed"
        )
        sanctions.registration_sanction_approve(sanction=proposal, actor=Actor.staff(approver))
        platform.refresh_from_db()
        assert platform.status == status
    history = DecisionRecord.objects.filter(
        object_id=str(platform.pk), content_type__model="platform"
    ).order_by("seq")
    assert [r.to_state for r in history][-4:] == [
        "update_required",
        "warned",
        "suspended",
        "revoked",
    ]


def test_block_counts_and_normalization_restores_registration(make_platform, officer, supervisor):
    from compliance.sanctions import services as sanctions

    platform = make_platform()
    for expected in (1, 2):
        block = sanctions.access_block_propose(
            platform=platform, actor=Actor.staff(officer), reason="order ignored"
        )
        sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor))
        platform.refresh_from_db()
        assert (platform.status, platform.times_blocked) == (RegistrationStatus.BLOCKED, expected)
        release = sanctions.access_block_lift_propose(
            block=block, actor=Actor.staff(officer), reason="complied"
        )
        sanctions.sanction_release_approve(release=release, actor=Actor.staff(supervisor))
        platform.refresh_from_db()
        assert platform.status == RegistrationStatus.REGISTERED


def test_unregistered_platform_is_blocked_directly_and_normalizes_to_review(
    make_platform, officer, supervisor
):
    from compliance.sanctions import services as sanctions

    platform = make_platform(registered=False)
    block = sanctions.access_block_propose(
        platform=platform, actor=Actor.staff(officer), reason="gambling site"
    )
    sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor))
    platform.refresh_from_db()
    assert platform.status == RegistrationStatus.BLOCKED
    release = sanctions.access_block_lift_propose(
        block=block, actor=Actor.staff(officer), reason="applied"
    )
    sanctions.sanction_release_approve(release=release, actor=Actor.staff(supervisor))
    platform.refresh_from_db()
    assert platform.status == RegistrationStatus.PENDING


def test_sanctions_cannot_be_applied_without_an_approved_proposal(
    make_platform, officer, supervisor
):
    """Four-eyes by any path: the direct services refuse a proposal not yet decided."""
    from compliance.sanctions import services as sanctions

    platform = make_platform()
    block = sanctions.access_block_propose(
        platform=platform, actor=Actor.staff(officer), reason="x"
    )
    proposal = sanctions.registration_sanction_propose(
        platform=platform, actor=Actor.staff(officer), kind="suspend", reason="x"
    )
    actor = Actor.staff(supervisor)
    with pytest.raises(ActionForbidden):
        services.platform_block(platform=platform, actor=actor, block=block)
    with pytest.raises(ActionForbidden):
        services.platform_suspend(platform=platform, actor=actor, sanction=proposal)
    with pytest.raises(ActionForbidden):
        services.platform_revoke(platform=platform, actor=actor, sanction=proposal)
    with pytest.raises(ActionForbidden):
        services.platform_normalize(platform=platform, actor=actor, block=block)
    platform.refresh_from_db()
    assert (platform.status, platform.times_blocked) == (RegistrationStatus.REGISTERED, 0)


@pytest.mark.parametrize("name", sorted(services.REASON_REQUIRED))
def test_burdening_decisions_need_a_reason(make_platform, supervisor, name):
    state = next(s for s, names in ALLOWED.items() if name in names)
    platform = _in_state(make_platform(), state)
    with pytest.raises(ValidationError):
        services.TRANSITION_SERVICES[name](
            platform=platform, actor=Actor.staff(supervisor), reason="  "
        )
    platform.refresh_from_db()
    assert platform.status == state


def test_a_stale_copy_cannot_overwrite_a_newer_state(make_platform, officer):
    platform = make_platform()
    stale = Platform.objects.get(pk=platform.pk)
    services.platform_require_update(platform=platform, actor=Actor.staff(officer), reason="x")
    # The service locks and re-reads the row, so the stale copy's state does not matter.
    with pytest.raises(TransitionNotAllowed):
        services.platform_require_update(platform=stale, actor=Actor.staff(officer), reason="y")


def test_status_cannot_be_assigned_directly(make_platform):
    platform = make_platform()
    with pytest.raises(AttributeError):
        platform.status = RegistrationStatus.REVOKED


def test_a_refusal_says_in_plain_words_who_may_not_do_what(make_platform, auditor):
    platform = make_platform()
    with pytest.raises(
        ActionForbidden, match=r"^user:auditor may not require update this platform\.$"
    ):
        services.platform_require_update(
            platform=platform, actor=Actor.staff(auditor), reason="New address."
        )


def test_a_transition_records_its_reason(make_platform, officer):
    platform = registry_pending(make_platform, officer)
    services.platform_reject(
        platform=platform, actor=Actor.staff(officer), reason="The record names no domain."
    )
    record = DecisionRecord.objects.filter(action="platform.reject").get()
    assert (record.reason, record.from_state, record.to_state) == (
        "The record names no domain.",
        "pending",
        "rejected",
    )


def registry_pending(make_platform, officer):
    return services.platform_file_application(
        platform=make_platform(registered=False), actor=Actor.staff(officer)
    )


def test_a_transition_from_the_wrong_state_says_which_state(make_platform, officer):
    with pytest.raises(
        TransitionNotAllowed, match=r"^Cannot approve a platform that is registered\.$"
    ):
        services.platform_approve(platform=make_platform(), actor=Actor.staff(officer))
