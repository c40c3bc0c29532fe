"""Benchmark of the transparency figures on PostgreSQL (`make bench`; not a test).

Loads 1,000,000 removal orders of 2025 (BENCH_TRANSPARENCY_ORDERS changes it) on 200 platforms
(bigger platforms get more), two items each, with their decision records (issue, comply, and
for one order in five a missed deadline), warning letters, fines and objections: about
2.2 million decision records. Then, in one run:
  1. the refresh of one month's aggregates (and of its quarter and of the year), median of 3;
  2. the plain query over the raw tables a page would need without aggregates (orders and
     median time to removal per platform for the month, in one SQL statement), median of 3;
  3. the public page, a scorecard and each download under gunicorn (one sync worker),
     200 sequential requests each after a warm-up, p50 and p99: built on every request (no
     cache), then as served (cached until the next refresh);
and prints each beside the plain query. Results and analysis: docs/performance.md.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_SERVER = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/compliance_bench"
).rsplit("/", 1)[0]
BENCH_URL = os.environ.get(
    "BENCH_TRANSPARENCY_DATABASE_URL", f"{_SERVER}/compliance_bench_transparency"
)
ORDERS = int(os.environ.get("BENCH_TRANSPARENCY_ORDERS", "1000000"))
PLATFORMS = 200
PORT = 8099
BASE = f"http://127.0.0.1:{PORT}"
MONTH = "2025-06"
REQUESTS = 200


def _setup() -> None:
    import psycopg

    base, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    import django

    django.setup()


def _sql(statement: str, params: list | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


# Order g: issued at its share of 2025 (Jakarta time), on platform 1 + floor(sqrt(a spread of
# g)) (so platform 200 has ~400 times platform 1's orders), category and agency by g.
ISSUED = "timestamptz '2025-01-01 00:00+07' + (g * (31536000.0 / {n})) * interval '1 second'"
LATE = "g %% 5 = 0"
HOURS = f"CASE WHEN {LATE} THEN 24 + g %% 48 ELSE 0.5 + g %% 23 END"


def load() -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from notices.models import RemovalOrder

    call_command("migrate", verbosity=0)
    if _sql("SELECT count(*) FROM notices_removalorder")[0][0] == ORDERS:
        return
    print(f"loading {ORDERS:,} orders of 2025 on {PLATFORMS} platforms ...", flush=True)
    started = time.perf_counter()
    _sql(
        "TRUNCATE notices_objection_items, notices_objection, notices_orderitem, "
        "compliance_fine, compliance_warningletter, compliance_decisionrecord, "
        "notices_removalorder, transparency_aggregate, transparency_safetyscore, "
        "transparency_publication, registry_platform CASCADE"
    )
    _sql(
        "INSERT INTO registry_platform (id, name, legal_name, sector, business_model, is_ugc, "
        "is_foreign, country, leadership, incorporation_number, user_count, "
        "personal_data_processed, data_location, status, registration_number, times_blocked, "
        "created_at, updated_at) "
        "SELECT g, 'Platform ' || g, 'PT Platform ' || g, 'social_media', '', true, false, '', "
        "'', '', 1000, '', '', 'registered', 'REG-T-' || g, 0, now(), now() "
        "FROM generate_series(1, %s) g",
        [PLATFORMS],
    )
    categories = [r[0] for r in _sql("SELECT id FROM notices_contentcategory ORDER BY id")]
    agencies = [r[0] for r in _sql("SELECT id FROM notices_agency ORDER BY id")]
    issued = ISSUED.format(n=ORDERS)
    platform = f"1 + floor(sqrt((g::bigint * 7919) %% {PLATFORMS * PLATFORMS}))::int"
    _sql(
        "INSERT INTO notices_removalorder (id, reference, platform_id, agency_id, category_id, "
        "legal_basis, description, urgent, status, addressees, issued_at, due_at, "
        "escalation_level, reopen_status, created_at, updated_at, match_to_confirm, "
        f"is_reupload) SELECT g, 'RO-T-' || g, {platform}, "
        f"(%s::int[])[1 + g %% {len(agencies)}], (%s::int[])[1 + g %% {len(categories)}], "
        f"'MR5', '', false, 'complied', '[]', {issued}, {issued} + interval '24 hours', 0, '', "
        f"{issued}, now(), false, g %% 40 = 0 FROM generate_series(1, {ORDERS}) g",
        [agencies, categories],
    )
    _sql(
        "INSERT INTO notices_orderitem (order_id, url, content_id, status, off_platform_reason, "
        "note, actioned_at, reported_at) SELECT o.id, 'https://platform.example/v/' || o.id "
        "|| '/' || i, '', 'removed', '', '', now(), now() "
        "FROM notices_removalorder o, generate_series(1, 2) i"
    )
    order_type = ContentType.objects.get_for_model(RemovalOrder).pk
    record = (
        "INSERT INTO compliance_decisionrecord (seq, created_at, actor_kind, actor_label, "
        "content_type_id, object_id, object_repr, action, from_state, to_state, legal_basis, "
        "reason, links, prev_hash, hash, mac) SELECT {seq}, {at}, 'job', 'bench', %s, g::text, "
        "'RO-T-' || g, '{action}', {from_state}, '{to_state}', 'MR5', '', '[]', "
        "repeat('0', 64), repeat('0', 64), repeat('0', 64) "
        "FROM generate_series(1, %s) g {where}"
    )
    for seq, at, action, from_state, to_state, where in (
        ("3 * g - 2", issued, "removalorder.issue", "'draft'", "issued", ""),
        (
            "3 * g - 1",
            f"{issued} + interval '24 hours'",
            "removalorder.escalate",
            "'issued'",
            "warned",
            f"WHERE {LATE}",
        ),
        (
            "3 * g",
            f"{issued} + ({HOURS}) * interval '1 hour'",
            "removalorder.comply",
            f"CASE WHEN {LATE} THEN 'warned' ELSE 'issued' END",
            "complied",
            "",
        ),
    ):
        statement = record.format(
            seq=seq, at=at, action=action, from_state=from_state, to_state=to_state, where=where
        )
        _sql(statement, [order_type, ORDERS])
    _sql(
        "UPDATE compliance_decisionchainhead SET seq = (SELECT max(seq) FROM "
        "compliance_decisionrecord)"
    )
    _sql(
        "INSERT INTO compliance_warningletter (number, order_id, platform_id, level, issued_at, "
        "items_outstanding, legal_basis) SELECT 'WL-T-' || o.id, o.id, o.platform_id, 1, "
        "o.issued_at + interval '24 hours', 2, 'MR5' FROM notices_removalorder o "
        "WHERE o.id %% 5 = 0"
    )
    # One late order in ten also missed the first letter's deadline: a second letter with a
    # fine of Rp 100,000,000 per item, paid ten days later for half of them.
    _sql(
        "INSERT INTO compliance_warningletter (number, order_id, platform_id, level, issued_at, "
        "items_outstanding, legal_basis) SELECT 'WL2-T-' || o.id, o.id, o.platform_id, 2, "
        "o.issued_at + interval '48 hours', 2, 'MR5' FROM notices_removalorder o "
        "WHERE o.id %% 50 = 0"
    )
    _sql(
        "INSERT INTO compliance_fine (number, order_id, platform_id, letter_id, amount, currency, "
        "item_amounts, status, assessed_at, due_at, payment_reference, paid_at, waived_reason) "
        "SELECT 'F-T-' || l.order_id, l.order_id, l.platform_id, l.id, 200000000, 'IDR', '{}', "
        "CASE WHEN l.order_id %% 100 = 0 THEN 'paid' ELSE 'assessed' END, l.issued_at, "
        "l.issued_at + interval '14 days', '', "
        "CASE WHEN l.order_id %% 100 = 0 THEN l.issued_at + interval '10 days' END, '' "
        "FROM compliance_warningletter l WHERE l.level = 2"
    )
    _sql(
        "INSERT INTO notices_objection (order_id, reason, status, filed_at, decided_at, "
        "decision_reason) SELECT o.id, 'Satire.', CASE WHEN o.id %% 2 = 0 THEN 'upheld' ELSE "
        "'rejected' END, o.issued_at + interval '2 hours', o.issued_at + interval '20 hours', "
        "'' FROM notices_removalorder o WHERE o.id %% 97 = 0"
    )
    from django.db import connection

    connection.close()
    import psycopg

    with psycopg.connect(BENCH_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    records = _sql("SELECT count(*) FROM compliance_decisionrecord")[0][0]
    print(
        f"loaded in {time.perf_counter() - started:.0f} s: {records:,} decision records",
        flush=True,
    )


# What a page would run without aggregates: orders and the median time to removal per platform
# for the month, from the orders and the decision record.
RAW = """
SELECT o.platform_id, count(*),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY d.created_at - o.issued_at)
FROM compliance_decisionrecord d
JOIN notices_removalorder o ON o.id = d.object_id::bigint
WHERE d.action = 'removalorder.comply'
  AND d.created_at >= timestamptz '2025-06-01 00:00+07'
  AND d.created_at < timestamptz '2025-07-01 00:00+07'
