"""Deciding sanctions in the admin: buttons per role, four-eyes, clear refusals."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from compliance.kernel.actors import Actor
from compliance.models import AccessBlock, Fine
from compliance.sanctions import services as sanctions
from compliance.sweep.jobs import sweep_all

T0 = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture
def login(client, officer, supervisor, supervisor2, auditor):
    users = {
        "officer": officer,
        "supervisor": supervisor,
        "supervisor2": supervisor2,
        "auditor": auditor,
    }

    def as_role(role):
        client.force_login(users[role])
        return client

    return as_role


@pytest.fixture
def escalated(make_order, make_platform):
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=make_platform(is_ugc=True))
    for day in range(1, 5):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            sweep_all()
    return order


def _url(model, view, *args):
    return reverse(f"admin:compliance_{model}_{view}", args=args)


@pytest.mark.parametrize("role", ["officer", "supervisor", "auditor"])
def test_sanction_pages_render_for_every_role(login, escalated, role):
    client = login(role)
    block = AccessBlock.objects.get()
    fine = Fine.objects.first()
    for url in [
        _url("accessblock", "changelist"),
        _url("accessblock", "change", block.pk),
        _url("fine", "changelist"),
        _url("fine", "change", fine.pk),
        _url("warningletter", "changelist"),
        _url("notification", "changelist"),
        _url("normalizationrequest", "changelist"),
        _url("registrationsanction", "changelist"),
    ]:
        assert client.get(url).status_code == 200, url
    # Celery's schedules, users and groups are the administrators'.
    for url in [
        reverse("admin:django_celery_beat_periodictask_changelist"),
        reverse("admin:auth_user_changelist"),
    ]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    ("role", "buttons"),
    [("supervisor", {"approve", "reject"}), ("officer", set()), ("auditor", set())],
)
def test_block_buttons_per_role(login, escalated, role, buttons):
    response = login(role).get(_url("accessblock", "change", AccessBlock.objects.get().pk))
    assert {t["name"] for t in response.context["transitions"]} == buttons


def test_supervisor_approves_in_the_admin_and_officer_cannot_forge_it(login, escalated):
    block = AccessBlock.objects.get()
    url = _url("accessblock", "transition", block.pk, "approve")
    response = login("officer").post(url, follow=True)
    assert "Your role does not allow this." in response.content.decode()
    block.refresh_from_db()
    assert block.status == "proposed"
    login("supervisor").post(url)
    block.refresh_from_db()
    assert block.status == "in_force"


def test_four_eyes_refusal_is_shown(login, make_platform, supervisor):
    platform = make_platform(registered=False)
    block = sanctions.access_block_propose(
        platform=platform, actor=Actor.staff(supervisor), reason="gambling"
    )
    url = _url("accessblock", "transition", block.pk, "approve")
    response = login("supervisor").post(url, follow=True)
    assert "someone other than its proposer" in response.content.decode()
    block.refresh_from_db()
    assert block.status == "proposed"
    login("supervisor2").post(url)
    block.refresh_from_db()
    assert block.status == "in_force"


def test_officer_confirms_payment_and_may_only_propose_a_waiver(login, escalated):
    fine = Fine.objects.first()
    client = login("officer")
    page = client.get(_url("fine", "change", fine.pk))
    assert {t["name"] for t in page.context["transitions"]} == {
        "confirm_payment",
        "propose_waiver",
    }
    client.post(_url("fine", "action", fine.pk, "confirm_payment"), {"payment_reference": "BRI-7"})
    fine.refresh_from_db()
    assert (fine.status, fine.payment_reference) == ("paid", "BRI-7")


def test_normalization_blockers_are_shown_and_grant_is_refused(login, escalated, supervisor):
    block = AccessBlock.objects.get()
    sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor))
    client = login("officer")
    client.post(
        _url("accessblock", "action", block.pk, "request_normalization"), {"statement": "done"}
    )
    request = block.normalizations.get()
    page = login("supervisor2").get(_url("normalizationrequest", "change", request.pk))
    assert f"Order {escalated.reference} is blocked." in page.content.decode()
    response = login("supervisor2").post(
        _url("normalizationrequest", "transition", request.pk, "grant"), follow=True
    )
    assert "Normalization cannot be granted yet." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "requested"


def test_a_supervisor_is_not_offered_approve_on_their_own_proposal(
    login, make_platform, supervisor
):
    block = sanctions.access_block_propose(
        platform=make_platform(), actor=Actor.staff(supervisor), reason="Repeated refusals."
    )
    url = _url("accessblock", "change", block.pk)
    assert login("supervisor").get(url).context["transitions"] == []
    assert {t["name"] for t in login("supervisor2").get(url).context["transitions"]} == {
        "approve",
        "reject",
    }
