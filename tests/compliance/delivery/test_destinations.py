"""Webhooks go only to public addresses (an audit reached loopback, metadata and Redis), never
follow a redirect, and one slow receiver cannot hold up another platform's events."""

import socket
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.delivery.webhooks import webhook_enqueue, webhooks_deliver
from compliance.kernel.destinations import destination_check
from compliance.models import WebhookAttempt, WebhookDelivery
from registry.models import WebhookEndpoint
from tests.support.receiver import Receiver

SECRET = "whsec_" + "A" * 44


@pytest.fixture
def receivers():
    made = []

    def start(**kwargs) -> Receiver:
        made.append(Receiver(**kwargs))
        return made[-1]

    yield start
    for receiver in made:
        receiver.server.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://127.0.0.2:8443/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hooks",
        "https://172.16.3.4/hooks",
        "https://192.168.1.1/hooks",
        "https://100.64.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://[fd00::1]/hooks",
        "https://[64:ff9b::7f00:1]/hooks",
        "https://2130706433/hooks",  # 127.0.0.1 as one number
        "https://0x7f.1/hooks",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://localhost/hooks",
        "https://intranet/hooks",
        "https://printer.local/hooks",
        "https://hooks.example:6379/",  # a public name, Redis's port
        "https://user:pw@hooks.example/in",
        "http://hooks.example/in",  # plain http outside debug
        "ftp://hooks.example/in",
    ],
)
def test_non_public_destinations_are_refused_when_set(api, url):
    # Some are not even URLs to the serializer (400); the rest are refused by the rule (422).
    response = api.put("/api/v1/webhook/", {"url": url}, format="json")
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "url"
    assert not WebhookEndpoint.objects.exists()
    with pytest.raises(ValidationError):
        destination_check(url)  # the rule itself, whatever the serializer let through


def test_a_name_that_resolves_to_a_private_address_is_refused(api, monkeypatch):
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        if host == "evil.example":
            return real("10.1.2.3", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    response = api.put("/api/v1/webhook/", {"url": "https://evil.example/in"}, format="json")
    assert response.status_code == 422
    assert "10.1.2.3, not a public address" in response.json()["errors"][0]["message"]


def test_a_stored_private_url_is_refused_again_at_send_time(order, receivers, settings):
    """An endpoint written before these checks existed, or straight into the database."""
    settings.DEBUG = True
    target = receivers()
    WebhookEndpoint.objects.create(platform=order.platform, url=target.url, secret=SECRET)
    webhook_enqueue(platform=order.platform, event="block.lifted", data={})
    assert webhooks_deliver() == 0
    assert target.received == [], "nothing reached the internal address"
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert "127.0.0.1, not a public address" in attempt.error


def test_a_dns_answer_that_changes_after_the_check_reaches_nothing(
    api, order, receivers, settings, monkeypatch
):
    """DNS rebinding: public when the URL is set, loopback when the event is sent."""
    settings.DEBUG = True
    target = receivers()
    settings.WEBHOOK_ALLOWED_PORTS = [target.server.server_port]
    answers = iter(["93.184.216.34", "127.0.0.1"])
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host == "rebind.example":
            return real(next(answers), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    url = f"http://rebind.example:{target.server.server_port}/hooks"
    assert api.put("/api/v1/webhook/", {"url": url}, format="json").status_code == 200
    webhook_enqueue(platform=order.platform, event="block.lifted", data={})
    assert webhooks_deliver() == 0
    assert target.received == []
    assert "127.0.0.1, not a public address" in WebhookAttempt.objects.get().error


def test_a_redirect_is_not_followed_nor_taken_for_success(order, receivers, settings):
    settings.DEBUG = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the test's own receivers
    internal = receivers()
    public = receivers(redirect_to=internal.url.replace("/hooks", "/admin"))
    WebhookEndpoint.objects.create(platform=order.platform, url=public.url, secret=SECRET)
    webhook_enqueue(platform=order.platform, event="block.lifted", data={})
    assert webhooks_deliver() == 0
    assert len(public.received) == 1
    assert internal.received == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert delivery.last_error == "HTTP 302: redirects are not followed"


def test_a_slow_receiver_does_not_delay_another_platforms_delivery(
    make_platform, receivers, settings
):
    settings.DEBUG = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    slow, fast = receivers(drip=0.5), receivers()
    dripping, prompt = make_platform(), make_platform()
    WebhookEndpoint.objects.create(platform=dripping, url=slow.url, secret=SECRET)
    WebhookEndpoint.objects.create(platform=prompt, url=fast.url, secret=SECRET)
    for n in range(3):  # the slow platform's events are claimed first
        webhook_enqueue(platform=dripping, event="block.lifted", data={"n": n})
    webhook_enqueue(platform=prompt, event="block.lifted", data={})
    started = time.monotonic()
    assert webhooks_deliver(now=timezone.now()) == 1
    finished = time.monotonic()
    # The prompt platform's event arrived while the slow one was still being waited for.
    assert fast.arrived[0] < slow.arrived[0] + settings.WEBHOOK_TIMEOUT_SECONDS
    # The slow receiver was cut off at the deadline (its answer would drip for minutes), and
    # its platform's other events wait for the next round instead of queueing behind it.
    assert finished - started < 20 * 0.5
    attempt = WebhookAttempt.objects.get(delivery__platform=dripping)
    assert attempt.error.startswith("TimeoutError")
    assert len(slow.received) == 1
    assert (
        WebhookDelivery.objects.filter(platform=dripping, attempts=0, status="pending").count() == 2
    )
    assert WebhookDelivery.objects.get(platform=prompt).status == "delivered"
