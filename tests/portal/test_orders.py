"""The order endpoints: success and error paths."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.models import DecisionRecord
from notices.models import Evidence, Objection, RemovalOrder
from tests.support.images import TINY_PNG

PNG = TINY_PNG


def _url(order, tail=""):
    return f"/api/v1/orders/{order.reference}/{tail}"


def test_list_shows_served_orders_with_items(api, order, make_order):
    draft = make_order(platform=order.platform, issued=False)
    body = api.get("/api/v1/orders/").json()
    assert [o["reference"] for o in body["results"]] == [order.reference]
    assert draft.reference not in str(body)
    [row] = body["results"]
    assert row["status"] == "issued"
    assert row["category"] == "ncii"
    assert [i["status"] for i in row["items"]] == ["pending", "pending"]


def test_filters_and_cursor_pages(api, order, make_order):
    urgent = make_order(platform=order.platform, category="csam")
    for _ in range(3):
        make_order(platform=order.platform)
    assert [o["reference"] for o in api.get("/api/v1/orders/?urgent=true").json()["results"]] == [
        urgent.reference
    ]
    assert api.get("/api/v1/orders/?category=csam").json()["results"][0]["reference"] == (
        urgent.reference
    )
    soon = (timezone.now() + timedelta(hours=5)).isoformat()
    assert [
        o["reference"] for o in api.get("/api/v1/orders/", {"due_before": soon}).json()["results"]
    ] == [urgent.reference]
    first = api.get("/api/v1/orders/?page_size=2").json()
    second = api.get(first["next"]).json()
    seen = [o["reference"] for o in first["results"] + second["results"]]
    assert len(seen) == 4
    assert len(set(seen)) == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=nope", "status"), ("due_before=yesterday", "due_before"), ("colour=red", "colour")],
)
def test_bad_filters_are_400_with_field_errors(api, query, field):
    response = api.get(f"/api/v1/orders/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_detail_has_items_deadlines_letters_and_fines(api, order):
    body = api.get(_url(order)).json()
    assert body["reference"] == order.reference
    assert body["due_at"] is not None
    assert body["letters"] == []
    assert body["fines"] == []
    assert body["requested_by"] == order.agency.name


def test_acknowledge_then_again_is_409_with_state(api, order):
    assert api.post(_url(order, "acknowledge/")).json()["status"] == "acknowledged"
    again = api.post(_url(order, "acknowledge/"))
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert again.json()["current_state"] == "acknowledged"


def test_report_one_item_with_evidence(api, order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first, second = order.items.all()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        _url(order, f"items/{first.pk}/report/"),
        {"action": "removed", "note": "gone"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "issued"
    uploaded = api.post(
        _url(order, f"items/{first.pk}/evidence/"),
        {"file": SimpleUploadedFile("s.png", PNG), "description": "screenshot"},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.json()
    assert uploaded.json()["content_type"] == "image/png"
    assert Evidence.objects.get().item == first
    response = api.post(
        _url(order, f"items/{second.pk}/report/"), {"action": "geo_blocked"}, format="json"
    )
    assert response.json()["status"] == "complied"


def test_bulk_report_is_all_or_nothing_with_errors_by_item(api, order, make_order):
    first, second = order.items.all()
    stranger = make_order().items.first()
    records = DecisionRecord.objects.count()
    response = api.post(
        _url(order, "items/report/"),
        {
            "items": [
                {"item_id": first.pk, "action": "removed"},
                {"item_id": stranger.pk, "action": "removed"},
                {"item_id": second.pk, "action": "deleted"},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"items.2.action"}
    response = api.post(
        _url(order, "items/report/"),
        {
            "items": [
                {"item_id": first.pk, "action": "removed"},
                {"item_id": stranger.pk, "action": "removed"},
            ]
        },
        format="json",
    )
    assert response.status_code == 422  # well formed; the rules refuse a stranger's item
    assert {e["field"] for e in response.json()["errors"]} == {str(stranger.pk)}
    assert DecisionRecord.objects.count() == records
    ok = api.post(
        _url(order, "items/report/"),
        {
            "items": [
                {"item_id": first.pk, "action": "removed"},
                {"item_id": second.pk, "action": "not_found"},
            ]
        },
        format="json",
    )
    assert ok.json()["status"] == "complied"


def test_bulk_report_has_a_cap(api, order):
    response = api.post(
        _url(order, "items/report/"),
        {"items": [{"item_id": 1, "action": "removed"}] * 501},
        format="json",
    )
    assert response.status_code == 400


def test_unknown_fields_are_refused(api, order):
    item = order.items.first()
    response = api.post(
        _url(order, f"items/{item.pk}/report/"),
        {"action": "removed", "actioned_by": "bob"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "actioned_by", "message": "Unknown field."}]


def test_objection(api, order):
    item = order.items.first()
    response = api.post(
        _url(order, "objections/"), {"reason": "satire", "items": [item.pk]}, format="json"
    )
    assert response.status_code == 201
    assert Objection.objects.get().items.get() == item
    assert api.get(_url(order)).json()["objections"][0]["status"] == "open"


def test_too_large_body_is_413(api, order, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(
        _url(order, "objections/"), {"reason": "x" * 5000, "items": [1]}, format="json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_report_received_before_the_deadline_counts_even_if_the_sweep_runs_after(api, order):
    from compliance.sweep.jobs import sweep_all

    due = order.due_at
    reports = [{"item_id": i.pk, "action": "removed"} for i in order.items.all()]
    import time_machine

    with time_machine.travel(due - timedelta(milliseconds=1), tick=False):
        assert (
            api.post(_url(order, "items/report/"), {"items": reports}, format="json").status_code
            == 200
        )
    with time_machine.travel(due, tick=False):
        assert sweep_all().orders_escalated == 0
    assert RemovalOrder.objects.get(pk=order.pk).status == "complied"


def test_platform_record_and_declared_change(api, order):
    body = api.get("/api/v1/platform/").json()
    assert body["status"] == "registered"
    assert body["domains"] == ["platform1.example"]
    changed = api.post("/api/v1/platform/changes/", {"description": "new address"}, format="json")
    assert changed.json()["platform_status"] == "update_required"
    again = api.post("/api/v1/platform/changes/", {"description": "again"}, format="json")
    assert again.status_code == 409


def test_webhook_url_must_be_https_outside_debug(api, settings):
    settings.DEBUG = False
    bad = api.put("/api/v1/webhook/", {"url": "http://hooks.example/in"}, format="json")
    assert bad.status_code == 422
    good = api.put("/api/v1/webhook/", {"url": "https://hooks.example/in"}, format="json")
    assert good.json()["secret"].startswith("whsec_")
