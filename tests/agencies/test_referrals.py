"""A case referred to an agency: acknowledged in time or late (the lateness stays on the
record), then its outcome reported; only the agency it went to answers it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from agencies import services
from agencies.models import Referral
from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed
from compliance.models import DecisionRecord
from notices.models import Agency


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def police(db) -> Agency:
    return Agency.objects.get(kind="law_enforcement")


@pytest.fixture
def police_api(police, officer) -> APIClient:
    _, key = services.agency_key_create(agency=police, actor=Actor.staff(officer), name="k")
    return _client(key)


@pytest.fixture
def referral(make_order, police, officer) -> Referral:
    return services.referral_create(
        order=make_order(category="csam"),
        agency=police,
        actor=Actor.staff(officer),
        reason="Child sexual abuse material: for investigation.",
        acknowledge_hours=24,
    )


def test_acknowledged_in_time_then_the_outcome(police_api, referral):
    listed = police_api.get("/api/v1/agency/referrals/").json()
    [row] = listed["results"]
    assert (row["id"], row["status"], row["order"]) == (
        referral.pk,
        "referred",
        referral.order.reference,
    )
    assert row["urls"] == [i.url for i in referral.order.items.all()]
    assert row["acknowledged_late"] is False
    url = f"/api/v1/agency/referrals/{referral.pk}/"
    acknowledged = police_api.post(url + "acknowledge/")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_late"] is False
    closed = police_api.post(url + "outcome/", {"outcome": "Suspect charged."}, format="json")
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "Suspect charged.")
    actions = list(
        DecisionRecord.objects.filter(object_id=str(referral.pk), action__startswith="referral.")
        .order_by("seq")
        .values_list("action", "actor_kind")
    )
    assert actions == [
        ("referral.create", "user"),
        ("referral.acknowledge", "agency"),
        ("referral.outcome", "agency"),
    ]


def test_a_late_acknowledgement_stays_late(police_api, referral):
    url = f"/api/v1/agency/referrals/{referral.pk}/"
    with time_machine.travel(referral.acknowledge_by + timedelta(minutes=1), tick=False):
        assert police_api.get(url).json()["acknowledged_late"] is True
        police_api.post(url + "acknowledge/")
    assert police_api.get(url).json()["acknowledged_late"] is True
    assert DecisionRecord.objects.filter(
        action="referral.acknowledge", reason="Acknowledged late."
    ).exists()


def test_only_the_agency_it_went_to_answers(referral, officer, api):
    ministry = Agency.objects.get(kind="ministry")
    _, key = services.agency_key_create(agency=ministry, actor=Actor.staff(officer), name="m")
    other = _client(key)
    url = f"/api/v1/agency/referrals/{referral.pk}/"
    assert other.get(url).status_code == 404
    assert other.post(url + "acknowledge/").status_code == 404
    assert api.get(url).status_code == 401  # a platform's key
    with pytest.raises(ActionForbidden):
        services.referral_acknowledge(referral=referral, actor=Actor.of_agency(ministry.pk))
    referral.refresh_from_db()
    assert referral.status == "referred"


def test_out_of_order_answers_are_refused(police_api, referral):
    url = f"/api/v1/agency/referrals/{referral.pk}/"
    early = police_api.post(url + "outcome/", {"outcome": "Closed."}, format="json")
    assert early.status_code == 409
    assert police_api.post(url + "acknowledge/").status_code == 200
    assert police_api.post(url + "acknowledge/").status_code == 409
    blank = police_api.post(url + "outcome/", {"outcome": ""}, format="json")
    assert blank.status_code == 400
    assert blank.json()["errors"][0]["field"] == "outcome"
    assert Referral.objects.get(pk=referral.pk).outcome == ""


def test_referring_needs_an_issued_order_a_reason_and_no_open_referral(
    make_order, police, officer, referral
):
    staff = Actor.staff(officer)
    with pytest.raises(TransitionNotAllowed):
        services.referral_create(
            order=make_order(issued=False), agency=police, actor=staff, reason="x"
        )
    with pytest.raises(TransitionNotAllowed):
        services.referral_create(order=referral.order, agency=police, actor=staff, reason="x")
    with pytest.raises(services.ValidationError):
        services.referral_create(order=referral.order, agency=police, actor=staff, reason=" ")
    with pytest.raises(services.ValidationError):
        services.referral_create(
            order=make_order(), agency=police, actor=staff, reason="x", acknowledge_hours=0
        )
    assert Referral.objects.count() == 1
    assert referral.acknowledge_by - referral.referred_at == timedelta(hours=24)
    assert referral.referred_at <= timezone.now()
