"""A re-upload becomes an order: from a platform's report or an officer's finding, linked to the
order it was removed under; a perceptual match alone is confirmed by an officer first; false
positives and match spikes put an entry under review."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed
from compliance.models import DecisionRecord
from compliance.policies.models import EscalationPolicy
from compliance.policies.services import policy_save
from fingerprints import services
from fingerprints.models import EntryStatus, HashEntry, Match
from notices import services as notices
from notices.models import OrderStatus, RemovalOrder
from tests.fingerprints.conftest import evidence_add
from tests.support import images


@pytest.fixture
def listed(make_order, staff, ncii_list):
    """An order's image evidence, its fingerprints in the NCII list."""
    order = make_order(category="ncii")
    evidence_add(order, staff, images.shapes(40))
    services.hash_entries_from_order(actor=staff, hash_list=ncii_list, order=order)
    return order


def found_on(platform, entry_type, listed, url=None):
    """`platform` matches the listed hash of `entry_type` and reports it found."""
    actor = Actor.of_platform(platform)
    entry = HashEntry.objects.get(order=listed, hash_type=entry_type)
    [result] = services.hashes_match(
        actor=actor, queries=[services.HashQuery(entry_type, entry.value)]
    )
    match_id = result.matches[0].match_id
    domain = platform.domains.first().domain
    draft = services.match_report_found(
        actor=actor, public_id=match_id, url=url or f"https://{domain}/p/99"
    )
    return match_id, draft


def test_a_pdq_match_reported_found_is_issued_once_an_officer_confirms(
    listed, make_platform, staff
):
    elsewhere = make_platform()
    match_id, draft = found_on(elsewhere, "pdq", listed)
    assert draft.status == OrderStatus.DRAFT
    assert (draft.platform, draft.reupload_of, draft.category) == (
        elsewhere,
        listed,
        listed.category,
    )
    assert draft.match_to_confirm
    assert draft.created_by is None
    assert [i.url for i in draft.items.all()] == [
        f"https://{elsewhere.domains.first().domain}/p/99"
    ]
    # The evidence, linked by its hash: the same bytes, a row of the new order.
    [copy] = draft.evidence.all()
    assert copy.sha256 == listed.evidence.get().sha256
    # The platform reads the description: nothing about the original order or its platform.
    assert listed.reference not in draft.description
    assert listed.platform.name not in draft.description
    assert Match.objects.get(public_id=match_id).status == Match.Status.FOUND

    with pytest.raises(ValidationError, match="perceptual hash alone"):
        notices.order_issue(order=draft, actor=staff)
    issued = notices.order_match_confirm_and_issue(
        order=draft, actor=staff, reason="Looked at it: the same image."
    )
    assert issued.status == OrderStatus.ISSUED
    assert issued.match_confirmed_by == staff.user
    assert DecisionRecord.objects.filter(
        action=Action.ORDER_MATCH_CONFIRM, object_id=str(draft.pk)
    ).exists()


def test_an_exact_match_is_issued_in_one_step(listed, make_platform, staff):
    _, draft = found_on(make_platform(), "sha256", listed)
    assert not draft.match_to_confirm
    issued = notices.order_issue(order=draft, actor=staff)
    assert issued.status == OrderStatus.ISSUED
    with pytest.raises(TransitionNotAllowed):
        notices.order_match_confirm_check(order=issued, actor=staff)


def test_a_policy_may_shorten_the_deadline_of_re_uploads(listed, make_platform, staff, supervisor):
    policy = EscalationPolicy.objects.get(is_default=True)
    policy.reupload_notice_hours = 2
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    _, draft = found_on(make_platform(), "md5", listed)
    issued = notices.order_issue(order=draft, actor=staff)
    assert issued.due_at - issued.issued_at == timedelta(hours=2)
    fresh = notices.order_issue(
        order=notices.order_create(
            actor=staff,
            platform=issued.platform,
            agency=issued.agency,
            category=issued.category,
            legal_basis="MR5 Art. 9(4)",
            items=[notices.ItemInput(url=f"https://{issued.platform.domains.first().domain}/n")],
        ),
        actor=staff,
    )
    assert fresh.due_at - fresh.issued_at > timedelta(hours=2)


