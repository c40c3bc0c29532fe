"""Takedown requests that carry fingerprints instead of (or besides) URLs: hashes only, or an
evidence file the agency attaches. A fingerprint an open order's evidence carries links the
request to that order instead of ordering it twice; triage carries the rest into the orders it
makes and the category's hash list; a request can be merged into a draft order instead."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from agencies import services
from agencies.models import TakedownRequest
from compliance.kernel.actors import Actor
from compliance.models import DecisionRecord
from fingerprints.models import HashEntry
from fingerprints.services import fingerprint_compute, hash_list_create
from notices import services as notices
from notices.models import Agency, ContentCategory, Evidence, RemovalOrder
from tests.support import images

PNG = images.png_bytes(images.shapes(7))
SHA256 = hashlib.sha256(PNG).hexdigest()


@pytest.fixture
def police(officer) -> APIClient:
    agency = Agency.objects.get(kind="law_enforcement")
    _, key = services.agency_key_create(agency=agency, actor=Actor.staff(officer), name="cyber")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _post(client: APIClient, **body) -> object:
    body = {"category": "ncii", "legal_basis": "MR5 Art. 14(1)", **body}
    return client.post("/api/v1/agency/requests/", body, format="json")


@pytest.fixture
def order_with_evidence(make_order, officer):
    """An issued order whose first item has a capture, fingerprinted as the worker would."""
    order = make_order()
    evidence = notices.evidence_add(
        order=order,
        actor=Actor.staff(officer),
        file=SimpleUploadedFile("capture.png", PNG),
        captured_at=timezone.now(),
        item=order.items.first(),
    )
    fingerprint_compute(evidence_id=evidence.pk)
    return order


@pytest.mark.parametrize("hash_type", ["sha256", "md5", "pdq"])
def test_a_fingerprint_under_an_open_order_is_linked_not_ordered_again(
    police, order_with_evidence, hash_type
):
    fingerprint = Evidence.objects.get(order=order_with_evidence).fingerprint
    value = {"sha256": SHA256, "md5": fingerprint.md5, "pdq": fingerprint.pdq}[hash_type]
    made = _post(police, hashes=[{"hash_type": hash_type, "value": value.upper()}])
    assert made.status_code == 201, made.json()
    [kept] = made.json()["hashes"]
    assert kept == {
        "hash_type": hash_type,
        "value": value,
        "evidence_file": False,
        "already_ordered": True,
        "order": order_with_evidence.reference,
        "order_status": "issued",
    }


def test_a_fingerprint_of_a_closed_order_is_not_linked(police, order_with_evidence, officer):
    notices.order_withdraw(
        order=order_with_evidence, actor=Actor.staff(officer), reason="Issued in error."
    )
    [kept] = _post(police, hashes=[{"hash_type": "sha256", "value": SHA256}]).json()["hashes"]
    assert (kept["already_ordered"], kept["order"]) == (False, None)


def test_hashes_only_accepted_join_the_category_hash_list(police, officer):
    ncii = hash_list_create(
        actor=Actor.staff(officer), name="NCII", category=ContentCategory.objects.get(code="ncii")
    )
    md5 = "ab" * 16
    body = _post(police, hashes=[{"hash_type": "md5", "value": md5}]).json()
    assert body["items"] == []
    services.takedown_request_accept(
        request=TakedownRequest.objects.get(pk=body["id"]), actor=Actor.staff(officer)
    )
    entry = HashEntry.objects.get(hash_list=ncii)
    assert (entry.hash_type, entry.value, entry.status) == ("md5", md5, "active")
    assert "TR-" in entry.note
    assert not RemovalOrder.objects.exists()  # no URL: nothing to order
    assert police.get(f"/api/v1/agency/requests/{body['id']}/").json()["status"] == "accepted"


def test_an_evidence_file_links_by_its_bytes_and_goes_with_the_order(
    police, make_platform, order_with_evidence, officer
):
    platform = make_platform()
    body = _post(police, urls=[f"https://{platform.domains.get().domain}/p/1"]).json()
    upload = police.post(
        f"/api/v1/agency/requests/{body['id']}/evidence/",
        {"file": SimpleUploadedFile("capture.png", PNG)},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    [kept] = upload.json()["hashes"]
    assert (kept["value"], kept["evidence_file"], kept["order"]) == (
        SHA256,
        True,
        order_with_evidence.reference,
    )
    again = police.post(
        f"/api/v1/agency/requests/{body['id']}/evidence/",
        {"file": SimpleUploadedFile("again.png", PNG)},
        format="multipart",
    )
    assert again.status_code == 409

    services.takedown_request_accept(
        request=TakedownRequest.objects.get(pk=body["id"]), actor=Actor.staff(officer)
    )
    made = RemovalOrder.objects.get(platform=platform)
    assert list(made.evidence.values_list("sha256", flat=True)) == [SHA256]


def test_an_evidence_file_of_a_type_not_allowed_is_refused(police, make_platform):
    platform = make_platform()
    body = _post(police, urls=[f"https://{platform.domains.get().domain}/p/1"]).json()
    records = DecisionRecord.objects.count()
    refused = police.post(
        f"/api/v1/agency/requests/{body['id']}/evidence/",
        {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10)},
        format="multipart",
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"file"}
    assert DecisionRecord.objects.count() == records


def test_the_same_fingerprints_waiting_are_a_duplicate(police):
    hashes = [{"hash_type": "md5", "value": "cd" * 16}]
    first = _post(police, hashes=hashes)
    again = _post(police, hashes=hashes)
    assert (first.status_code, again.status_code) == (201, 409)
    assert _post(police, hashes=[{"hash_type": "md5", "value": "ef" * 16}]).status_code == 201


def test_merged_into_a_draft_order_of_the_same_platform(police, make_order, officer):
    draft = make_order(issued=False)
    domain = draft.platform.domains.get().domain
    body = _post(
        police,
        urls=[f"https://{domain}/m/1"],
        hashes=[{"hash_type": "md5", "value": "12" * 16}],
    ).json()
    request = TakedownRequest.objects.get(pk=body["id"])
    services.takedown_request_merge(request=request, order=draft, actor=Actor.staff(officer))
    assert f"https://{domain}/m/1" in set(draft.items.values_list("url", flat=True))
    followed = police.get(f"/api/v1/agency/requests/{body['id']}/").json()
    assert followed["status"] == "merged"
    assert followed["items"][0]["order"] == draft.reference
    assert followed["hashes"][0]["order"] == draft.reference
    assert RemovalOrder.objects.count() == 1


def test_merging_into_another_platforms_order_is_refused(
    police, make_order, make_platform, officer
):
    draft = make_order(issued=False)
    elsewhere = make_platform()
    body = _post(police, urls=[f"https://{elsewhere.domains.get().domain}/m/1"]).json()
    request = TakedownRequest.objects.get(pk=body["id"])
    records = DecisionRecord.objects.count()
    with pytest.raises(ValidationError, match="not on"):
        services.takedown_request_merge(request=request, order=draft, actor=Actor.staff(officer))
    request.refresh_from_db()
    assert request.status == "submitted"
    assert draft.items.count() == 2
    assert DecisionRecord.objects.count() == records
