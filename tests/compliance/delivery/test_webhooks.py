"""Webhooks: signed per Standard Webhooks (checked with the `standardwebhooks` package, an
independent implementation), retried after failures, never sent twice after a 2xx."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from compliance.delivery.webhooks import RETRY_SCHEDULE, webhooks_deliver
from compliance.models import WebhookDelivery
from tests.support.receiver import Receiver


@pytest.fixture
def receiver():
    made = []

    def start(fail: int = 0) -> Receiver:
        made.append(Receiver(fail))
        return made[-1]

    yield start
    for r in made:
        r.server.shutdown()


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.DEBUG = True  # the local receiver speaks http; outside debug only https is accepted
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # and it is not a public address


def _set_webhook(api, url):
    return api.put("/api/v1/webhook/", {"url": url}, format="json").json()["secret"]


def test_events_are_signed_and_verify_with_standard_webhooks(api, order, receiver):
    target = receiver()
    secret = _set_webhook(api, target.url)
    api.post(f"/api/v1/orders/{order.reference}/acknowledge/")
    from compliance.kernel.actors import Actor
    from notices import services

    services.objection_reject(
        objection=services.objection_file(
            order=order,
            actor=Actor.of_platform(order.platform),
            reason="x",
            items=[order.items.first()],
        ),
        actor=Actor.staff(order.created_by),
        reason="no",
    )
    assert webhooks_deliver() == 1
    [(headers, body)] = target.received
    payload = Webhook(secret).verify(body, headers)  # raises if the signature is wrong
    assert payload["type"] == "objection.decided"
    assert payload["data"]["status"] == "rejected"
    assert headers["webhook-id"] == payload["id"]
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


def test_failures_are_retried_with_backoff_and_logged_then_delivered_once(api, order, receiver):
    target = receiver(fail=2)
    _set_webhook(api, target.url)
    from compliance.delivery.webhooks import webhook_enqueue

    webhook_enqueue(platform=order.platform, event="block.lifted", data={"block": "AB-1"})
    now = timezone.now()
    assert webhooks_deliver(now=now) == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == now + RETRY_SCHEDULE[0]
    assert webhooks_deliver(now=now + timedelta(seconds=1)) == 0, "not due yet"
    assert webhooks_deliver(now=now + RETRY_SCHEDULE[0]) == 0
    third = now + RETRY_SCHEDULE[0] + RETRY_SCHEDULE[1]
    assert webhooks_deliver(now=third) == 1
    assert webhooks_deliver(now=third + timedelta(days=2)) == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert [a.status_code for a in delivery.log.all()] == [500, 500, 204]
    assert len(target.received) == 3
    ids = {h["webhook-id"] for h, _ in target.received}
    assert ids == {delivery.msg_id}, "retries carry the same id, so receivers can deduplicate"


def test_retries_span_more_than_a_day_then_give_up(api, order):
    _set_webhook(api, "http://127.0.0.1:9/unreachable")
    from compliance.delivery.webhooks import webhook_enqueue

    webhook_enqueue(platform=order.platform, event="block.lifted", data={})
    assert sum(RETRY_SCHEDULE, timedelta()) >= timedelta(hours=24)
    moment = timezone.now()
    for delay in [timedelta(0), *RETRY_SCHEDULE]:
        moment += delay
        webhooks_deliver(now=moment)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", len(RETRY_SCHEDULE) + 1)
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()


def test_no_webhook_no_delivery(order):
    from compliance.delivery.webhooks import webhook_enqueue

    webhook_enqueue(platform=order.platform, event="block.lifted", data={})
    assert not WebhookDelivery.objects.exists()


def test_the_sweep_sends_escalation_and_fine_events(api, order, receiver, make_order):
    target = receiver()
    _set_webhook(api, target.url)
    import time_machine

    from compliance.sweep.jobs import sweep_all

    for day in (1, 2):
        with time_machine.travel(order.due_at + timedelta(days=day), tick=False):
            sweep_all()
    webhooks_deliver(now=order.due_at + timedelta(days=10))
    types = [json.loads(body)["type"] for _, body in target.received]
    assert sorted(types) == ["fine.assessed", "order.escalated", "order.escalated"]
