"""Benchmark of hash matching (`make bench`; not a test). Every figure beside FAISS's brute-force
`IndexBinaryFlat` on the same data in the same run.

The index: 1,000,000 and 10,000,000 PDQ hashes (BENCH_HASHES changes the sizes), uniform random
and clustered (bases with variants 1 to 11 bits away, as re-encodes of one image give). For
each: build time and memory; one lookup at radius 31, p50 and p99 (half the queries near a
stored hash, half random); the 8 rotations and flips of one image; and a check that both find
the same (hash, distance) pairs.

End to end at 1,000,000 (PostgreSQL, BENCH_DATABASE_URL's server): the hashes loaded into
hash-list entries, the portal under gunicorn (one sync worker) loading its index from the
database; then a 1,000-hash call to POST /api/v1/fingerprints/match, the serving process's
memory, and the time until a hash added through the services is matched.
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fingerprints.index import HashIndex  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_HASHES", "1000000,10000000").split(",")]
RADIUS = 31
PORT = 8098
BASE = f"http://127.0.0.1:{PORT}"
RNG = np.random.default_rng(2026)


def uniform(n: int) -> np.ndarray:
    return RNG.integers(0, 256, size=(n, 32), dtype=np.uint8)


def flip(codes: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Each row with its own number of random bits flipped."""
    out = np.unpackbits(codes, axis=1)
    for row, count in enumerate(bits):
        out[row, RNG.choice(256, size=int(count), replace=False)] ^= 1
    return np.packbits(out, axis=1)


