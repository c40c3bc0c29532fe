"""One format on the wire: every timestamp in UTC ending in Z and every amount a string with two
decimals beside its currency, the same in the API's answers and the webhook payloads."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from compliance.kernel.formats import WireEncoder, amount_wire, moment_wire
from compliance.models import Fine, WebhookDelivery
from compliance.sweep.jobs import sweep_all

T0 = datetime(2026, 10, 1, 3, 4, 5, 123456, tzinfo=UTC)
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")


def _looks_like_time(value: str) -> bool:
    return bool(re.match(r"^\d{4}-\d{2}-\d{2}T", value))


def _checked(value: Any, path: str = "") -> tuple[int, int]:
    """Every timestamp and amount in `value`, checked; how many of each were seen."""
    moments = amounts = 0
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "amount" or key.endswith("_amount"):
                assert isinstance(item, str), (path, key, item)
                assert AMOUNT.match(item), (path, key, item)
                assert "currency" in value, (path, "an amount without its currency")
                amounts += 1
                continue
            m, a = _checked(item, f"{path}.{key}")
            moments, amounts = moments + m, amounts + a
    elif isinstance(value, list):
        for index, item in enumerate(value):
            m, a = _checked(item, f"{path}.{index}")
            moments, amounts = moments + m, amounts + a
    elif isinstance(value, str) and _looks_like_time(value):
        assert MOMENT.match(value), (path, value)
        moments += 1
    return moments, amounts


@pytest.fixture
def fined(make_order, make_platform, client_for, settings):
    settings.DEBUG = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    platform = make_platform(is_ugc=True)
    api = client_for(platform)
    api.put("/api/v1/webhook/", {"url": "http://127.0.0.1:9/in"}, format="json")
    with time_machine.travel(T0, tick=False):
        order = make_order(platform=platform)
    for day in (1, 2):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            sweep_all()
    assert Fine.objects.filter(order=order).exists()
    return api, order


def test_the_api_speaks_one_format(fined):
    api, order = fined
    seen = [0, 0]
    for path in (
        "/api/v1/platform/",
        "/api/v1/orders/",
        f"/api/v1/orders/{order.reference}/",
        "/api/v1/fines/",
        "/api/v1/letters/",
        "/api/v1/webhook/deliveries/",
        "/api/v1/keys/",
    ):
        response = api.get(path)
        assert response.status_code == 200, path
        moments, amounts = _checked(response.json(), path)
        seen[0] += moments
        seen[1] += amounts
    assert seen[0] > 10
    assert seen[1] >= 2  # the fine, in the list and in its order
    [fine] = api.get("/api/v1/fines/").json()["results"]
    stored = Fine.objects.get(order=order)
    assert Decimal(fine["amount"]) == stored.amount
    assert fine["currency"] == "IDR"


def test_webhook_payloads_speak_the_same_format(fined):
    api, _ = fined
    payloads = list(WebhookDelivery.objects.order_by("pk").values_list("payload", flat=True))
    assert {p["type"] for p in payloads} >= {"order.issued", "fine.assessed"}
    for payload in payloads:
        assert MOMENT.match(payload["timestamp"]), payload["timestamp"]
        _checked(payload, payload["type"])
    [assessed] = [p for p in payloads if p["type"] == "fine.assessed"]
    [fine] = api.get("/api/v1/fines/").json()["results"]
    # The same fine reads the same in the event and in the API, to the character.
    assert assessed["data"]["amount"] == fine["amount"]
    assert assessed["data"]["currency"] == fine["currency"]
    assert assessed["data"]["due_at"] == fine["due_at"]


def test_the_wire_helpers():
    assert amount_wire(Decimal("100000000")) == "100000000.00"
    assert amount_wire("2.5") == "2.50"
    assert amount_wire(7) == "7.00"
    wib = datetime(2026, 12, 2, 3, 7, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert moment_wire(wib) == "2026-12-01T20:07:00Z"
    assert WireEncoder().encode({"at": T0, "amount": Decimal("1.5")}) == (
        '{"at": "2026-10-01T03:04:05.123456Z", "amount": "1.50"}'
    )