GROUP BY o.platform_id
"""


def _timed(run, times: int = 3) -> float:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _serve(*, cached: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        **({} if cached else {"BENCH_NO_CACHE": "1"}),
        "DATABASE_URL": BENCH_URL,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{BASE}/transparency/data/periods.json", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start")


def _latency(path: str) -> tuple[float, float, int]:
    """p50 and p99 in ms of REQUESTS sequential GETs, and the body's size."""
    size = 0
    for _ in range(10):
        size = len(urllib.request.urlopen(BASE + path, timeout=30).read())
    seconds = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        urllib.request.urlopen(BASE + path, timeout=30).read()
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return (
        statistics.median(seconds) * 1000,
        seconds[max(0, int(len(seconds) * 0.99) - 1)] * 1000,
        size,
    )


def main() -> None:
    _setup()
    load()
    from transparency.periods import Period
    from transparency.services import transparency_refresh

    def refreshed(key: str) -> float:
        """One refresh from nothing published (a final period is never refreshed again)."""
        _sql(
            "TRUNCATE transparency_publication, transparency_aggregate, "
            "transparency_download, transparency_safetyscore"
        )
        started = time.perf_counter()
        transparency_refresh(period=Period.parse(key))
        return time.perf_counter() - started

    refresh = statistics.median(refreshed(MONTH) for _ in range(3))
    raw = _timed(lambda: _sql(RAW))
    quarter, year = refreshed("2025-Q2"), refreshed("2025")
    # What the pages read: the month (last, as the refreshes above emptied the tables).
    transparency_refresh(period=Period.parse(MONTH))
    figures = _sql("SELECT count(*) FROM transparency_aggregate WHERE period_kind = 'month'")[0][0]
    print(f"\n{ORDERS:,} orders; {figures:,} figures for {MONTH}")
    print(f"refresh of {MONTH} (median of 3): {refresh:.2f} s")
    print(f"refresh of 2025-Q2: {quarter:.2f} s; of 2025: {year:.2f} s")
    print(f"plain query over the raw tables (orders, median per platform): {raw * 1000:.0f} ms")
    print(f"refresh / plain query: {refresh / raw:.1f}x\n")

    busiest = _sql(
        "SELECT platform_id FROM transparency_aggregate WHERE period_kind = 'month' "
        "AND metric = 'orders_issued' AND dimension = '' AND platform_id IS NOT NULL "
        "ORDER BY value DESC LIMIT 1"
    )[0][0]
    paths = [
        f"/transparency/?period={MONTH}",
        f"/transparency/platforms/{busiest}/?period={MONTH}",
        f"/transparency/data/figures.csv?period={MONTH}",
        f"/transparency/data/figures.json?period={MONTH}",
        f"/transparency/data/scores.csv?period={MONTH}",
        "/transparency/data/periods.json",
    ]
    for cached in (False, True):
        server = _serve(cached=cached)
        try:
            state = "cached (after the first request)" if cached else "built on every request"
            print(f"\n{state}")
            print(f"{'page':<52} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>10} {'p99 / query':>12}")
            for path in paths:
                p50, p99, size = _latency(path)
                ratio = p99 / (raw * 1000)
                print(f"{path:<52} {p50:>8.1f} {p99:>8.1f} {size:>10,} {ratio:>11.3f}x")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