def clustered(n: int, per_base: int = 20) -> np.ndarray:
    bases = uniform(n // per_base)
    out = np.repeat(bases, per_base, axis=0)
    variants = np.ones(len(out), dtype=bool)
    variants[::per_base] = False
    # Flip 1 to 11 bits of every variant, vectorised: XOR with a mask of that many bits.
    masks = np.zeros((variants.sum(), 256), dtype=np.uint8)
    counts = RNG.integers(1, 12, size=len(masks))
    for bit in range(11):
        columns = RNG.integers(0, 256, size=len(masks))
        chosen = counts > bit
        masks[np.flatnonzero(chosen), columns[chosen]] = 1
    out[variants] ^= np.packbits(masks, axis=1)
    return out


def queries(codes: np.ndarray, count: int) -> np.ndarray:
    """Half near stored hashes (0 to 31 bits away), half random."""
    near = flip(codes[RNG.choice(len(codes), size=count // 2)], RNG.integers(0, 32, count // 2))
    return np.concatenate([near, uniform(count - count // 2)])


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = np.array(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def timed(fn: Callable[[np.ndarray], object], batch: np.ndarray, step: int = 1) -> list[float]:
    out = []
    for i in range(0, len(batch), step):
        started = time.perf_counter()
        fn(batch[i : i + step])
        out.append(time.perf_counter() - started)
    return out


def flat_pairs(flat: faiss.IndexBinaryFlat, query: np.ndarray) -> set[tuple[int, int]]:
    _, distances, labels = flat.range_search(query, RADIUS + 1)  # FAISS: distance < radius
    return set(zip(labels.tolist(), distances.tolist(), strict=True))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def index_section(n: int, kind: str) -> None:
    """The serving processes' index (FAISS's flat index behind our keys and batching) beside
    the bare `IndexBinaryFlat`, and, up to 1,000,000, FAISS's multi-index hash (what avoids
    the full scan, at a price in memory)."""
    codes = uniform(n) if kind == "uniform" else clustered(n)
    started = time.perf_counter()
    index = HashIndex()
    index.add(range(n), codes)
    build = time.perf_counter() - started
    started = time.perf_counter()
    flat = faiss.IndexBinaryFlat(256)
    flat.add(codes)
    flat_build = time.perf_counter() - started

    asked = queries(codes, 1000 if n <= 1_000_000 else 300)
    ours = percentiles(timed(lambda q: index.search(q, RADIUS), asked))
    bare = percentiles(timed(lambda q: flat.range_search(q, RADIUS + 1), asked))
    same = all(
        {(h.key, h.distance) for h in hits} == flat_pairs(flat, q[None, :])
        for q, hits in zip(asked[:200], index.search(asked[:200], RADIUS), strict=True)
    )
    # One image's 8 turns, asked together: one near a stored hash, 7 others.
    turns = np.concatenate([np.concatenate([asked[i : i + 1], uniform(7)]) for i in range(100)])
    ours8 = percentiles(timed(lambda q: index.search(q, RADIUS), turns, 8))
    bare8 = percentiles(timed(lambda q: flat.range_search(q, RADIUS + 1), turns, 8))
    print(
        f"{n:>10,} {kind:<9} | ours {index.nbytes / 2**20:5.0f} MiB, built in {build:4.1f} s"
        f" | FAISS flat {codes.nbytes / 2**20:5.0f} MiB, {flat_build:4.1f} s\n"
        f"{'':21}| one lookup p50 {ours[0]:6.2f} ms p99 {ours[1]:6.2f} ms"
        f" | FAISS flat p50 {bare[0]:6.2f} ms p99 {bare[1]:6.2f} ms"
        f" | p99 ours/flat {ours[1] / bare[1]:4.2f}\n"
        f"{'':21}| 8 turns    p50 {ours8[0]:6.2f} ms p99 {ours8[1]:6.2f} ms"
        f" | FAISS flat p50 {bare8[0]:6.2f} ms p99 {bare8[1]:6.2f} ms"
        f" | p99 ours/flat {ours8[1] / bare8[1]:4.2f}\n"
        f"{'':21}| same (hash, distance) pairs as the flat scan on 200 queries: {same}"
    )
    if not same:
        sys.exit("the index and the brute force disagree")
    if n <= 1_000_000:
        started = time.perf_counter()
        multi = faiss.IndexBinaryMultiHash(256, 16, 16)  # 16 tables of 16 bits: exact to 31
        multi.nflip = 1
        multi.add(codes)
        multi_build = time.perf_counter() - started
        size = faiss.serialize_index_binary(multi).nbytes / 2**20
        mh = percentiles(timed(lambda q: multi.range_search(q, RADIUS + 1), asked))
        print(
            f"{'':21}| FAISS multi-hash: p50 {mh[0]:6.2f} ms p99 {mh[1]:6.2f} ms,"
            f" built in {multi_build:.1f} s, {size:.0f} MiB serialized"
            f" | p99 flat/multi-hash {bare[1] / mh[1]:4.2f}"
        )
        del multi


# End to end.


def _database() -> str:
    import psycopg

    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/compliance_bench"
    )
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS compliance_bench_hashes")
        conn.execute("CREATE DATABASE compliance_bench_hashes")
    return f"{base}/compliance_bench_hashes"


def _load(codes: np.ndarray) -> tuple[str, object, object]:
    """Migrate; put `codes` in one list (by COPY: the decision records of a bulk load are not
    what is measured); a platform with a key. Returns the key, the list and an officer."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from compliance.kernel.actors import Actor
    from compliance.kernel.counters import counter_reserve
    from fingerprints import services
    from notices.models import ContentCategory
    from registry import services as registry

    call_command("migrate", verbosity=0)
    user = User.objects.create(username="bench-officer", is_staff=True)
    user.groups.add(Group.objects.get(name="officer"))
    officer = Actor.staff(user)
    hash_list = services.hash_list_create(
        actor=officer, name="bench", category=ContentCategory.objects.get(code="ncii")
    )
    rows = io.StringIO()
    now = timezone.now().isoformat()
    started = time.perf_counter()
    with transaction.atomic():
        first = counter_reserve(name="hash_change", year=0, count=len(codes))
        hexed = codes.tobytes().hex()
        for n in range(len(codes)):
            value = hexed[64 * n : 64 * n + 64]
            rows.write(
                f"{hash_list.pk}\tpdq\t{value}\t[]\tactive\tjob:bench\t\t{first + n}\t0\t0\t{now}\n"
            )
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY fingerprints_hashentry (hash_list_id, hash_type, value, frames, status,"
                " submitted_by_label, note, change_seq, false_positive_reports, matches,"
                " created_at) FROM STDIN"
            ) as copy,
        ):
            copy.write(rows.getvalue())
    with connection.cursor() as cursor:
        # As autovacuum would have by then: a table just loaded is read the first time with
        # writes (hint bits), which is not what a serving process meets.
        cursor.execute("VACUUM ANALYZE fingerprints_hashentry")
    print(f"loaded {len(codes):,} entries into PostgreSQL in {time.perf_counter() - started:.1f} s")
    platform = registry.platform_create(
        actor=officer,
        record={
            "name": "Bench",
            "legal_name": "PT Bench",
            "sector": "social_media",
            "is_ugc": True,
        },
        domains=["bench.example"],
        contacts=[
            {"name": "C", "role": "Legal", "email": "c@bench.example", "phone": "+62 21 555 0000"}
        ],
    )
    _, key = registry.api_key_create(platform=platform, actor=officer, name="bench")
    return key, hash_list, officer


def _serve(url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": "1",
        "HASH_INDEX_SYNC_SECONDS": "1",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--timeout",
            "300",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _match(key: str, hashes: list[str]) -> list[bool]:
    body = json.dumps({"hashes": [{"type": "pdq", "hash": h} for h in hashes]}).encode()
    request = urllib.request.Request(
        f"{BASE}/api/v1/fingerprints/match",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    answer = json.loads(urllib.request.urlopen(request, timeout=600).read())
    return [r["matched"] for r in answer["results"]]


def _worker_memory(master: int) -> tuple[float, float]:
    """The gunicorn worker's resident and peak memory, MiB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    found = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(found["VmRSS"].split()[0]) / 1024, int(found["VmHWM"].split()[0]) / 1024


def api_section(n: int) -> None:
    codes = uniform(n)
    url = _database()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    key, hash_list, officer = _load(codes)
    from django.db import connection

    from fingerprints.matcher import MATCHER

    started = time.perf_counter()
    MATCHER.sync(force=True)
    load = time.perf_counter() - started
    MATCHER.reset()
    connection.close()
    server = _serve(url)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{BASE}/admin/login/", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("gunicorn did not start")
                time.sleep(0.2)
        asked = queries(codes, 1000)
        hexes = [row.tobytes().hex() for row in asked]
        calls = []
        for _ in range(20):
            started = time.perf_counter()
            matched = _match(key, hexes)
            calls.append(time.perf_counter() - started)
        rss, peak = _worker_memory(server.pid)
        flat = faiss.IndexBinaryFlat(256)
        flat.add(codes)
        flat_calls = timed(
            lambda q: flat.range_search(q, RADIUS + 1), np.concatenate([asked] * 3), 1000
        )
        call = percentiles(calls)
        flat_call = percentiles(flat_calls)
        latencies = _add_then_match(key, hash_list, officer)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    print(
        f"end to end, {n:,} hashes in PostgreSQL, one gunicorn worker:\n"
        f"  index loaded from the database (each worker, as it starts): {load:.1f} s\n"
        f"  serving process: {rss:.0f} MiB resident, {peak:.0f} MiB at its peak (limit 256)\n"
        f"  POST /fingerprints/match, 1,000 hashes ({sum(matched)} matched):"
        f" p50 {call[0]:.0f} ms, p99 {call[1]:.0f} ms"
        f" | FAISS flat, the same 1,000 in one scan, no HTTP: p50 {flat_call[0]:.0f} ms,"
        f" p99 {flat_call[1]:.0f} ms\n"
        f"  added through the services until matched by the worker: median"
        f" {statistics.median(latencies):.2f} s, worst {max(latencies):.2f} s"
        f" of {len(latencies)} (limit 5 s)"
    )


def _add_then_match(key: str, hash_list: object, officer: object) -> list[float]:
    from fingerprints import services

    out = []
    for value in uniform(10):
        hexed = value.tobytes().hex()
        services.hash_entries_add(
            actor=officer, hash_list=hash_list, hashes=[services.HashInput("pdq", hexed)]
        )
        started = time.perf_counter()
        while not _match(key, [hexed])[0]:
            time.sleep(0.02)
        out.append(time.perf_counter() - started)
        time.sleep(RNG.uniform(0, 1))  # land anywhere in the worker's sync interval
    return out


def main() -> None:
    print(f"hash index: radius {RADIUS}")
    for n in SIZES:
        for kind in ("uniform", "clustered"):
            index_section(n, kind)
    api_section(min(SIZES))
    print(f"the benchmark's own process peaked at {peak_mb():.0f} MiB")


if __name__ == "__main__":
    main()
