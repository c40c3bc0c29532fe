"""Another platform's key reaches none of this platform's objects: 404, and nothing changes."""

from compliance.models import DecisionRecord, Fine, IdempotencyRecord


def _requests(order):
    item = order.items.first()
    fine = Fine.objects.filter(order=order).first()
    base = f"/api/v1/orders/{order.reference}/"
    return [
        ("get", base, None),
        ("post", base + "acknowledge/", None),
        ("post", base + f"items/{item.pk}/report/", {"action": "removed"}),
        ("post", base + "items/report/", {"items": [{"item_id": item.pk, "action": "removed"}]}),
        ("post", base + "objections/", {"reason": "x", "items": [item.pk]}),
        ("post", f"/api/v1/fines/{fine.pk}/payment/", {"payment_reference": "X"}),
    ]


def test_every_object_endpoint_is_404_to_another_platform(victim, make_platform, client_for):
    other = client_for(make_platform())
    records = DecisionRecord.objects.count()
    for method, url, body in _requests(victim):
        response = getattr(other, method)(url, body, format="json", HTTP_IDEMPOTENCY_KEY=url)
        assert response.status_code == 404, (url, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
    assert DecisionRecord.objects.count() == records
    assert not IdempotencyRecord.objects.exists()
    victim.refresh_from_db()
    assert victim.status == "blocked"


def test_collections_show_only_the_keys_platform(victim, make_platform, client_for):
    other = client_for(make_platform())
    assert other.get("/api/v1/orders/").json()["results"] == []
    assert other.get("/api/v1/fines/").json()["results"] == []
    assert victim.reference not in other.get("/api/v1/platform/").content.decode()
    # Normalization is requested for the key's own platform, which has no block: 409.
    response = other.post("/api/v1/normalization-requests/", {"statement": "x"}, format="json")
    assert response.status_code == 409
    assert not victim.platform.normalization_requests.exists()


def test_the_owner_reaches_them(victim, client_for):
    own = client_for(victim.platform)
    for method, url, body in _requests(victim)[:1]:
        assert getattr(own, method)(url, body, format="json").status_code == 200
