"""Rate limits hold under parallel clients spread over two gunicorn workers sharing Redis.

An audit got 8 of 16 parallel sign-ins past a limit of 5, and 236 of 300 API requests past
120 a minute: each attempt was checked before the previous ones were counted. Attempts are
now counted first, atomically, in the shared cache.
"""

import os
import re
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from compliance.kernel.actors import Actor
from registry.services import api_key_create
from tests.support.processes import serving, web_server
from tests.support.waiting import wait_until

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    client.ping()  # fails clearly if Redis is down
    client.flushdb()
    port = _free_port()
    process = web_server(
        env={
            "CACHE_URL": REDIS_URL,
            "LOGIN_FAILURES_PER_ACCOUNT": "5",
            "LOGIN_FAILURES_PER_ADDRESS": "1000",
            # A day-long window: a burst of requests cannot straddle two windows.
            "API_THROTTLE_BURST": "120/day",
            "WEB_CONCURRENCY": "2",
            "VAR_DIR": str(tmp_path),
        },
        port=port,
        log=tmp_path / "gunicorn.log",
    )
    base = f"http://127.0.0.1:{port}"

    try:
        wait_until(lambda: serving(base), timeout=60, what="gunicorn to serve")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        client.flushdb()


def _signed_in_form(base: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{base}/admin/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return session, token


@pytest.mark.django_db(transaction=True)
def test_sixteen_parallel_sign_ins_let_exactly_five_through(officer, server):
    forms = [_signed_in_form(server) for _ in range(16)]

    def attempt(form: tuple[requests.Session, str]) -> int:
        session, token = form
        return session.post(
            f"{server}/admin/login/?next=/admin/",
            data={"username": "officer", "password": "wrong", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{server}/admin/login/"},
            timeout=30,
            allow_redirects=False,
        ).status_code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(attempt, forms))
    assert sorted(codes) == [200] * 5 + [429] * 11, codes


@pytest.mark.django_db(transaction=True)
def test_parallel_api_requests_stop_at_the_limit(make_platform, officer, server):
    _, key = api_key_create(platform=make_platform(), actor=Actor.staff(officer), name="load")
    headers = {"Authorization": f"Bearer {key}"}

    def call(_: int) -> int:
        return requests.get(f"{server}/api/v1/platform/", headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(32) as pool:
        codes = list(pool.map(call, range(300)))
    assert codes.count(200) == 120, codes
    assert codes.count(429) == 180
