"""An agency's takedown request from intake to an issued order and its outcome, through the
agency's own key: de-duplicated by URL against open orders, triaged by an officer (accepted
into one draft order per platform, or declined with a reason), and followed by the agency.
The refusals write nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies import services
from agencies.models import TakedownRequest
from compliance.kernel.actors import Actor
from compliance.models import DecisionRecord
from notices import services as notices
from notices.models import Agency, RemovalOrder


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.get(kind="law_enforcement")


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def police(agency, officer) -> APIClient:
    _, key = services.agency_key_create(agency=agency, actor=Actor.staff(officer), name="cyber")
    return _client(key)


def _post(client: APIClient, urls: list[str], **extra) -> object:
    body = {"category": "ncii", "legal_basis": "MR5 Art. 14(1)", "urls": urls, **extra}
    return client.post("/api/v1/agency/requests/", body, format="json")


def test_from_intake_to_an_issued_order_and_its_outcome(police, make_platform, officer, agency):
    first, second = make_platform(), make_platform()
    urls = [
        f"https://{first.domains.get().domain}/v/1",
        f"https://www.{first.domains.get().domain}/v/2",
        f"https://{second.domains.get().domain}/p/9",
    ]
    made = _post(police, urls, description="Intimate images shared without consent.")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["status"] == "submitted"
    assert [i["platform"] for i in body["items"]] == [first.name, first.name, second.name]
    assert all(i["order"] is None for i in body["items"])

    request = TakedownRequest.objects.get(pk=body["id"])
    services.takedown_request_accept(request=request, actor=Actor.staff(officer))
    orders = RemovalOrder.objects.filter(agency=agency).order_by("pk")
    assert [(o.platform, o.items.count(), o.status) for o in orders] == [
        (first, 2, "draft"),
        (second, 1, "draft"),
    ]
    for order in orders:
        notices.order_issue(order=order, actor=Actor.staff(officer))
    done = orders[0]
    notices.order_items_report(
        order=done,
        actor=Actor.of_platform(first),
        reports=[notices.ItemReport(item_id=i.pk, action="removed") for i in done.items.all()],
    )
    followed = police.get(f"/api/v1/agency/requests/{body['id']}/").json()
    assert followed["status"] == "accepted"
    assert [(i["order"], i["order_status"], i["item_status"]) for i in followed["items"]] == [
        (done.reference, "complied", "removed"),
        (done.reference, "complied", "removed"),
        (orders[1].reference, "issued", "pending"),
    ]
    listed = police.get("/api/v1/agency/requests/").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert listed["next_cursor"] is None


def test_a_url_under_an_open_order_is_linked_not_ordered_again(police, make_order, officer):
    open_order = make_order()
    held = open_order.items.first().url
    fresh = f"https://{open_order.platform.domains.get().domain}/new"
    body = _post(police, [held, fresh]).json()
    assert [(i["already_ordered"], i["order"]) for i in body["items"]] == [
        (True, open_order.reference),
        (False, None),
    ]
    services.takedown_request_accept(
        request=TakedownRequest.objects.get(pk=body["id"]), actor=Actor.staff(officer)
    )
    new_orders = RemovalOrder.objects.exclude(pk=open_order.pk)
    assert [list(o.items.values_list("url", flat=True)) for o in new_orders] == [[fresh]]


def test_declined_with_a_reason_the_agency_reads(police, make_platform, officer):
    platform = make_platform()
    body = _post(police, [f"https://{platform.domains.get().domain}/x"]).json()
    services.takedown_request_decline(
        request=TakedownRequest.objects.get(pk=body["id"]),
        actor=Actor.staff(officer),
        reason="Lawful satire; no order.",
    )
    read = police.get(f"/api/v1/agency/requests/{body['id']}/").json()
    assert (read["status"], read["decline_reason"]) == ("declined", "Lawful satire; no order.")
    assert not RemovalOrder.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"category": "nope"}, 422, "category"),
        ({"urls": ["https://nowhere.example/x"]}, 422, "urls.0"),
        ({"urls": ["ftp://x.example/"]}, 400, "urls.0"),
        ({"urls": []}, 422, "urls"),
        ({"legal_basis": ""}, 400, "legal_basis"),
        ({"hashes": [{"hash_type": "video", "value": "ab"}]}, 400, "hashes.0.hash_type"),
        ({"hashes": [{"hash_type": "md5", "value": "zz"}]}, 422, "hashes.0.value"),
        ({"hashes": [{"hash_type": "md5", "value": "ab" * 16, "x": 1}]}, 400, "hashes.0.x"),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(police, make_platform, body, status, field):
    platform = make_platform()
    records = DecisionRecord.objects.count()
    payload = {
        "category": "ncii",
        "legal_basis": "MR5 Art. 14(1)",
        "urls": [f"https://{platform.domains.get().domain}/x"],
        **body,
    }
    response = police.post("/api/v1/agency/requests/", payload, format="json")
    assert response.status_code == status, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not TakedownRequest.objects.exists()
    assert DecisionRecord.objects.count() == records


def test_a_duplicate_request_is_refused_while_the_first_waits(police, make_platform):
    platform = make_platform()
    url = f"https://{platform.domains.get().domain}/x"
    first = _post(police, [url]).json()
    again = _post(police, [url])
    assert again.status_code == 409
    assert f"TR-{first['id']}" in again.json()["detail"]
    assert TakedownRequest.objects.count() == 1


def test_keys_reach_only_their_own(police, make_platform, officer, api):
    platform = make_platform()
    mine = _post(police, [f"https://{platform.domains.get().domain}/x"]).json()
    other_agency = Agency.objects.get(kind="ministry")
    _, other_key = services.agency_key_create(
        agency=other_agency, actor=Actor.staff(officer), name="ministry"
    )
    other = _client(other_key)
    assert other.get(f"/api/v1/agency/requests/{mine['id']}/").status_code == 404
    assert other.get("/api/v1/agency/requests/").json()["results"] == []
    # A platform's key is not an agency's, and an agency's is not a platform's.
    assert api.get("/api/v1/agency/requests/").status_code == 401
    assert police.get("/api/v1/orders/").status_code == 401


def test_a_revoked_key_is_refused(agency, officer):
    key_row, key = services.agency_key_create(agency=agency, actor=Actor.staff(officer), name="k")
    services.agency_key_revoke(agency_key=key_row, actor=Actor.staff(officer))
    assert _client(key).get("/api/v1/agency/requests/").status_code == 401


def test_a_retried_post_with_its_idempotency_key_is_answered_once(police, make_platform):
    platform = make_platform()
    body = {
        "category": "ncii",
        "legal_basis": "MR5 Art. 14(1)",
        "urls": [f"https://{platform.domains.get().domain}/x"],
    }
    first = police.post(
        "/api/v1/agency/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="tr-1"
    )
    again = police.post(
        "/api/v1/agency/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="tr-1"
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert TakedownRequest.objects.count() == 1
