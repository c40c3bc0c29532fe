from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from compliance.kernel.actors import Actor
from compliance.models import Fine, NormalizationRequest
from compliance.sanctions import services as sanctions
from compliance.sweep.jobs import sweep_all

T0 = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def fined(make_order, make_platform, client_for):
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=make_platform(is_ugc=True))
    for day in (1, 2):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            sweep_all()
    return order, client_for(order.platform)


def test_fines_list_and_payment_declaration(fined, officer):
    order, api = fined
    [row] = api.get("/api/v1/fines/").json()["results"]
    assert (row["order"], row["status"], row["amount"]) == (
        order.reference,
        "assessed",
        "200000000.00",
    )
    paid = api.post(
        f"/api/v1/fines/{row['id']}/payment/", {"payment_reference": "BNI-1"}, format="json"
    ).json()
    assert paid["payment_reference"] == "BNI-1"
    assert paid["status"] == "assessed"  # an officer confirms
    sanctions.fine_confirm_payment(fine=Fine.objects.get(), actor=Actor.staff(officer))
    again = api.post(
        f"/api/v1/fines/{row['id']}/payment/", {"payment_reference": "BNI-2"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["current_state"] == "paid"


def test_each_declaration_is_kept_and_the_fine_reads_declared_until_confirmed(fined, officer):
    _, api = fined
    [row] = api.get("/api/v1/fines/").json()["results"]
    assert row["payment_status"] == "none"
    url = f"/api/v1/fines/{row['id']}"
    api.post(f"{url}/payment/", {"payment_reference": "BNI-1"}, format="json")
    second = api.post(f"{url}/payment/", {"payment_reference": "BNI-2"}, format="json").json()
    assert (second["payment_status"], second["status"]) == ("declared", "assessed")
    declarations = api.get(f"{url}/payments/").json()["results"]
    assert [(d["reference"], d["status"]) for d in declarations] == [
        ("BNI-2", "pending"),
        ("BNI-1", "superseded"),
    ]
    sanctions.fine_confirm_payment(fine=Fine.objects.get(), actor=Actor.staff(officer))
    assert api.get(f"{url}/payments/").json()["results"][0]["status"] == "confirmed"
    [row] = api.get("/api/v1/fines/").json()["results"]
    assert (row["payment_status"], row["status"]) == ("confirmed", "paid")


def test_another_platforms_payments_are_not_found(fined, make_platform, client_for):
    _, api = fined
    [row] = api.get("/api/v1/fines/").json()["results"]
    stranger = client_for(make_platform())
    response = stranger.get(f"/api/v1/fines/{row['id']}/payments/")
    assert response.status_code == 404


def test_detail_shows_letters_and_fines(fined):
    order, api = fined
    body = api.get(f"/api/v1/orders/{order.reference}/").json()
    assert [letter["level"] for letter in body["letters"]] == [1, 2]
    assert body["fines"][0]["number"].startswith("FN-")
    assert body["status"] == "fined"


def test_normalization_request_for_a_blocked_platform(fined, supervisor):
    order, api = fined
    for day in (3, 4):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            sweep_all()
    sanctions.access_block_approve(block=order.platform.blocks.get(), actor=Actor.staff(supervisor))
    response = api.post(
        "/api/v1/normalization-requests/", {"statement": "all removed"}, format="json"
    )
    assert response.status_code == 201
    assert NormalizationRequest.objects.get().proposed_by_label == f"platform:{order.platform_id}"
    assert (
        api.post(
            "/api/v1/normalization-requests/", {"statement": "again"}, format="json"
        ).status_code
        == 409
    )
