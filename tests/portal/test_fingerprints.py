"""The hash-list API: matching before publishing, downloading the lists in pages with a cursor
(withdrawals included), reporting on matches; bad input refused as problems."""

import pytest
from django.urls import reverse

from compliance.kernel.actors import Actor
from fingerprints import services
from fingerprints.matcher import MATCHER
from fingerprints.models import HashEntry, Match, PlatformUsage
from notices.models import ContentCategory, RemovalOrder

MATCH = reverse("v1:fingerprints-match")
LISTS = reverse("v1:fingerprints")
SHA = "ab" * 32
PDQ = "0f" * 32


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.HASH_INDEX_SYNC_SECONDS = 0
    MATCHER.reset()
    yield
    MATCHER.reset()


@pytest.fixture
def staff(officer):
    return Actor.staff(officer)


@pytest.fixture
def ncii(staff):
    hash_list = services.hash_list_create(
        actor=staff, name="NCII", category=ContentCategory.objects.get(code="ncii")
    )
    services.hash_entries_add(
        actor=staff,
        hash_list=hash_list,
        hashes=[services.HashInput("sha256", SHA), services.HashInput("pdq", PDQ, quality=90)],
    )
    return hash_list


@pytest.fixture
def platform(make_platform):
    return make_platform()


@pytest.fixture
def client(client_for, platform):
    return client_for(platform)


def test_match_answers_each_hash_in_order(client, ncii):
    near = "0e" + "0f" * 31  # one bit off the listed PDQ hash
    response = client.post(
        MATCH,
        {
            "hashes": [
                {"type": "sha256", "hash": SHA.upper()},
                {"type": "pdq", "hash": "f0" * 32, "variants": [near]},
                {"type": "md5", "hash": "cd" * 16},
            ]
        },
        format="json",
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["matched"] for r in results] == [True, True, False]
    first = results[0]["matches"][0]
    assert set(first) == {"match_id", "list", "category", "distance", "share"}
    assert (first["list"], first["category"], first["distance"]) == ("NCII", "ncii", 0)
    assert results[1]["matches"][0]["distance"] == 1
    assert type(results[1]["matches"][0]["distance"]) is int
    assert Match.objects.filter(public_id=first["match_id"]).exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"hashes": [{"type": "sha1", "hash": SHA}]}, 400, "hashes.0.type"),
        ({"hashes": [{"type": "pdq", "hash": "zz" * 32}]}, 400, "hashes.0.hash"),
        ({"hashes": [{"type": "md5", "hash": SHA}]}, 422, "hashes.0"),
        ({"hashes": [{"type": "md5", "hash": "ab" * 16}] * 1001}, 400, "hashes"),
        ({"hashes": []}, 400, "hashes"),
        ({"hashes": [{"type": "md5", "hash": "ab" * 16, "extra": 1}]}, 400, "hashes.0.extra"),
    ],
)
def test_bad_hashes_are_problems_and_write_nothing(client, ncii, body, status, field):
    response = client.post(MATCH, body, format="json")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Match.objects.exists()
    assert not PlatformUsage.objects.exists()


def test_more_than_a_thousand_hashes_counting_variants_is_refused(client, ncii):
    body = {"hashes": [{"type": "pdq", "hash": PDQ, "variants": [PDQ] * 7}] * 126}
    response = client.post(MATCH, body, format="json")
    assert response.status_code == 422
    assert "At most 1000 hashes a call" in response.json()["errors"][0]["message"]


def test_lists_download_in_pages_then_only_changes(client, ncii, staff, platform):
    first = client.get(LISTS, {"limit": 1}).json()
    assert [item["name"] for item in first["lists"]] == ["NCII"]
    assert [e["hash"] for e in first["results"]] == [SHA]
    assert first["more"] is True
    second = client.get(LISTS, {"limit": 1, "cursor": first["cursor"]}).json()
    assert [(e["type"], e["hash"], e["quality"]) for e in second["results"]] == [("pdq", PDQ, 90)]
    done = client.get(LISTS, {"cursor": second["cursor"]}).json()
    assert done["results"] == []
    assert done["more"] is False

    # A withdrawal and an addition since: both come, the withdrawal as not matchable.
    entry = HashEntry.objects.get(value=SHA)
    services.hash_entry_withdraw(actor=staff, entry=entry, reason="The victim withdrew it.")
    services.hash_entries_add(
        actor=staff, hash_list=ncii, hashes=[services.HashInput("md5", "cd" * 16)]
    )
    changes = client.get(LISTS, {"cursor": done["cursor"]}).json()
    assert [(e["hash"], e["status"], e["matchable"]) for e in changes["results"]] == [
        (SHA, "withdrawn", False),
        ("cd" * 16, "active", True),
    ]
    assert PlatformUsage.objects.get(platform=platform).last_synced_at is not None


