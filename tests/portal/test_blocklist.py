"""The ISP feed: domains of platforms with a block in force, with ETag polling."""

import pytest

from compliance.kernel.actors import Actor
from compliance.sanctions import services as sanctions


@pytest.fixture
def blocked(make_platform, officer, supervisor):
    platform = make_platform(registered=False, domains=["judi.example", "cdn.judi.example"])
    block = sanctions.access_block_propose(
        platform=platform, actor=Actor.staff(officer), reason="unlicensed gambling"
    )
    return platform, block


def test_feed_before_and_after_the_block_and_after_lifting(client, blocked, officer, supervisor):
    platform, block = blocked
    assert client.get("/api/v1/blocklist/").json() == {"count": 0, "domains": []}
    assert client.get("/api/v1/blocklist.txt").content == b""

    block = sanctions.access_block_approve(block=block, actor=Actor.staff(supervisor))
    feed = client.get("/api/v1/blocklist/").json()
    assert [d["domain"] for d in feed["domains"]] == ["cdn.judi.example", "judi.example"]
    assert feed["domains"][0]["platform"] == platform.name
    assert feed["domains"][0]["block"] == block.number
    assert feed["domains"][0]["since"].startswith(block.in_force_at.isoformat()[:19])
    text = client.get("/api/v1/blocklist.txt")
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content == b"cdn.judi.example\njudi.example\n"

    release = sanctions.access_block_lift_propose(
        block=block, actor=Actor.staff(officer), reason="court order"
    )
    sanctions.sanction_release_approve(release=release, actor=Actor.staff(supervisor))
    assert client.get("/api/v1/blocklist.txt").content == b""


def test_etag_lets_isps_poll_cheaply(client, blocked, supervisor):
    first = client.get("/api/v1/blocklist.txt")
    etag = first["ETag"]
    again = client.get("/api/v1/blocklist.txt", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    sanctions.access_block_approve(block=blocked[1], actor=Actor.staff(supervisor))
    changed = client.get("/api/v1/blocklist.txt", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_feed_is_read_only(client):
    assert client.post("/api/v1/blocklist/").status_code == 405
