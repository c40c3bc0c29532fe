"""Inputs the fuzzer found mishandled, pinned down: each must be a clear 4xx problem."""

import pytest

from compliance.models import DecisionRecord


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_an_item_id_too_large_for_the_database_is_refused(api, order):
    before = DecisionRecord.objects.count()
    response = api.post(
        f"/api/v1/orders/{order.reference}/objections/",
        {"reason": "Satire.", "items": [2**70]},
        format="json",
    )
    body = _problem(response, 400)
    assert body["errors"][0]["field"] == "items.0"
    assert DecisionRecord.objects.count() == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/fines/null/payment/",
        "/api/v1/fines/99999999999999999999999/payment/",
        "/api/v1/no-such-thing/",
    ],
)
def test_a_path_no_route_matches_is_a_problem_not_a_page(api, path):
    _problem(api.post(path, {}, format="json"), 404)


@pytest.mark.parametrize("name", ["status", "urgent", "category", "due_before"])
def test_an_empty_filter_is_refused_not_ignored(api, order, name):
    body = _problem(api.get(f"/api/v1/orders/?{name}="), 400)
    assert body["errors"][0]["field"] == name


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_json_nested_deeper_than_any_request_is_a_problem_not_a_crash(api, order):
    for depth in (17, 999, 100_000):
        body = "[" * depth + "]" * depth
        response = api.post(
            f"/api/v1/orders/{order.reference}/objections/",
            body,
            content_type="application/json",
        )
        assert _problem(response, 400)["detail"] == "JSON nested more than 16 levels deep."


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orders/RO%00/",
        "/api/v1/orders/RO%00/acknowledge/",
        "/api/v1/orders/RO%0A1/",
    ],
)
def test_a_control_character_in_the_path_is_refused(api, path):
    _problem(api.post(path), 400)


def test_a_path_longer_than_any_reference_with_an_idempotency_key_is_404(api):
    reference = "R" * 600
    response = api.post(
        f"/api/v1/orders/{reference}/acknowledge/", HTTP_IDEMPOTENCY_KEY="long-path"
    )
    _problem(response, 404)


@pytest.mark.parametrize("key", ["has space", "nul\x00", "tab\tkey", "é"])
def test_an_idempotency_key_outside_printable_ascii_is_refused(api, order, key):
    response = api.post(f"/api/v1/orders/{order.reference}/acknowledge/", HTTP_IDEMPOTENCY_KEY=key)
    assert _problem(response, 400)["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("platform/changes/", {"description": 0}, "description"),
        ("platform/changes/", {"description": ["x"]}, "description"),
        ("normalization-requests/", {"statement": True}, "statement"),
        ("webhook/", {"url": 7}, "url"),
    ],
)
def test_a_value_of_another_json_type_than_the_schema_says_is_refused(api, path, body, field):
    method = api.put if path == "webhook/" else api.post
    response = method(f"/api/v1/{path}", body, format="json")
    assert _problem(response, 400)["errors"][0]["field"] == field


def test_ids_must_be_json_integers(api, order):
    item = order.items.first()
    response = api.post(
        f"/api/v1/orders/{order.reference}/objections/",
        {"reason": "Satire.", "items": [str(item.pk)]},
        format="json",
    )
    assert _problem(response, 400)["errors"][0]["field"] == "items.0"


def test_actioned_at_cannot_be_before_the_order_or_in_the_future(api, order):
    from datetime import timedelta

    item = order.items.first()
    url = f"/api/v1/orders/{order.reference}/items/{item.pk}/report/"
    before = (order.issued_at - timedelta(minutes=1)).isoformat()
    future = (order.issued_at + timedelta(days=3650)).isoformat()
    records = DecisionRecord.objects.count()
    for moment, message in [
        (before, "The action cannot be before the order was issued."),
        (future, "The action cannot be in the future."),
    ]:
        response = api.post(url, {"action": "removed", "actioned_at": moment}, format="json")
        assert _problem(response, 422)["errors"] == [{"field": str(item.pk), "message": message}]
    assert DecisionRecord.objects.count() == records


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(api, order, settings):
    item = order.items.first()
    settings.EVIDENCE_MAX_BYTES = 1000
    response = api.post(
        f"/api/v1/orders/{order.reference}/items/{item.pk}/evidence/",
        b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )
    _problem(response, 413)


def test_an_upload_is_stopped_at_the_limit_while_it_streams_in(
    api, order, settings, tmp_path, monkeypatch
):
    """Nothing past the limit reaches a temporary file: the counting handler stops the stream
    (a 300 MB body was spooled whole before the old 25 MB check)."""
    import tempfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # larger files go to a temporary file
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    item = order.items.first()
    # Under the declared-length check (limit + 1 MiB of fields), over the file limit.
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (1000 * 1024)
    response = api.post(
        f"/api/v1/orders/{order.reference}/items/{item.pk}/evidence/",
        {"file": SimpleUploadedFile("big.png", big)},
        format="multipart",
    )
    assert _problem(response, 413)["detail"] == "Uploaded files are limited to 65536 bytes."
    spooled = sum(f.stat().st_size for f in tmp_path.rglob("*") if f.is_file())
    assert spooled <= settings.EVIDENCE_MAX_BYTES + 64 * 1024


def test_too_many_fields_is_a_problem_not_an_html_page(api, order):
    item = order.items.first()
    fields = {f"f{n}": "x" for n in range(300)}
    response = api.post(
        f"/api/v1/orders/{order.reference}/items/{item.pk}/evidence/", fields, format="multipart"
    )
    _problem(response, 400)


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        ("9999-12-31T23:59:59-01:00", "cannot be in the future"),
        ("0001-01-01T00:00:00+01:00", "before"),
    ],
)
def test_a_date_time_past_pythons_years_is_the_services_to_refuse(api, order, moment, message):
    """Valid as a schema date-time, outside years 1-9999 once in UTC: a 422 from the rule, not
    a 400 (found by the fuzzing of generated requests)."""
    item = order.items.first()
    response = api.post(
        f"/api/v1/orders/{order.reference}/items/report/",
        {"items": [{"item_id": item.pk, "action": "removed", "actioned_at": moment}]},
        format="json",
    )
    assert response.status_code == 422, response.content
    assert message in str(response.json())
    item.refresh_from_db()
    assert item.status == "pending"