def test_a_first_download_skips_what_no_longer_matches(client, ncii, staff):
    entry = HashEntry.objects.get(value=SHA)
    services.hash_entry_withdraw(actor=staff, entry=entry, reason="The victim withdrew it.")
    body = client.get(LISTS).json()
    assert [e["hash"] for e in body["results"]] == [PDQ]


def test_a_restricted_list_is_invisible_to_other_platforms(
    client, client_for, make_platform, ncii, staff, platform
):
    other = client_for(make_platform())
    before = other.get(LISTS).json()
    services.hash_list_restrict(actor=staff, hash_list=ncii, platforms=[platform])
    assert other.get(LISTS, {"cursor": before["cursor"]}).json()["lists"] == []
    assert other.get(LISTS).json() == {
        "lists": [],
        "results": [],
        "cursor": other.get(LISTS).json()["cursor"],
        "more": False,
    }
    refused = other.post(MATCH, {"hashes": [{"type": "sha256", "hash": SHA}]}, format="json")
    assert refused.json()["results"][0]["matched"] is False
    assert client.get(LISTS).json()["lists"][0]["name"] == "NCII"


def test_a_list_opened_later_comes_from_its_beginning(client, ncii, staff, platform, make_platform):
    services.hash_list_restrict(actor=staff, hash_list=ncii, platforms=[make_platform()])
    cursor = client.get(LISTS).json()["cursor"]
    services.hash_list_restrict(actor=staff, hash_list=ncii, platforms=[platform])
    body = client.get(LISTS, {"cursor": cursor}).json()
    assert sorted(e["hash"] for e in body["results"]) == sorted([SHA, PDQ])


@pytest.mark.parametrize("cursor", ["garbage!", "eyJ4IjoiMSJ9", "W10"])
def test_a_cursor_we_did_not_give_is_refused(client, ncii, cursor):
    response = client.get(LISTS, {"cursor": cursor})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_found_and_false_positive_reports(client, ncii, platform):
    match_id = client.post(
        MATCH, {"hashes": [{"type": "sha256", "hash": SHA}] * 2}, format="json"
    ).json()["results"]
    found_id, wrong_id = (r["matches"][0]["match_id"] for r in match_id)
    url = f"https://{platform.domains.first().domain}/again"
    found = client.post(
        reverse("v1:fingerprints-found", kwargs={"match_id": found_id}),
        {"url": url},
        format="json",
        HTTP_IDEMPOTENCY_KEY="found-1",
    )
    assert found.status_code == 200
    assert found.json() == {"match_id": found_id, "status": "found"}
    draft = RemovalOrder.objects.get(reupload_of__isnull=True, platform=platform)
    assert [i.url for i in draft.items.all()] == [url]
    again = client.post(
        reverse("v1:fingerprints-found", kwargs={"match_id": found_id}),
        {"url": url},
        format="json",
        HTTP_IDEMPOTENCY_KEY="found-2",
    )
    assert again.status_code == 409
    wrong = client.post(
        reverse("v1:fingerprints-false-positive", kwargs={"match_id": wrong_id}),
        {"note": "A cat."},
        format="json",
    )
    assert wrong.json() == {"match_id": wrong_id, "status": "false_positive"}
    assert HashEntry.objects.get(value=SHA).false_positive_reports == 1
    missing = client.post(
        reverse(
            "v1:fingerprints-false-positive",
            kwargs={"match_id": "00000000-0000-0000-0000-000000000000"},
        ),
        {"note": "A cat."},
        format="json",
    )
    assert missing.status_code == 404
