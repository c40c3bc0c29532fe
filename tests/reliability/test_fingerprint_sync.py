"""Every serving process follows the hash lists: two gunicorn workers, each with its own index,
match a hash added after they loaded, and stop matching a withdrawn one, within seconds (the
figure is measured by `make bench`; here the behaviour)."""

import socket
import time

import pytest
import requests

from compliance.kernel.actors import Actor
from fingerprints import services
from notices.models import ContentCategory
from registry.services import api_key_create
from tests.support.processes import serving, web_server
from tests.support.waiting import wait_until

FIRST = "0f" * 32
LATER = "f0" * 32


@pytest.fixture
def server(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = web_server(
        env={"WEB_CONCURRENCY": "2", "VAR_DIR": str(tmp_path), "API_THROTTLE_BURST": "100000/day"},
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


def _matched(base: str, key: str, value: str) -> bool:
    # A new connection each time, so the two workers take turns answering.
    response = requests.post(
        f"{base}/api/v1/fingerprints/match",
        json={"hashes": [{"type": "pdq", "hash": value}]},
        headers={"Authorization": f"Bearer {key}", "Connection": "close"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["results"][0]["matched"]


def _every_worker_says(base: str, key: str, value: str, matched: bool) -> bool:
    """Ten answers in a row agree: both workers have answered, and both agree."""
    return all(_matched(base, key, value) is matched for _ in range(10))


@pytest.mark.django_db(transaction=True)
def test_both_workers_follow_additions_and_withdrawals(officer, make_platform, server):
    staff = Actor.staff(officer)
    platform = make_platform()
    _, key = api_key_create(platform=platform, actor=staff, name="sync")
    hash_list = services.hash_list_create(
        actor=staff, name="NCII", category=ContentCategory.objects.get(code="ncii")
    )
    [first] = services.hash_entries_add(
        actor=staff, hash_list=hash_list, hashes=[services.HashInput("pdq", FIRST)]
    )
    # Each worker loaded its (empty) index as it started; the entry comes as a change.
    wait_until(
        lambda: _every_worker_says(server, key, FIRST, matched=True),
        timeout=30,
        what="both workers to match the first hash",
    )
    assert _every_worker_says(server, key, LATER, matched=False)

    services.hash_entries_add(
        actor=staff, hash_list=hash_list, hashes=[services.HashInput("pdq", LATER)]
    )
    added = time.monotonic()
    wait_until(
        lambda: _every_worker_says(server, key, LATER, matched=True),
        timeout=30,
        what="both workers to match the added hash",
    )
    print(f"added hash matched by both workers after {time.monotonic() - added:.2f} s")

    services.hash_entry_withdraw(actor=staff, entry=first, reason="The victim withdrew it.")
    assert _every_worker_says(server, key, FIRST, matched=False)  # checked against the database
