"""Signed webhooks to platforms (Standard Webhooks), delivered from a table like the outbox.

Each event is a row written in the transaction that decided it. The deliverer claims a due row
with a conditional update, POSTs it signed (`webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), logs the attempt, and marks
the row delivered on a 2xx, so a delivered event is never sent again. Failures are retried on
the schedule below, which spans more than 24 hours, then given up and shown in the admin.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.delivery.destinations import Destination, DestinationRefused, destination_resolve
from compliance.delivery.email import rows_claimed
from compliance.delivery.models import WebhookAttempt, WebhookDelivery
from compliance.kernel.bulk import rows_insert
from compliance.kernel.decisions import decision_checkpoint_latest
from registry.models import Platform, WebhookEndpoint

log = logging.getLogger(__name__)

# Delay before each retry (after the first attempt fails): about 27.6 hours in all.
RETRY_SCHEDULE = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
CLAIM_FOR = timedelta(minutes=2)
EVENTS = [
    "order.issued",
    "order.escalated",
    "fine.assessed",
    "block.in_force",
    "block.lifted",
    "objection.decided",
]


def _message(
    event: str, data: dict[str, Any], now: datetime, checkpoint: dict[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """The payload: the event, and the decision record's signed checkpoint in force, so the
    platform holds an independent copy of it (anyone can check it: /verify/checkpoints/)."""
    msg_id = f"msg_{uuid.uuid4().hex}"
    payload = {
        "id": msg_id,
        "type": event,
        "timestamp": now.isoformat(),
        "data": data,
        "checkpoint": checkpoint,
    }
    return msg_id, json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def webhook_enqueue(*, platform: Platform, event: str, data: dict[str, Any]) -> None:
    """Queue an event for the platform's webhook, if it set one; sent after commit."""
    assert event in EVENTS, event
    if not WebhookEndpoint.objects.filter(platform=platform).exists():
        return
    now = timezone.now()
    msg_id, payload = _message(event, data, now, decision_checkpoint_latest())
    WebhookDelivery.objects.create(
        msg_id=msg_id,
        platform=platform,
        event=event,
        payload=payload,
        next_attempt_at=now,
        created_at=now,
    )
    deliver_soon()


# The sweep's bulk path, in three steps so the rows can be built while its UPDATE runs:
# which platforms have a webhook, the rows, the insert.


def webhook_platforms(*, platform_ids: set[int]) -> set[int]:
    """Which of these platforms set a webhook."""
    if not platform_ids:
        return set()
    return set(
        WebhookEndpoint.objects.filter(platform_id__in=platform_ids).values_list(
            "platform_id", flat=True
        )
    )


def webhook_rows(
    events: Iterable[tuple[int, str, dict[str, Any]]],
    *,
    platforms: set[int],
    now: datetime,
    checkpoint: dict[str, Any] | None,
) -> list[tuple[Any, ...]]:
    """Queue rows for the events of `platforms` (no database access: built while the sweep's
    order update runs)."""
    rows = []
    for platform_id, event, data in events:
        if platform_id in platforms:
            msg_id, payload = _message(event, data, now, checkpoint)
            rows.append((msg_id, platform_id, event, payload, "pending", 0, now, "", now))
    return rows


def webhook_rows_insert(*, rows: list[tuple[Any, ...]]) -> None:
    rows_insert(
        WebhookDelivery,
        [
            "msg_id",
            "platform_id",
            "event",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
        ],
        rows,
    )
    if rows:
        deliver_soon()


def deliver_soon() -> None:
    from compliance.tasks import deliver_webhooks

    def kick() -> None:
        try:
            deliver_webhooks.delay()
        except Exception:
            log.warning("could not reach the broker; webhooks wait for the next run")

    transaction.on_commit(kick)


