"""Benchmark of the deadline sweep on PostgreSQL (`make bench`; not a test).

Loads N open orders of which D are overdue, then measures in the same run:
  1. one sweep escalating the D due orders (escalations per second);
  2. the floor: the same rows written by one set-based SQL statement per table;
  3. two sweeps in parallel processes (skip-locked);
  4. a sweep when nothing is due (median of 20), with the claim query's plan.
1-3 are run --runs times, alternated; each run starts from the same data, just after a
checkpoint. Prints every run, the medians and their ratios. Uses its own database
(BENCH_DATABASE_URL), created if missing; `make bench` gives it a private server sized for the
data (bench/postgres.sh). Results and analysis: docs/performance.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/compliance_bench"
)


def _setup() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    # Production settings (DEBUG off): with DEBUG on, Django keeps the text of every query.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    import django

    django.setup()
    from compliance.kernel.heap import heap_freeze

    heap_freeze()  # as the worker and `manage.py escalate` do once started


def _create_database() -> None:
    import psycopg

    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _sql(statement: str, params: list | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def load(orders: int, due: int, platforms: int = 1000) -> None:
    """Generate the data set in SQL (seconds, not minutes)."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if _sql("SELECT count(*) FROM notices_removalorder")[0][0] == orders:
        return
    print(f"loading {orders:,} orders ({due:,} due) on {platforms:,} platforms ...", flush=True)
    started = time.perf_counter()
    _sql(
        "TRUNCATE notices_orderitem, notices_removalorder, registry_platformcontact, "
        "registry_platformdomain, compliance_accessblock_orders, compliance_accessblock, "
        "compliance_fine, compliance_warningletter, compliance_notification, "
        "compliance_officialletter, compliance_decisionrecord, registry_platform CASCADE"
    )
    user, _ = User.objects.get_or_create(username="bench")
    _sql(
        "INSERT INTO registry_platform (id, name, legal_name, sector, business_model, is_ugc, "
        "is_foreign, country, leadership, incorporation_number, user_count, "
        "personal_data_processed, data_location, status, registration_number, times_blocked, "
        "created_at, updated_at) "
        "SELECT g, 'Platform ' || g, 'PT Platform ' || g, 'social_media', '', true, false, '', "
        "'', '', 1000, '', '', 'registered', 'REG-B-' || g, 0, now(), now() "
        "FROM generate_series(1, %s) g",
        [platforms],
    )
    _sql(
        "INSERT INTO registry_platformcontact (platform_id, name, role, email, phone) "
        "SELECT id, 'Contact', 'Legal', 'legal' || id || '@platform.example', '+62 21 555 0000' "
        "FROM registry_platform"
    )
    version = _sql("SELECT id FROM compliance_escalationpolicyversion ORDER BY id LIMIT 1")[0][0]
    agency = _sql("SELECT id FROM notices_agency ORDER BY id LIMIT 1")[0][0]
    category = _sql("SELECT id FROM notices_contentcategory WHERE code = 'ncii'")[0][0]
    every = orders // due
    _sql(
        "INSERT INTO notices_removalorder (id, reference, platform_id, agency_id, category_id, "
        "legal_basis, description, urgent, status, policy_version_id, addressees, issued_at, "
        "due_at, escalation_level, reopen_status, created_by_id, created_at, updated_at, "
        "is_reupload, match_to_confirm) "
        "SELECT g, 'RO-B-' || g, 1 + g %% %s, %s, %s, 'MR5 Art. 9(4)', '', false, 'issued', %s, "
        "'[]', now() - interval '2 days', "
        "CASE WHEN g %% %s = 0 THEN now() - interval '1 hour' ELSE now() + interval '1 day' END, "
        "0, '', %s, now(), now(), false, false FROM generate_series(1, %s) g",
        [platforms, agency, category, version, every, user.pk, orders],
    )
    _sql(
        "INSERT INTO notices_orderitem (order_id, url, content_id, status, off_platform_reason, "
        "note) SELECT id, 'https://platform.example/v/' || id, '', 'pending', '', '' "
        "FROM notices_removalorder"
    )
    for table in ("notices_removalorder", "registry_platform", "notices_orderitem"):
        _sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    _vacuum()
    print(f"loaded in {time.perf_counter() - started:.1f} s", flush=True)


