"""Signed webhooks to platforms (Standard Webhooks), delivered from a table like the outbox.

Each event is a row written in the transaction that decided it. The deliverer claims a due row
with a conditional update, POSTs it signed (`webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), logs the attempt, and marks
the row delivered on a 2xx, so a delivered event is never sent again. Failures are retried on
the schedule below, which spans more than 24 hours, then given up and shown in the admin.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.bulk import rows_insert
from compliance.decisions import decision_checkpoint_latest
from compliance.models import WebhookAttempt, WebhookDelivery
from compliance.outbox import rows_claimed
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
TIMEOUT_SECONDS = 10
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
    """Send what is due; returns how many were delivered. Safe in several workers at once."""
    now = now or timezone.now()
    delivered = 0
    claimed = rows_claimed(lambda: webhooks_due(now=now), now=now, hold_for=CLAIM_FOR, limit=limit)
    for pk in claimed:
        delivered += _deliver(WebhookDelivery.objects.get(pk=pk), now)
    return delivered


def _deliver(delivery: WebhookDelivery, now: datetime) -> int:
    endpoint = WebhookEndpoint.objects.filter(platform_id=delivery.platform_id).first()
    attempts = delivery.attempts + 1
    status_code, error = None, ""
    started = time.monotonic()
    if endpoint is None:
        error = "the platform removed its webhook"
    else:
        body = json.dumps(delivery.payload, separators=(",", ":"))
        timestamp = int(time.time())
        request = urllib.request.Request(
            endpoint.url,
            data=body.encode(),
            method="POST",
            headers={
                "content-type": "application/json",
                "user-agent": "compliance-engine-webhooks/1",
                "webhook-id": delivery.msg_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": webhook_sign(
                    secret=endpoint.secret, msg_id=delivery.msg_id, timestamp=timestamp, body=body
                ),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                status_code = response.status
        except urllib.error.HTTPError as failure:
            status_code, error = failure.code, f"HTTP {failure.code}"
        except Exception as failure:
            error = f"{type(failure).__name__}: {failure}"
    duration = int((time.monotonic() - started) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=status_code,
        error=error[:2000],
        duration_ms=duration,
    )
    if ok:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED,
            attempts=attempts,
            delivered_at=now,
            last_status_code=status_code,
            last_error="",
            claimed_until=None,
        )
        return 1
    gave_up = attempts > len(RETRY_SCHEDULE)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED if gave_up else WebhookDelivery.Status.PENDING,
        attempts=attempts,
        last_status_code=status_code,
        last_error=error[:2000],
        next_attempt_at=now + RETRY_SCHEDULE[min(attempts, len(RETRY_SCHEDULE)) - 1],
        claimed_until=None,
    )
    return 0
