"""Signed webhooks to platforms (Standard Webhooks), queued and delivered as letters are.

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
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.delivery.models import WebhookAttempt, WebhookDelivery
from compliance.delivery.queue import Channel, Outcome, deliveries_deliver, delivery_wake
from compliance.kernel.actors import Actor
from compliance.kernel.bulk import rows_insert
from compliance.kernel.decisions import decision_checkpoint_latest
from compliance.kernel.destinations import DestinationRefused, http_post
from compliance.kernel.formats import WireEncoder, moment_wire
from compliance.kernel.ratelimits import attempt_count
from registry.models import Platform, RegistrationChange, WebhookEndpoint

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
TASK = "compliance.deliver_webhooks"
CLAIM_FOR = timedelta(minutes=2)
EVENTS = [
    "order.issued",
    "order.escalated",
    "fine.assessed",
    "block.proposed",
    "block.in_force",
    "block.lifted",
    "objection.decided",
    "registration.change_decided",
    "data_request.received",
    "data_request.warned",
    "risk_assessment.requested",
    "risk_assessment.warned",
    "risk_assessment.measure_ordered",
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
        "timestamp": moment_wire(now),
        "data": data,
        "checkpoint": checkpoint,
    }
    return msg_id, json.loads(json.dumps(payload, cls=WireEncoder))


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


def registration_change_webhook(sender: Any, *, change: RegistrationChange, **kwargs: Any) -> None:
    """An officer decided a platform's registration change: tell the platform (connected to
    registry.signals.registration_change_decided in compliance.apps)."""
    platform = Platform.objects.get(pk=change.platform_id)
    webhook_enqueue(
        platform=platform,
        event="registration.change_decided",
        data={
            "id": change.pk,
            "status": change.status,
            "reason": change.officer_reason,
            "correct_by": platform.fault_due_at,
        },
    )


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
    delivery_wake(task=TASK)


def webhook_sign(*, secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """The Standard Webhooks signature header value for one message."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(signed).decode()


def webhook_post(*, endpoint: WebhookEndpoint, msg_id: str, payload: dict[str, Any]) -> Outcome:
    """Send one signed message to the endpoint (public addresses only, no redirects, one
    deadline for the whole exchange) and say how it went."""
    body = json.dumps(payload, separators=(",", ":"))
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "compliance-engine-webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_sign(
            secret=endpoint.secret, msg_id=msg_id, timestamp=timestamp, body=body
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
        error = f"{type(failure).__name__}: {failure}"
        return Outcome(error=error, duration_ms=_since(started))
    error = ""
    if 300 <= status < 400:
        error = f"HTTP {status}: redirects are not followed"
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return Outcome(ok=not error, status_code=status, error=error, duration_ms=_since(started))


PINGS_PER_MINUTE = 10


class PingRefused(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("At most 10 test pings a minute.")
        self.retry_after = retry_after


def webhook_ping(*, platform: Platform, actor: Actor) -> tuple[str, Outcome]:
    """Send a signed `webhook.ping` to the platform's endpoint now, and say how its receiver
    answered (nothing is queued or retried). Returns the message id and the outcome."""
    actor.require_for_platform(platform.pk, "registry.change_platform")
    endpoint = WebhookEndpoint.objects.filter(platform=platform).first()
    if endpoint is None:
        raise ValidationError({"url": _("Set the webhook URL first (PUT webhook/).")})
    admission = attempt_count(
        key=f"webhook-ping:{platform.pk}", limit=PINGS_PER_MINUTE, window=60, aligned=True
    )
    if not admission.allowed:
        raise PingRefused(admission.retry_after)
    msg_id, payload = _message(
        "webhook.ping", {"platform": platform.name}, timezone.now(), decision_checkpoint_latest()
    )
    return msg_id, webhook_post(endpoint=endpoint, msg_id=msg_id, payload=payload)


class WebhookChannel(Channel[WebhookDelivery]):
    model = WebhookDelivery
    done_status = WebhookDelivery.Status.DELIVERED
    done_at = "delivered_at"
    claim_for = CLAIM_FOR
    # One receiver per platform: platforms side by side, each platform's events in turn, its
    # round stopped at a failure so a slow receiver costs one deadline a round.
    stop_platform_after_failure = True

    def workers(self) -> int:
        return settings.WEBHOOK_CONCURRENCY

    def prepare(self, deliveries: Sequence[WebhookDelivery]) -> dict[int, Any]:
        """The endpoints, read here so the sending threads need no database."""
        return {
            endpoint.platform_id: endpoint
            for endpoint in WebhookEndpoint.objects.filter(
                platform_id__in={d.platform_id for d in deliveries}
            )
        }

    def send(self, delivery: WebhookDelivery, endpoint: WebhookEndpoint | None) -> Outcome:
        if endpoint is None:
            return Outcome(error="the platform removed its webhook")
        return webhook_post(endpoint=endpoint, msg_id=delivery.msg_id, payload=delivery.payload)

    def retry_after(self, attempts: int) -> timedelta | None:
        return None if attempts > len(RETRY_SCHEDULE) else RETRY_SCHEDULE[attempts - 1]

    def recorded(
        self, delivery: WebhookDelivery, outcome: Outcome, now: datetime
    ) -> dict[str, Any]:
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=outcome.status_code,
            error=outcome.error[:2000],
            duration_ms=outcome.duration_ms,
        )
        return {"last_status_code": outcome.status_code}


WEBHOOKS = WebhookChannel()


def webhooks_deliver(*, now: datetime | None = None, limit: int = 100) -> int:
    """Send the events that are due; returns how many were delivered."""
    return deliveries_deliver(channel=WEBHOOKS, now=now, limit=limit)


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
