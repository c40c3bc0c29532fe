from compliance.models import DecisionRecord, IdempotencyRecord
from tests.support.images import TINY_PNG


def test_a_repeat_returns_the_first_response_and_changes_nothing(api, order):
    url = f"/api/v1/orders/{order.reference}/acknowledge/"
    first = api.post(url, HTTP_IDEMPOTENCY_KEY="ack-1")
    records = DecisionRecord.objects.count()
    again = api.post(url, HTTP_IDEMPOTENCY_KEY="ack-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert DecisionRecord.objects.count() == records
    assert api.post(url).status_code == 409  # without the key it is a new request


def test_same_key_different_body_is_422(api, order):
    item = order.items.first()
    url = f"/api/v1/orders/{order.reference}/objections/"
    api.post(url, {"reason": "a", "items": [item.pk]}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = api.post(
        url, {"reason": "b", "items": [item.pk]}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert order.objections.count() == 1


def test_failed_requests_are_not_stored(api, order):
    url = f"/api/v1/orders/{order.reference}/objections/"
    assert api.post(url, {"reason": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert not IdempotencyRecord.objects.exists()


def test_keys_are_per_platform(api, order, make_order, client_for):
    other_order = make_order()
    other = client_for(other_order.platform)
    api.post(f"/api/v1/orders/{order.reference}/acknowledge/", HTTP_IDEMPOTENCY_KEY="same")
    response = other.post(
        f"/api/v1/orders/{other_order.reference}/acknowledge/", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert response.json()["reference"] == other_order.reference


def test_uploads_count_in_the_fingerprint(api, order, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    item = order.items.first()
    url = f"/api/v1/orders/{order.reference}/items/{item.pk}/evidence/"
    png = TINY_PNG

    def post(content: bytes):
        body = {"file": SimpleUploadedFile("s.png", content)}
        return api.post(url, body, format="multipart", HTTP_IDEMPOTENCY_KEY="upload-1")

    assert post(png).status_code == 201
    assert post(png)["Idempotent-Replayed"] == "true"
    assert post(png + b"\x01").status_code == 422
    assert item.evidence.count() == 1
