"""An agency's key against every API route: it reaches the agency routes and nothing else,
and within them only its own requests; a forged or revoked agency key reaches nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies import services
from compliance.kernel.actors import Actor
from notices.models import Agency
from tests.portal.test_access_matrix import MULTIPART, TABLE, _request

AGENCY_ROUTES = {
    "agency-requests",
    "agency-request",
    "agency-referrals",
    "agency-referral",
    "agency-referral-acknowledge",
    "agency-referral-outcome",
    "agency-request-evidence",
    "agency-data-requests",
    "agency-data-request",
    "agency-data-file",
}


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def keys(officer, make_platform, make_order):
    staff = Actor.staff(officer)
    police = Agency.objects.get(kind="law_enforcement")
    own_row, own = services.agency_key_create(agency=police, actor=staff, name="own")
    _, other = services.agency_key_create(
        agency=Agency.objects.get(kind="ministry"), actor=staff, name="other"
    )
    revoked_row, revoked = services.agency_key_create(agency=police, actor=staff, name="old")
    services.agency_key_revoke(agency_key=revoked_row, actor=staff)
    platform = make_platform()
    request = services.takedown_request_submit(
        agency=police,
        actor=Actor.of_agency(police.pk),
        category="ncii",
        legal_basis="MR5 Art. 14(1)",
        urls=[f"https://{platform.domains.get().domain}/x"],
    )
    referral = services.referral_create(
        order=make_order(),
        agency=police,
        actor=staff,
        reason="For investigation.",
    )
    return {
        "referral": referral.pk,
        "own": own,
        "other": other,
        "revoked": revoked,
        "forged": f"cea_{own_row.prefix}_{'x' * 43}",
        "request": request.pk,
    }


# Every route but the agencies' own and the public ones (the ISPs' block list).
PLATFORM_ROUTES = sorted(
    route
    for route, (_, _, expected) in TABLE.items()
    if route not in AGENCY_ROUTES and expected["anonymous"] == 401
)


@pytest.mark.parametrize("route", PLATFORM_ROUTES)
def test_an_agency_key_reaches_no_platform_route(route, victim, keys):
    method, url, body = _request(route, victim)
    kind = "multipart" if route in MULTIPART else "json"
    response = getattr(_client(keys["own"]), method)(url, body, format=kind)
    assert response.status_code == 401


def test_agency_routes_per_caller(keys):
    detail = reverse("v1:agency-request", kwargs={"takedown_id": keys["request"]})
    expected = {
        "own": (200, 200),
        "other": (200, 404),
        "revoked": (401, 401),
        "forged": (401, 401),
    }
    for caller, (listed, read) in expected.items():
        client = _client(keys[caller])
        assert client.get("/api/v1/agency/requests/").status_code == listed, caller
        assert client.get(detail).status_code == read, caller
    assert APIClient().get(detail).status_code == 401


def test_referral_routes_per_caller(keys):
    read = reverse("v1:agency-referral", kwargs={"referral_id": keys["referral"]})
    acknowledge = reverse(
        "v1:agency-referral-acknowledge", kwargs={"referral_id": keys["referral"]}
    )
    for caller, status in {"forged": 401, "revoked": 401, "other": 404}.items():
        client = _client(keys[caller])
        assert client.get(read).status_code == status, caller
        assert client.post(acknowledge).status_code == status, caller
    own = _client(keys["own"])
    assert own.get(read).status_code == 200
    assert own.post(acknowledge).status_code == 200