def _vacuum() -> None:
    from django.db import connection

    connection.close()
    import psycopg

    with psycopg.connect(BENCH_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        # Every run starts just after a checkpoint, so each pays the same full-page writes:
        # without it, runs of the same code varied by ~20% with the checkpoint's timing.
        conn.execute("CHECKPOINT")


def reset(due_every: int) -> None:
    """Put the due orders back to `issued` and forget what a run wrote."""
    _sql(
        "TRUNCATE compliance_warningletter, compliance_fine, compliance_notification, "
        "compliance_officialletter, compliance_decisionrecord, compliance_accessblock_orders, "
        "compliance_accessblock CASCADE"
    )
    _sql("UPDATE compliance_decisionchainhead SET seq = 0, hash = repeat('0', 64)")
    _sql("DELETE FROM compliance_counter")
    _sql(
        "UPDATE notices_removalorder SET status = 'issued', escalation_level = 0, "
        "due_at = now() - interval '1 hour' WHERE id %% %s = 0",
        [due_every],
    )
    _vacuum()


def _worker(batch_size: int, start: multiprocessing.Event, results: multiprocessing.Queue) -> None:
    _setup()
    start.wait()
    from django.utils import timezone

    from compliance.sweep.claim import orders_sweep

    results.put(orders_sweep(now=timezone.now(), batch_size=batch_size).escalated)


def sweep(workers: int, batch_size: int) -> tuple[int, float]:
    """`workers` sweep processes, forked as Celery's prefork pool forks its workers and
    started at once: escalations, and seconds from the start to the last one's end. One
    worker is measured this way too, so the figures differ only in the number of workers."""
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Event(), ctx.Queue()
    processes = [
        ctx.Process(target=_worker, args=(batch_size, start, results)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    time.sleep(2)  # let every process finish django.setup() before the clock starts
    started = time.perf_counter()
    start.set()
    done = [results.get(timeout=900) for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    return sum(done), elapsed


def floor(now_sql: str = "now()") -> tuple[int, float]:
    """The same rows, one set-based statement per table, no hash chain: the database's floor."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from compliance.sanctions.models import WarningLetter
    from notices.models import RemovalOrder

    ct = ContentType.objects.get_for_model(RemovalOrder).pk
    letter_ct = ContentType.objects.get_for_model(WarningLetter).pk
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE due ON COMMIT DROP AS SELECT id, platform_id, reference, "
            "row_number() OVER (ORDER BY due_at) AS n FROM (SELECT o.id, o.platform_id, "
            "o.reference, o.due_at FROM notices_removalorder o "
            "WHERE o.status IN ('issued', 'acknowledged', 'warned', 'fined') "
            f"AND o.clock_paused_at IS NULL AND o.due_at <= {now_sql} FOR UPDATE) locked"
        )
        cursor.execute(
            f"UPDATE notices_removalorder o SET status = 'warned', escalation_level = 1, "
            f"due_at = {now_sql} + interval '24 hours', updated_at = {now_sql} FROM due "
            "WHERE o.id = due.id"
        )
        count = cursor.rowcount
        cursor.execute(
            "INSERT INTO compliance_warningletter (number, order_id, platform_id, level, "
            "issued_at, response_due_at, items_outstanding, legal_basis) SELECT 'WL-F-' || n, id, "
            f"platform_id, 1, {now_sql}, {now_sql} + interval '24 hours', "
            "(SELECT count(*) FROM notices_orderitem i WHERE i.order_id = due.id "
            "AND i.status IN ('pending', 'disputed')), 'MR5 Art. 15(11)' FROM due"
        )
        cursor.execute(
            "INSERT INTO compliance_officialletter (number, kind, platform_id, content_type_id, "
            "object_id, issued_at, facts, code, status, attempts, next_attempt_at, last_error, "
            "file, sha256) SELECT l.number, 'warning', l.platform_id, %s, l.id::text, l.issued_at, "
            "'{}', upper(substr(md5(l.number), 1, 4) || '-' || substr(md5(l.number), 5, 4)), "
            "'pending', 0, now(), '', '', '' FROM compliance_warningletter l "
            "JOIN due ON due.id = l.order_id",
            [letter_ct],
        )
        cursor.execute(
            "INSERT INTO compliance_decisionrecord (seq, created_at, actor_kind, actor_label, "
            "content_type_id, object_id, object_repr, action, from_state, to_state, legal_basis, "
            "reason, links, prev_hash, hash, mac) SELECT n, now(), 'job', "
            f"'job:escalation-sweep', {ct}, id::text, reference, 'removalorder.escalate', "
            "'issued', 'warned', 'MR5 Art. 15(11)', 'Deadline passed', '[]', repeat('0', 64), "
            "md5(id::text) || md5(reference), md5(reference) || md5(id::text) FROM due"
        )
        cursor.execute(
            "INSERT INTO compliance_notification (event, platform_id, letter_id, recipients, "
            "subject, body, status, attempts, next_attempt_at, last_error, created_at) SELECT "
            "'order.escalated', platform_id, 'WL-F-' || n, '[]', 'Warning letter 1: ' || "
            "reference, 'Warning letter', 'pending', 0, now(), '', now() FROM due"
        )
    return count, time.perf_counter() - started


def noop_sweep() -> tuple[float, str]:
    from django.db import transaction
    from django.utils import timezone

    from compliance.sweep.claim import orders_due, orders_sweep

    now = timezone.now()
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        orders_sweep(now=now)
        timings.append(time.perf_counter() - started)
    query = (
        orders_due(now=now)
        .order_by("due_at")
        .select_for_update(skip_locked=True)
        .values("id")[:2000]
    )
    with transaction.atomic():
        plan = query.explain(analyze=True)
    return statistics.median(timings), plan


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument(
        "--runs", type=int, default=5, help="Runs of each, alternated; medians are compared."
    )
    args = parser.parse_args()
    _create_database()
    _setup()
    load(args.orders, args.due)
    every = args.orders // args.due
    runs: dict[str, list[tuple[int, float]]] = {}
    for n in range(1, args.runs + 1):
        for label, run in [
            ("sweep, 1 worker", lambda: sweep(1, args.batch_size)),
            ("floor, set-based SQL", floor),
            ("sweep, 2 workers", lambda: sweep(2, args.batch_size)),
        ]:
            reset(every)
            count, seconds = run()
            runs.setdefault(label, []).append((count, seconds))
            print(
                f"run {n}: {label:<22} {count:>8,} escalations in {seconds:6.2f} s "
                f"= {count / seconds:>9,.0f}/s",
                flush=True,
            )
    noop, plan = noop_sweep()
    rate = {k: statistics.median(n / s for n, s in v) for k, v in runs.items()}
    one_rate, floor_rate, two_rate = (
        rate["sweep, 1 worker"],
        rate["floor, set-based SQL"],
        rate["sweep, 2 workers"],
    )
    print(f"\nmedians of {args.runs} runs:")
    for label, value in rate.items():
        print(f"  {label:<22} {value:>9,.0f}/s")
    print(f"1 worker vs floor:    {floor_rate / one_rate:.2f}x slower (target: within 2.5x)")
    print(f"2 workers vs 1:       {two_rate / one_rate:.2f}x (target: 1.6x)")
    print(f"1 worker rate:        {one_rate:,.0f}/s (target: 10,000/s)")
    print(f"no-op sweep (median of 20): {noop * 1000:.2f} ms (target: under 10 ms)")
    print("claim query plan when nothing is due:")
    print(plan)
    counts = {count for v in runs.values() for count, _ in v}
    if counts != {args.due}:
        sys.exit(f"every run must escalate exactly the {args.due:,} due orders: {runs}")


if __name__ == "__main__":
    sys.exit(main())
