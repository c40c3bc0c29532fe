"""Benchmark of the portal API under gunicorn on PostgreSQL (`make bench`; not a test).

Serves the app with gunicorn (2 sync workers), loads it from wrk on loopback, and prints
requests per second and p50/p99 latency of: GET /api/v1/orders/ (a page of 50 orders with 3
items each), POST .../acknowledge/ (an idempotent retry), and the same page from a bare Django
view (`.values()` + JsonResponse: the stack's floor), alternated, medians of three, all in one
run; then p99 at a fixed 100 requests per second of both.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_URL = os.environ.get(
    "BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/compliance_bench_api"
)
PORT = 8097
BASE = f"http://127.0.0.1:{PORT}"


def _prepare() -> str:
    """Create the database, one platform with 200 orders of 3 items, and an API key."""
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
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from compliance.kernel.actors import Actor
    from notices import services as notices
    from notices.models import Agency, ContentCategory
    from registry import services as registry
    from registry.models import Platform

    call_command("migrate", verbosity=0)
    officer, created = User.objects.get_or_create(username="bench-officer", is_staff=True)
    if created:
        officer.groups.add(Group.objects.get(name="officer"))
    actor = Actor.staff(officer)
    platform = Platform.objects.filter(name="Bench platform").first()
    if platform is None:
        platform = registry.platform_create(
            actor=actor,
            record={
                "name": "Bench platform",
                "legal_name": "PT Bench",
                "sector": "social_media",
                "is_ugc": True,
            },
            domains=["bench.example"],
            contacts=[
                {
                    "name": "C",
                    "role": "Legal",
                    "email": "c@bench.example",
                    "phone": "+62 21 555 0000",
                }
            ],
        )
        for n in range(200):
            order = notices.order_create(
                actor=actor,
                platform=platform,
                agency=Agency.objects.first(),
                category=ContentCategory.objects.get(code="ncii"),
                legal_basis="MR5",
                items=[notices.ItemInput(url=f"https://bench.example/{n}/{i}") for i in range(3)],
            )
            notices.order_issue(order=order, actor=actor)
    _, key = registry.api_key_create(platform=platform, actor=actor, name="bench")
    return key


def _serve() -> subprocess.Popen:
    env = {**os.environ, "BIND": f"127.0.0.1:{PORT}"}
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
            urllib.request.urlopen(f"{BASE}/bare/orders/", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start")


LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(url: str, headers: list[str], method: str = "GET", seconds: int = 10) -> dict[str, float]:
    script = ROOT / "bench" / "post.lua"
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if method == "POST":
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: float(v) * UNITS[u] for p, v, u in LATENCY.findall(output)}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        sys.exit(f"{url}: {non2xx.group(1)} failed responses\n{output}")
    return {"rps": rps, "p50": latency["50"], "p99": latency["99"]}


def _fixed_rate(url: str, headers: dict[str, str], rate: int = 100, seconds: int = 10) -> float:
    """p99 latency in ms at a fixed request rate (wrk measures at saturation)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def one() -> None:
        started = time.perf_counter()
        request = urllib.request.Request(url, headers=headers)
        urllib.request.urlopen(request, timeout=10).read()
        with lock:
            latencies.append((time.perf_counter() - started) * 1000)

    threads = []
    start = time.perf_counter()
    for n in range(rate * seconds):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return statistics.quantiles(latencies, n=100)[98]


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    key = _prepare()
    auth = f"Authorization: Bearer {key}"
    from notices.models import RemovalOrder

    reference = RemovalOrder.objects.filter(platform__name="Bench platform").first().reference
    (ROOT / "bench" / "post.lua").write_text(
        'wrk.method = "POST"\nwrk.headers["Idempotency-Key"] = "bench-ack"\n'
    )
    server = _serve()
    try:
        urllib.request.urlopen(
            urllib.request.Request(
                f"{BASE}/api/v1/orders/{reference}/acknowledge/",
                method="POST",
                headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "bench-ack"},
            )
        ).read()
        for url in (f"{BASE}/bare/orders/", f"{BASE}/api/v1/orders/"):  # warm up
            _wrk(url, [auth], seconds=3)
        # Alternated, three of each, medians: runs of one variant vary by about 10% here.
        runs: dict[str, list[dict[str, float]]] = {}
        for _ in range(3):
            for label, url, method in (
                ("bare view, .values()", f"{BASE}/bare/orders/", "GET"),
                ("GET /api/v1/orders/", f"{BASE}/api/v1/orders/", "GET"),
                (
                    "POST acknowledge (replay)",
                    f"{BASE}/api/v1/orders/{reference}/acknowledge/",
                    "POST",
                ),
            ):
                runs.setdefault(label, []).append(_wrk(url, [auth], method=method, seconds=5))
        results = {
            label: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50", "p99")}
            for label, rs in runs.items()
        }
        headers = {"Authorization": f"Bearer {key}"}
        p99_bare = _fixed_rate(f"{BASE}/bare/orders/", headers)
        p99_fixed = _fixed_rate(f"{BASE}/api/v1/orders/", headers)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        (ROOT / "bench" / "post.lua").unlink(missing_ok=True)
    bare = results["bare view, .values()"]["rps"]
    for label, r in results.items():
        print(
            f"{label:<28} {r['rps']:8.1f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
            f"  ({r['rps'] / bare:.2f} of bare)"
        )
    print(
        f"at a fixed 100 req/s, p99: GET /api/v1/orders/ {p99_fixed:.1f} ms (target: under 30), "
        f"bare view {p99_bare:.1f} ms"
    )
    print(
        f"portal vs bare: {results['GET /api/v1/orders/']['rps'] / bare:.2f} (target: 0.9 or more)"
    )


if __name__ == "__main__":
    main()
