"""The admin's first page: each role's work list, its counts equal to what its links list."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from assessments.services import risk_assessments_sweep
from backoffice.worklist import worklist
from compliance.kernel.actors import Actor
from compliance.sanctions import services as sanctions
from notices import services as notices
from registry import services as registry
from tests.support.assessments import assessment_for

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk(make_order, make_platform, officer, supervisor):
    """Orders due in 3 h, in 20 h and 2 h ago; a block proposed by `supervisor`; an open
    objection; a declared payment; a platform whose registration fault clock runs."""
    now = timezone.now()
    with time_machine.travel(now - timedelta(hours=21), tick=False):
        soon = make_order()  # due in 3 h
    with time_machine.travel(now - timedelta(hours=4), tick=False):
        make_order()  # due in 20 h
    with time_machine.travel(now - timedelta(hours=26), tick=False):
        late = make_order()  # due 2 h ago, the sweep not run yet
    notices.objection_file(
        order=soon, actor=Actor.of_platform(soon.platform), reason="Satire.",
        items=[soon.items.first()],
    )  # fmt: skip
    sanctions.access_block_propose(
        platform=make_platform(), actor=Actor.staff(supervisor), reason="Repeated refusals."
    )
    registry.platform_require_update(
        platform=make_platform(), actor=Actor.staff(officer), reason="Data location changed."
    )
    # Risk assessments: one to review, one never submitted (warned, then referred), and a
    # measure never reported on.
    assessment_for(make_platform(), submitted=True)
    assessment_for(make_platform())
    assessment_for(make_platform(), measured=True)
    risk_assessments_sweep(now=now + timedelta(days=30, minutes=1))
    risk_assessments_sweep(now=now + timedelta(days=45))
    return {"late": late}


def counts(user) -> dict[str, int]:
    return {e.label: e.count for e in worklist(user=user)}


def test_each_role_sees_its_own_work(desk, officer, supervisor, supervisor2):
    mine = counts(officer)
    assert mine["Orders due within 4 hours"] == 1
    assert mine["Orders due within 24 hours"] == 2
    assert mine["Overdue orders (the next sweep takes them up)"] == 1
    assert mine["Open objections"] == 1
    assert mine["Platforms whose registration fault clock runs"] == 1
    assert mine["Risk assessments to review"] == 1
    assert mine["Risk assessments referred for a sanction decision"] == 1
    assert mine["Mitigation measures not reported on in time"] == 1
    assert "Access blocks awaiting my approval" not in mine  # officers do not decide blocks
    # Four-eyes: the proposer's own block is not waiting for them, only for the other one.
    assert counts(supervisor)["Access blocks awaiting my approval"] == 0
    assert counts(supervisor2)["Access blocks awaiting my approval"] == 1


def test_every_count_links_to_a_list_of_exactly_those(desk, supervisor2):
    client = signed_in(supervisor2)
    for entry in worklist(user=supervisor2):
        response = client.get(entry.url)
        assert response.status_code == 200, entry.url
        listed = response.context["cl"].result_count
        if "awaiting my approval" in entry.label:
            assert listed >= entry.count, entry.label  # the list has the reviewer's own too
        else:
            assert listed == entry.count, entry.label


def test_the_first_page_shows_the_work_list_and_no_administrators_pages(desk, officer):
    page = signed_in(officer).get("/admin/").content.decode()
    assert "Orders due within 4 hours" in page
    assert "Periodic tasks" not in page
    assert ">Users<" not in page
    assert 'href="/transparency/"' in page  # "View site": the public pages


def test_letters_given_up_are_counted_and_listed(make_order, officer, settings):
    from compliance.documents import pdf
    from compliance.documents.render import MAX_ATTEMPTS, letters_render
    from compliance.kernel.models import OfficialLetter

    order = make_order()
    letter = OfficialLetter.objects.get(kind="order_notice", object_id=order.pk)
    OfficialLetter.objects.filter(pk=letter.pk).update(attempts=MAX_ATTEMPTS - 1)
    settings.LETTER_FONT_DIR = "/nonexistent"
    pdf._fonts.cache_clear()
    pdf._styles.cache_clear()
    try:
        letters_render()
    finally:
        pdf._fonts.cache_clear()
        pdf._styles.cache_clear()
    entry = next(
        e for e in worklist(user=officer) if e.label == "Letters that could not be rendered"
    )
    assert entry.count == 1
    listed = signed_in(officer).get(entry.url)
    assert [row.number for row in listed.context["cl"].result_list] == [letter.number]
