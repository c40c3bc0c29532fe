"""Who reaches which API endpoint: every route, called by every kind of caller, against a table.

The routes come from the URL configuration, so an endpoint added without a row fails here.
Callers: nobody, a logged-in staff member (the API takes keys, not sessions), a forged key (a
real prefix with a wrong secret), a revoked key, another platform's key, the key of a platform
whose registration was revoked (enforcement goes on: its orders and fines stay open), and the
platform's own key.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver, reverse
from rest_framework.test import APIClient

from agencies.data_requests import data_request_create
from compliance.kernel.actors import Actor
from compliance.models import DecisionRecord, Fine
from compliance.sanctions.services import normalization_request_file
from fingerprints.services import (
    HashInput,
    HashQuery,
    hash_entries_add,
    hash_list_create,
    hashes_match,
)
from notices.models import Agency, ContentCategory
from notices.services import objection_file
from registry.changes import registration_change_declare
from registry.models import ApiKey, Platform
from registry.services import api_key_create, api_key_revoke
from tests.support.assessments import assessment_for, submission_form
from tests.support.images import TINY_PNG
from transparency.periods import Period, PeriodKind
from transparency.services import transparency_refresh

CALLERS = ("anonymous", "staff", "forged", "revoked_key", "other", "revoked_platform", "own")
OK = "ok"  # anything but 401, 403 and 404: the caller got through to the endpoint's own rules
DENIED_TO_KEYLESS = {"anonymous": 401, "staff": 401, "forged": 401, "revoked_key": 401}
OBJECT = {**DENIED_TO_KEYLESS, "other": 404, "revoked_platform": OK, "own": OK}
COLLECTION = {**DENIED_TO_KEYLESS, "other": OK, "revoked_platform": OK, "own": OK}
REGISTERED_ONLY = {**DENIED_TO_KEYLESS, "other": OK, "revoked_platform": 403, "own": OK}
PUBLIC = dict.fromkeys(CALLERS, OK)
# The agencies' routes take agency keys only (tests/agencies/test_access_matrix.py).
AGENCY_ROUTE = dict.fromkeys(CALLERS, 401)
# Hash lists are for registered platforms; a match is its platform's alone (and so is a
# registration change's record).
MATCH = {**DENIED_TO_KEYLESS, "other": 404, "revoked_platform": 403, "own": OK}

# Routes whose body is multipart/form-data (files).
MULTIPART = {
    "evidence",
    "agency-request-evidence",
    "data-request-answer",
    "risk-assessment-submission",
}
PDF = b"%PDF-1.4\n% a court order\n"

# route name: (method, body, expectation per caller)
TABLE = {
    "platform": ("get", None, REGISTERED_ONLY),
    "platform-changes": ("post", {"description": "New director."}, REGISTERED_ONLY),
    "platform-change": ("get", None, OBJECT),
    "platform-turnover": (
        "post",
        {
            "amount": "1000000.00",
            "currency": "EUR",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "source": "Audited accounts 2025",
        },
        REGISTERED_ONLY,
    ),
    "platform-designations": ("get", None, REGISTERED_ONLY),
    "platform-change-record": ("post", {"record": {"data_location": "Jakarta"}}, MATCH),
    "webhook": ("put", {"url": "https://hooks.example/in"}, REGISTERED_ONLY),
    "webhook-test": ("post", None, REGISTERED_ONLY),
    "webhook-deliveries": ("get", None, COLLECTION),
    "orders": ("get", None, COLLECTION),
    "order": ("get", None, OBJECT),
    "acknowledge": ("post", None, OBJECT),
    "report-many": ("post", "items", OBJECT),
    "report": ("post", {"action": "removed"}, OBJECT),
    "evidence": ("post", "evidence", OBJECT),
    "objections": ("post", "objection", OBJECT),
    "fines": ("get", None, COLLECTION),
    "fine-payment": ("post", {"payment_reference": "TRX-9"}, OBJECT),
    "fine-payments": ("get", None, OBJECT),
    "normalization-requests": ("post", {"statement": "Removed."}, REGISTERED_ONLY),
    "normalization-request": ("get", None, OBJECT),
    "checkpoint": ("get", None, COLLECTION),
    "fingerprints": ("get", None, REGISTERED_ONLY),
    "fingerprints-match": (
        "post",
        {"hashes": [{"type": "md5", "hash": "ab" * 16}]},
        REGISTERED_ONLY,
    ),
    "fingerprints-found": ("post", "found", MATCH),
    "fingerprints-false-positive": ("post", {"note": "A harmless picture."}, MATCH),
    "platform-scorecard": ("get", None, COLLECTION),
    "letters": ("get", None, COLLECTION),
    "keys": ("get", None, COLLECTION),
    "objections-list": ("get", None, COLLECTION),
    "objection": ("get", None, OBJECT),
    "key-revoke": ("post", None, OBJECT),
    "letter-pdf": ("get", None, OBJECT),
    "agency-requests": ("get", None, AGENCY_ROUTE),
    "agency-request": ("get", None, AGENCY_ROUTE),
    "agency-referrals": ("get", None, AGENCY_ROUTE),
    "agency-referral": ("get", None, AGENCY_ROUTE),
    "agency-referral-acknowledge": ("post", None, AGENCY_ROUTE),
    "agency-referral-outcome": ("post", {"outcome": "Charged."}, AGENCY_ROUTE),
    "agency-request-evidence": ("post", "evidence", AGENCY_ROUTE),
    "agency-data-requests": ("get", None, AGENCY_ROUTE),
    "agency-data-request": ("get", None, AGENCY_ROUTE),
    "agency-data-file": ("get", None, AGENCY_ROUTE),
    # A data-access request is its platform's to read and answer, whatever its registration.
    "data-requests": ("get", None, COLLECTION),
    "data-request": ("get", None, OBJECT),
    "data-request-court-order": ("get", None, OBJECT),
    "data-request-answer": ("post", "answer", OBJECT),
    "data-request-objection": ("post", {"reason": "No such account."}, OBJECT),
    # A risk assessment is its platform's alone; a revoked platform has none to make.
    "risk-assessments": ("get", None, REGISTERED_ONLY),
    "risk-assessment": ("get", None, MATCH),
    "risk-assessment-submission": ("post", "submission", MATCH),
    "risk-assessment-reports": ("post", "report", MATCH),
    "blocklist": ("get", None, PUBLIC),
    "blocklist-text": ("get", None, PUBLIC),
}


def _api_routes() -> set[str]:
    resolver = get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if str(pattern.pattern) == "api/v1/":
            names |= {p.name for p in pattern.url_patterns if isinstance(p, URLPattern)}
    return names


def test_every_api_route_has_a_row_in_the_table():
    assert _api_routes() == set(TABLE)


def _keyed(platform: Platform, officer) -> tuple[APIClient, ApiKey]:
    api_key, key = api_key_create(platform=platform, actor=Actor.staff(officer), name="matrix")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client, api_key


@pytest.fixture
def callers(victim, make_platform, officer) -> dict[str, APIClient]:
    own, _ = _keyed(victim.platform, officer)
    revoked, revoked_key = _keyed(victim.platform, officer)
    api_key_revoke(api_key=revoked_key, actor=Actor.staff(officer))
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION=f"Bearer cek_{revoked_key.prefix}_{'x' * 43}")
    staff = APIClient()
    staff.force_login(officer)
    other, _ = _keyed(make_platform(), officer)
    return {
        "anonymous": APIClient(),
        "staff": staff,
        "forged": forged,
        "revoked_key": revoked,
        "other": other,
        "own": own,
    }


def _request(route: str, victim) -> tuple[str, str, object]:
    method, body, _ = TABLE[route]
    item = victim.items.first()
    fine = Fine.objects.filter(order=victim).first()
    kwargs = {
        "order": {"reference": victim.reference},
        "acknowledge": {"reference": victim.reference},
        "report-many": {"reference": victim.reference},
        "report": {"reference": victim.reference, "item_id": item.pk},
        "evidence": {"reference": victim.reference, "item_id": item.pk},
        "objections": {"reference": victim.reference},
        "fine-payment": {"fine_id": fine.pk},
        "fine-payments": {"fine_id": fine.pk},
        "letter-pdf": {"number": victim.platform.official_letters.first().number},
    }.get(route, {})
    if route in ("fingerprints-found", "fingerprints-false-positive"):
        kwargs = {"match_id": _match_of(victim.platform)}
    if route == "objection":
        filed = objection_file(
            order=victim,
            actor=Actor.of_platform(victim.platform),
            reason="Satire.",
            items=[item],
        )
        return method, reverse("v1:objection", kwargs={"objection_id": filed.pk}), body
    if route == "key-revoke":
        spare, _ = api_key_create(
            platform=victim.platform, actor=Actor.staff(victim.created_by), name="spare"
        )
        return method, reverse("v1:key-revoke", kwargs={"prefix": spare.prefix}), body
    if route == "normalization-request":
        filed = normalization_request_file(
            platform=victim.platform,
            actor=Actor.of_platform(victim.platform),
            statement="Removed.",
        )
        return method, reverse("v1:normalization-request", kwargs={"request_id": filed.pk}), body
    if route in ("platform-change", "platform-change-record"):
        # Declared while registered (the table's callers then see the platform blocked).
        Platform.objects.filter(pk=victim.platform_id).update(status="registered")
        change = registration_change_declare(
            platform=victim.platform,
            actor=Actor.of_platform(victim.platform),
            description="New office.",
        )
        return method, reverse(f"v1:{route}", kwargs={"change_id": change.pk}), body
    if route in ("agency-request", "agency-request-evidence"):
        if body == "evidence":
            body = {"file": SimpleUploadedFile("capture.png", TINY_PNG)}
        return method, reverse(f"v1:{route}", kwargs={"takedown_id": 1}), body
    if route in ("agency-data-request", "agency-data-file"):
        ids = {"data_request_id": 1} | ({"file_id": 1} if route == "agency-data-file" else {})
        return method, reverse(f"v1:{route}", kwargs=ids), body
    if route.startswith("data-request-") or route == "data-request":
        asked = _data_request_to(victim.platform)
        if body == "answer":
            body = {"files": [SimpleUploadedFile("subscriber.csv", b"account,name\n1,A\n")]}
        return method, reverse(f"v1:{route}", kwargs={"data_request_id": asked}), body
    if route.startswith("risk-assessment-") or route == "risk-assessment":
        assessment, measure = assessment_for(
            victim.platform, measured=route == "risk-assessment-reports"
        )
        if body == "submission":
            body = submission_form()
        elif body == "report":
            assert measure is not None
            body = {"measure": measure.pk, "text": "Age assurance is live."}
        return method, reverse(f"v1:{route}", kwargs={"risk_assessment_id": assessment.pk}), body
    if route.startswith("agency-referral") and route != "agency-referrals":
        return method, reverse(f"v1:{route}", kwargs={"referral_id": 1}), body
    if route == "platform-scorecard":
        period = Period.containing(victim.issued_at, PeriodKind.MONTH)
        transparency_refresh(period=period)
        return method, reverse("v1:platform-scorecard") + f"?period={period.key}", body
    if body == "items":
        body = {"items": [{"item_id": item.pk, "action": "removed"}]}
    elif body == "objection":
        body = {"reason": "Satire.", "items": [item.pk]}
    elif body == "found":
        body = {"url": f"https://{victim.platform.domains.first().domain}/again"}
    elif body == "evidence":
        body = {"file": SimpleUploadedFile("capture.png", TINY_PNG)}
    return method, reverse(f"v1:{route}", kwargs=kwargs), body


def _data_request_to(platform: Platform) -> int:
    """A request from the police for content (so it carries a court order)."""
    police = Agency.objects.get(kind="law_enforcement")
    asked = data_request_create(
        actor=Actor.of_agency(police.pk),
        agency=police,
        platform=platform,
        kind="content",
        legal_basis="KUHAP Art. 42",
        description="Posts of account 1 in November.",
        court_order=SimpleUploadedFile("order.pdf", PDF),
    )
    return asked.pk


def _match_of(platform: Platform) -> str:
    """A match the platform made against a listed hash: its opaque id."""
    job = Actor.scheduled_job("matrix")
    hash_list = hash_list_create(
        actor=job, name="matrix", category=ContentCategory.objects.get(code="ncii")
    )
    hash_entries_add(actor=job, hash_list=hash_list, hashes=[HashInput("md5", "ab" * 16)])
    [result] = hashes_match(
        actor=Actor.of_platform(platform), queries=[HashQuery("md5", "ab" * 16)]
    )
    return str(result.matches[0].match_id)


@pytest.mark.parametrize("route", sorted(TABLE))
def test_api_route_per_caller(route, victim, callers):
    method, url, body = _request(route, victim)
    expected = TABLE[route][2]
    outcome = {}
    for caller in CALLERS:
        if caller == "revoked_platform":
            Platform.objects.filter(pk=victim.platform_id).update(status="revoked")
            client = callers["own"]
        else:
            Platform.objects.filter(pk=victim.platform_id).update(status="blocked")
            client = callers[caller]
        records = DecisionRecord.objects.count()
        if isinstance(body, dict):
            for upload in [body.get("file"), body.get("document"), *body.get("files", [])]:
                if upload is not None:
                    upload.seek(0)
        response = getattr(client, method)(
            url,
            body,
            format="multipart" if route in MULTIPART else "json",
            HTTP_IDEMPOTENCY_KEY=f"{route}-{caller}",
        )
        status = response.status_code
        outcome[caller] = OK if status not in (401, 403, 404) and status < 500 else status
        if outcome[caller] != OK:
            assert DecisionRecord.objects.count() == records, "a refusal wrote something"
            assert response["Content-Type"] == "application/problem+json"
    assert outcome == expected
