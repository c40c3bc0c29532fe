"""A platform tests its webhook (a signed ping, its receiver's answer reported) and reads the
delivery history of its events with every attempt."""

from __future__ import annotations

import json

import pytest
from standardwebhooks import Webhook

from compliance.delivery.webhooks import webhook_enqueue, webhooks_deliver
from compliance.models import DecisionRecord
from tests.support.receiver import Receiver


@pytest.fixture
def receiver(settings):
    settings.DEBUG = True  # the local receiver speaks http; outside debug only https is accepted
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # and it is not a public address
    made = Receiver(fail=1)
    yield made
    made.server.shutdown()


def _set(api, url: str) -> str:
    return api.put("/api/v1/webhook/", {"url": url}, format="json").json()["secret"]


def test_the_ping_is_signed_and_the_answer_reported(api, receiver):
    secret = _set(api, receiver.url)
    records = DecisionRecord.objects.count()
    failed = api.post("/api/v1/webhook/test/").json()
    assert (failed["delivered"], failed["status_code"], failed["error"]) == (False, 500, "HTTP 500")
    ok = api.post("/api/v1/webhook/test/").json()
    assert (ok["delivered"], ok["status_code"], ok["error"]) == (True, 204, "")
    headers, body = receiver.received[-1]
    verified = Webhook(secret).verify(body, headers)  # raises on a bad signature
    assert verified["type"] == "webhook.ping"
    assert json.loads(body)["id"] == ok["msg_id"] == headers["webhook-id"]
    assert DecisionRecord.objects.count() == records  # a test writes nothing


def test_a_ping_without_a_webhook_names_the_field(api):
    response = api.post("/api/v1/webhook/test/")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "url", "message": "Set the webhook URL first (PUT webhook/)."}
    ]


def test_pings_are_limited(api, receiver):
    _set(api, receiver.url)
    answers = [api.post("/api/v1/webhook/test/").status_code for _ in range(11)]
    assert answers[:10] == [200] * 10
    assert answers[10] == 429


def test_delivery_history_with_attempts(api, order, receiver):
    _set(api, receiver.url)
    webhook_enqueue(platform=order.platform, event="order.issued", data={"reference": "X"})
    webhooks_deliver()  # the receiver answers 500 first
    [row] = [
        d
        for d in api.get("/api/v1/webhook/deliveries/").json()["results"]
        if d["event"] == "order.issued"
    ]
    assert row["status"] == "pending"
    assert [(a["status_code"], a["error"]) for a in row["attempts"]] == [(500, "HTTP 500")]
    assert row["delivered_at"] is None


def test_another_platforms_deliveries_are_not_listed(api, make_platform, client_for, receiver):
    other = make_platform()
    stranger = client_for(other)
    _set(api, receiver.url)
    api.post("/api/v1/webhook/test/")
    assert stranger.get("/api/v1/webhook/deliveries/").json()["results"] == []