def webhook_sign(*, secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """The Standard Webhooks signature header value for one message."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(signed).decode()


def webhooks_due(*, now: datetime) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(
        Q(status=WebhookDelivery.Status.PENDING)
        | Q(status=WebhookDelivery.Status.SENDING, claimed_until__lt=now),
        next_attempt_at__lte=now,
    )


def webhooks_deliver(*, now: datetime | None = None, limit: int = 100) -> int:
    """Send what is due; returns how many were delivered. Safe in several workers at once.

    Platforms are served side by side (WEBHOOK_CONCURRENCY threads, network only: the rows
    are read and written here), each platform's events one after another; an attempt has a
    total deadline (WEBHOOK_TIMEOUT_SECONDS), however slowly a receiver answers. After a
    failure the platform's other claimed events wait for the next round, so a slow receiver
    costs one deadline a round and never holds up another platform.
    """
    now = now or timezone.now()
    claimed = list(
        rows_claimed(lambda: webhooks_due(now=now), now=now, hold_for=CLAIM_FOR, limit=limit)
    )
    if not claimed:
        return 0
    deliveries = WebhookDelivery.objects.in_bulk(claimed)
    endpoints = {
        e.platform_id: e
        for e in WebhookEndpoint.objects.filter(
            platform_id__in={d.platform_id for d in deliveries.values()}
        )
    }
    by_platform: dict[int, list[WebhookDelivery]] = defaultdict(list)
    for pk in claimed:
        by_platform[deliveries[pk].platform_id].append(deliveries[pk])
    delivered = 0
    workers = max(1, min(settings.WEBHOOK_CONCURRENCY, len(by_platform)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhooks") as pool:
        rounds = [
            pool.submit(_send_in_turn, queue, endpoints.get(platform_id))
            for platform_id, queue in by_platform.items()
        ]
        for done in as_completed(rounds):
            for delivery, outcome in done.result():
                delivered += _record(delivery, outcome, now)
    return delivered


@dataclass(frozen=True)
class Outcome:
    status_code: int | None = None
    error: str = ""
    duration_ms: int = 0
    attempted: bool = True

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _send_in_turn(
    queue: list[WebhookDelivery], endpoint: WebhookEndpoint | None
) -> list[tuple[WebhookDelivery, Outcome]]:
    """One platform's events in order, until one fails (no database access: runs in a
    thread)."""
    outcomes: list[tuple[WebhookDelivery, Outcome]] = []
    failed = False
    for delivery in queue:
        if failed:
            outcomes.append((delivery, Outcome(attempted=False)))
        elif endpoint is None:
            outcomes.append((delivery, Outcome(error="the platform removed its webhook")))
        else:
            outcome = _send(delivery, endpoint)
            outcomes.append((delivery, outcome))
            failed = not outcome.ok
    return outcomes


def _send(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> Outcome:
    body = json.dumps(delivery.payload, separators=(",", ":"))
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "compliance-engine-webhooks/1",
        "webhook-id": delivery.msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_sign(
            secret=endpoint.secret, msg_id=delivery.msg_id, timestamp=timestamp, body=body
        ),
    }
    started = time.monotonic()
    try:
        status = http_post(
            url=endpoint.url,
            body=body.encode(),
            headers=headers,
            deadline=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except DestinationRefused as refused:
        return Outcome(error=f"not sent: {refused}", duration_ms=_since(started))
    except Exception as failure:
        return Outcome(error=f"{type(failure).__name__}: {failure}", duration_ms=_since(started))
    error = ""
    if 300 <= status < 400:
        error = f"HTTP {status}: redirects are not followed"
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return Outcome(status_code=status, error=error, duration_ms=_since(started))


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _record(delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> int:
    if not outcome.attempted:
        # Its platform's receiver just failed: back in the queue, no attempt counted.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING, claimed_until=None
        )
        return 0
    attempts = delivery.attempts + 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=outcome.status_code,
        error=outcome.error[:2000],
        duration_ms=outcome.duration_ms,
    )
    if outcome.ok:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED,
            attempts=attempts,
            delivered_at=now,
            last_status_code=outcome.status_code,
            last_error="",
            claimed_until=None,
        )
        return 1
    gave_up = attempts > len(RETRY_SCHEDULE)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED if gave_up else WebhookDelivery.Status.PENDING,
        attempts=attempts,
        last_status_code=outcome.status_code,
        last_error=outcome.error[:2000],
        next_attempt_at=now + RETRY_SCHEDULE[min(attempts, len(RETRY_SCHEDULE)) - 1],
        claimed_until=None,
    )
    return 0


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(
            destination.host,
            destination.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
        self.address = destination.address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate must be the name's, though the connection went to an address.
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def http_post(*, url: str, body: bytes, headers: dict[str, str], deadline: float) -> int:
    """POST to a public destination and return the status code, within `deadline` seconds in
    all: a receiver that drips its answer a byte at a time is cut off at the deadline (the
    socket is shut down under the reading thread). Redirects are returned, not followed.
    Raises DestinationRefused for a destination that may not be reached."""
    destination = destination_resolve(url)
    kind = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    connection = kind(destination, timeout=deadline)
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(deadline, cut_off)
    timer.start()
    try:
        connection.request("POST", destination.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TimeoutError(f"no complete answer within {deadline} s") from None
        raise
    finally:
        timer.cancel()
        connection.close()