def test_an_officer_opens_a_re_upload_order_from_an_entry(listed, make_platform, staff):
    platform = make_platform()
    entry = HashEntry.objects.get(order=listed, hash_type="pdq")
    draft = services.reupload_order_open(
        actor=staff,
        entry=entry,
        platform=platform,
        url=f"https://{platform.domains.first().domain}/found",
    )
    assert draft.reupload_of == listed
    assert draft.created_by == staff.user
    assert draft.match_to_confirm


def test_a_url_off_the_platform_leaves_nothing(listed, make_platform):
    before = RemovalOrder.objects.count()
    with pytest.raises(ValidationError):
        found_on(make_platform(), "sha256", listed, url="https://elsewhere.example/x")
    assert RemovalOrder.objects.count() == before
    assert Match.objects.get().status == Match.Status.MATCHED


def test_a_match_is_reported_once_and_only_by_its_platform(listed, make_platform):
    platform = make_platform()
    match_id, _ = found_on(platform, "sha256", listed)
    with pytest.raises(TransitionNotAllowed):
        services.match_report_false_positive(
            actor=Actor.of_platform(platform), public_id=match_id, note="Not it after all."
        )
    with pytest.raises(Match.DoesNotExist):
        services.match_report_found(
            actor=Actor.of_platform(make_platform()), public_id=match_id, url="https://x.example"
        )


def test_false_positive_reports_quarantine_an_entry(ncii_list, staff, make_platform, settings):
    settings.HASH_FALSE_POSITIVES_TO_QUARANTINE = 2
    [entry] = services.hash_entries_add(
        actor=staff, hash_list=ncii_list, hashes=[services.HashInput("md5", "cd" * 16)]
    )
    for _ in range(2):
        actor = Actor.of_platform(make_platform())
        [result] = services.hashes_match(
            actor=actor, queries=[services.HashQuery("md5", "cd" * 16)]
        )
        services.match_report_false_positive(
            actor=actor, public_id=result.matches[0].match_id, note="A harmless image."
        )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.QUARANTINED
    assert entry.false_positive_reports == 2
    record = DecisionRecord.objects.get(action=Action.HASH_QUARANTINE)
    assert record.actor_label == "job:hash-list-watch"
    assert "2 false-positive reports" in record.reason
    [result] = services.hashes_match(
        actor=Actor.of_platform(make_platform()), queries=[services.HashQuery("md5", "cd" * 16)]
    )
    assert not result.matched


def test_a_spike_of_matches_quarantines_an_entry(ncii_list, staff, platform_actor, settings):
    settings.HASH_MATCHES_PER_DAY_TO_QUARANTINE = 3
    [busy, calm] = services.hash_entries_add(
        actor=staff,
        hash_list=ncii_list,
        hashes=[services.HashInput("md5", "cd" * 16), services.HashInput("md5", "ce" * 16)],
    )
    for _ in range(3):
        services.hashes_match(actor=platform_actor, queries=[services.HashQuery("md5", "cd" * 16)])
    services.hashes_match(actor=platform_actor, queries=[services.HashQuery("md5", "ce" * 16)])
    assert services.entry_watch(now=timezone.now()) == 1
    busy.refresh_from_db()
    calm.refresh_from_db()
    assert (busy.status, calm.status) == (EntryStatus.QUARANTINED, EntryStatus.ACTIVE)
    assert busy.matches == 3
    # A day later the matches no longer count.
    assert services.entry_watch(now=timezone.now() + timedelta(days=2)) == 0


def test_only_the_platform_itself_reports(listed, staff):
    with pytest.raises(ActionForbidden):
        services.match_report_found(
            actor=staff, public_id=Match().public_id, url="https://x.example"
        )
