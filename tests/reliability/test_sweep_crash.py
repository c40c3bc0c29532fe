"""Processes killed with SIGKILL at random points, again and again, then run clean.

The sweep: the end state equals the plan of a sweep with no kills (its own dry run, taken
before), order by order; nothing doubled, no letter number given twice and none lost but
those a killed batch drew (PostgreSQL; on SQLite none), the chain intact.
The deliverer: every letter and webhook arrives; none is sent again after it was marked sent,
so a resend can only be the one in flight when a kill landed (at most one per kill, and with
the same Message-ID / webhook-id, so the receiver can tell).
"""

import os
import random
import re
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from compliance.delivery.email import CLAIM_FOR
from compliance.kernel.decisions import decision_chain_verify
from compliance.kernel.models import OfficialLetter
from compliance.models import DecisionRecord, Fine, Notification, WarningLetter, WebhookDelivery
from compliance.sweep.claim import orders_sweep
from notices.models import RemovalOrder
from registry.models import WebhookEndpoint
from tests.support import scale
from tests.support.cloning import orders_clone_due
from tests.support.processes import manage
from tests.support.receiver import Receiver
from tests.support.waiting import wait_until


def _kill_midway(start, progress, *, kills: int, seed: int) -> int:
    """Start a process `kills` times; once it has made progress, SIGKILL it after a random
    pause. Returns how many processes were killed while still running."""
    rng = random.Random(seed)
    killed = 0
    for _ in range(kills):
        before = progress()
        process = start()
        wait_until(
            lambda p=process, n=before: progress() > n or p.poll() is not None,
            timeout=120,
            what="the process to commit some work",
            every=0.01,
        )
        time.sleep(rng.uniform(0, 0.05))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed += 1
        process.communicate(timeout=30)
    return killed


@pytest.mark.django_db(transaction=True)
def test_sweep_killed_again_and_again_ends_as_if_never_killed(make_order, make_platform):
    platform = make_platform()
    half = scale.CRASH_ORDERS // 2
    orders_clone_due(make_order(platform=platform), half, prefix="CRASH-A")
    # The other half has had its first letter: their next rung is a fine.
    orders_clone_due(
        make_order(platform=platform), half, prefix="CRASH-B", status="warned", escalation_level=1
    )
    now = timezone.now()
    plan = {s.order_id: s for s in orders_sweep(now=now, dry_run=True).steps}
    assert len(plan) == 2 * half

    batch = 10

    def sweep() -> subprocess.Popen:
        return manage("escalate", "--now", now.isoformat(), "--batch-size", str(batch))

    killed = _kill_midway(sweep, WarningLetter.objects.count, kills=scale.KILLS, seed=1)
    assert killed >= scale.KILLS * 0.8, f"only {killed} of {scale.KILLS} kills landed mid-sweep"
    left = len(plan) - WarningLetter.objects.count()
    assert left > 0, "killed sweeps must have left work undone"
    print(f"\nsweep: {killed} SIGKILLs landed mid-sweep; {left} of {len(plan)} orders left")

    output, _ = sweep().communicate(timeout=600)
    assert "0 failed" in output, output

    for pk, status, level, due_at in RemovalOrder.objects.values_list(
        "pk", "status", "escalation_level", "due_at"
    ):
        step = plan[pk]
        assert (status, level, due_at) == (step.to_state, step.level, step.due_at)
    fined = dict(
        Fine.objects.values("order_id")
        .annotate(total=Sum("amount"))
        .values_list("order_id", "total")
    )
    assert fined == {pk: s.fine_amount for pk, s in plan.items() if s.fine_amount > 0}
    assert sum(fined.values()) > Decimal(0)
    letters = Counter(WarningLetter.objects.values_list("order_id", flat=True))
    assert letters == Counter(list(plan))
    numbers = sorted(
        int(n.rsplit("-", 1)[1]) for n in WarningLetter.objects.values_list("number", flat=True)
    )
    assert len(set(numbers)) == len(plan)
    unused = numbers[-1] - numbers[0] + 1 - len(numbers)
    # Only a batch that rolled back leaves numbers unused: one batch's worth per kill at most.
    assert unused <= (killed * batch if connection.vendor == "postgresql" else 0), unused
    print(f"sweep: {unused} letter numbers left unused by killed batches")
    assert DecisionRecord.objects.filter(action="removalorder.escalate").count() == len(plan)
    assert Notification.objects.filter(event="order.escalated").count() == len(plan)
    assert decision_chain_verify().ok


MESSAGE_ID = re.compile(r"^Message-ID: (<notification-\d+\.\d+@[^>]+>)$", re.MULTILINE)


@pytest.mark.django_db(transaction=True)
def test_deliverer_killed_again_and_again_loses_nothing_and_resends_only_in_flight(
    make_order, make_platform, tmp_path, settings
):
    settings.DEBUG = True  # the local receiver speaks http; outside debug only https is accepted
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # and is not a public address
    receiver = Receiver(fail=0)
    platform = make_platform()
    WebhookEndpoint.objects.create(platform=platform, url=receiver.url, secret="whsec_" + "A" * 32)
    orders_clone_due(make_order(platform=platform), scale.CRASH_ORDERS // 2, prefix="MAIL")
    orders_sweep(now=timezone.now())
    letters = Notification.objects.filter(event="order.escalated").count()
    hooks = WebhookDelivery.objects.count()
    assert letters == scale.CRASH_ORDERS // 2
    assert hooks >= letters
    # An e-mail goes only with its letter's PDF: render them first.
    rendered, _ = manage("render_letters", MEDIA_ROOT=str(tmp_path / "media")).communicate(
        timeout=600
    )
    assert OfficialLetter.objects.exclude(status="rendered").count() == 0, rendered
    outbox = tmp_path / "mail"
    mail = {
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    }
    mail["EMAIL_FILE_PATH"] = str(outbox)
    mail["WEBHOOK_ALLOWED_NETWORKS"] = "127.0.0.1/32"  # the local receiver is not public

    def done() -> int:
        return (
            Notification.objects.filter(status="sent").count()
            + WebhookDelivery.objects.filter(status="delivered").count()
        )

    try:
        killed = _kill_midway(lambda: manage("deliver", **mail), done, kills=scale.KILLS, seed=2)
        assert killed >= scale.KILLS * 0.8, f"only {killed} of {scale.KILLS} kills landed"
        assert done() < letters + hooks, "killed deliverers must have left work undone"
        # A dead deliverer's claims expire; the clean run comes after that.
        later = (timezone.now() + CLAIM_FOR + timedelta(seconds=1)).isoformat()
        output, _ = manage("deliver", "--now", later, **mail).communicate(timeout=600)
    finally:
        receiver.server.shutdown()

    assert Notification.objects.exclude(status="sent").count() == 0, output
    assert WebhookDelivery.objects.exclude(status="delivered").count() == 0, output
    sent = Counter(
        m for f in outbox.iterdir() for m in MESSAGE_ID.findall(f.read_text(errors="replace"))
    )
    assert len(sent) == letters, "every letter arrived"
    assert sum(sent.values()) - letters <= killed, "only an in-flight letter is sent twice"
    arrived = Counter(headers["webhook-id"] for headers, _ in receiver.received)
    assert set(arrived) == set(WebhookDelivery.objects.values_list("msg_id", flat=True))
    assert sum(arrived.values()) - hooks <= killed, "only an in-flight webhook is sent twice"
    print(
        f"\ndeliverer: {killed} SIGKILLs landed; {letters} letters sent "
        f"{sum(sent.values())} times, {hooks} webhooks sent {sum(arrived.values())} times"
    )
