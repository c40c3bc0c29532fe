"""One way to deliver what the queue tables hold, whatever the channel (e-mail, webhooks).

1. Claim due rows, oldest first, each with a conditional update (`pending`, or `sending` whose
   claim expired, -> `sending` until `claimed_until`): of several deliverers exactly one gets a
   row, and a dead deliverer's claims expire.
2. Read what the sends need (in this thread: the database stays in the caller's connection).
3. Send, platforms side by side in threads (network only), each platform's rows in turn; a
   channel may stop a platform's round at its first failure (one receiver per platform).
4. Record each outcome as it comes: delivered (never sent again), or failed and due again after
   the channel's backoff, or given up once its schedule is spent; rows not tried go back to
   the queue as they were.

Services queue rows in their own transaction and wake the deliverer by task name after commit
(`delivery_wake`); beat's run every minute delivers what a lost wake-up left.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from queue import SimpleQueue
from typing import Any, Generic, TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.delivery.models import Delivery
from compliance.kernel.tasks import wake_after_commit

log = logging.getLogger(__name__)

D = TypeVar("D", bound=Delivery)


@dataclass(frozen=True)
class Outcome:
    """What one send did; `attempted` False for a row its round did not reach."""

    ok: bool = False
    status_code: int | None = None
    error: str = ""
    duration_ms: int = 0
    attempted: bool = True


NOT_ATTEMPTED = Outcome(attempted=False)


class Channel(Generic[D]):
    """How one kind of delivery is sent; subclasses fill in the blanks."""

    model: type[D]
    done_status: str  # the stored value of a delivered row ("sent", "delivered")
    done_at: str  # the field that records when
    claim_for: timedelta
    stop_platform_after_failure: bool = False
    # Rows due but not ready to send are left in the queue (an e-mail whose letter is not
    # rendered yet).
    ready: Q = Q()

    def workers(self) -> int:
        """Platforms served at once."""
        return 1

    def prepare(self, deliveries: Sequence[D]) -> dict[int, Any]:
        """What the sends need that a thread must not read itself, by platform id."""
        return {}

    def send(self, delivery: D, context: Any) -> Outcome:
        raise NotImplementedError

    def retry_after(self, attempts: int) -> timedelta | None:
        """When to try again after `attempts` failures; None to give up."""
        raise NotImplementedError

    def recorded(self, delivery: D, outcome: Outcome, now: datetime) -> dict[str, Any]:
        """Fields of the channel's own to write with an outcome (and any log of it)."""
        return {}


def rows_claimed(
    due: Callable[[], QuerySet[Any]],
    *,
    now: datetime,
    hold_for: timedelta,
    limit: int,
    status: str = Delivery.SENDING,
) -> Iterator[int]:
    """Ids of due rows this process claimed (moved to `status` until `now + hold_for`),
    oldest first: a conditional update each, so of several workers exactly one gets a row; a
    claim expires if its holder dies."""
    for pk in due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit]:
        if due().filter(pk=pk).update(status=status, claimed_until=now + hold_for) == 1:
            yield pk


def deliveries_due(*, model: type[Delivery], now: datetime) -> QuerySet[Any]:
    return model._default_manager.filter(
        Q(status=Delivery.PENDING) | Q(status=Delivery.SENDING, claimed_until__lt=now),
        next_attempt_at__lte=now,
    )


def deliveries_deliver(*, channel: Channel[Any], now: datetime | None = None, limit: int) -> int:
    """Send what is due on `channel`; returns how many were delivered. Safe to run in several
    workers at once."""
    now = now or timezone.now()
    claimed = list(
        rows_claimed(
            lambda: deliveries_due(model=channel.model, now=now).filter(channel.ready),
            now=now,
            hold_for=channel.claim_for,
            limit=limit,
        )
    )
    if not claimed:
        return 0
    rows = channel.model._default_manager.in_bulk(claimed)
    by_platform: dict[int, list[Any]] = defaultdict(list)
    for pk in claimed:
        by_platform[rows[pk].platform_id].append(rows[pk])
    context = channel.prepare(list(rows.values()))
    # Each outcome is recorded before its platform's next send starts, and as soon as it is
    # known: a deliverer killed mid-round re-sends only what was in flight, one per platform.
    outcomes: SimpleQueue[tuple[int, Any, Outcome] | None] = SimpleQueue()
    recorded = [threading.Semaphore(0) for _ in by_platform]
    workers = max(1, min(channel.workers(), len(by_platform)))
    delivered = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="deliver") as pool:
        rounds = [
            pool.submit(
                _send_in_turn, channel, queue, context.get(platform_id), outcomes, n, recorded[n]
            )
            for n, (platform_id, queue) in enumerate(by_platform.items())
        ]
        finished = 0
        while finished < len(rounds):
            item = outcomes.get()
            if item is None:
                finished += 1
                continue
            n, delivery, outcome = item
            delivered += _record(channel, delivery, outcome, now)
            recorded[n].release()
        for done in rounds:
            done.result()  # a round that raised raises here
    return delivered


def _send_in_turn(
    channel: Channel[Any],
    queue: list[Any],
    context: Any,
    outcomes: SimpleQueue[tuple[int, Any, Outcome] | None],
    number: int,
    recorded: threading.Semaphore,
) -> None:
    """One platform's rows in order (in a thread: no database access): each outcome is handed
    back, and the next send waits until it is recorded; None at the end."""
    stopped = False
    try:
        for delivery in queue:
            outcome = NOT_ATTEMPTED if stopped else channel.send(delivery, context)
            outcomes.put((number, delivery, outcome))
            recorded.acquire()
            stopped = stopped or (channel.stop_platform_after_failure and not outcome.ok)
    finally:
        outcomes.put(None)


def _record(channel: Channel[Any], delivery: Any, outcome: Outcome, now: datetime) -> int:
    manager = channel.model._default_manager
    if not outcome.attempted:
        manager.filter(pk=delivery.pk).update(status=Delivery.PENDING, claimed_until=None)
        return 0
    attempts = delivery.attempts + 1
    fields = channel.recorded(delivery, outcome, now)
    if outcome.ok:
        manager.filter(pk=delivery.pk).update(
            status=channel.done_status,
            attempts=attempts,
            last_error="",
            claimed_until=None,
            **{channel.done_at: now},
            **fields,
        )
        return 1
    delay = channel.retry_after(attempts)
    manager.filter(pk=delivery.pk).update(
        status=Delivery.FAILED if delay is None else Delivery.PENDING,
        attempts=attempts,
        last_error=outcome.error[:2000],
        next_attempt_at=now + (delay or timedelta(0)),
        claimed_until=None,
        **fields,
    )
    log.warning(
        "%s %s failed (attempt %s): %s",
        channel.model.__name__,
        delivery.pk,
        attempts,
        outcome.error,
    )
    return 0


def delivery_wake(*, task: str) -> None:
    """After commit, wake the deliverer task by name; if the broker is down, beat's next run
    delivers (the rows are in the database)."""
    wake_after_commit(task)
