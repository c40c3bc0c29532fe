"""Data-access requests (MR5 Art. 21-46) from an agency's key to the platform's answer:
answered in time, answered late after the sweep's warning, left unanswered up to a supervisor,
objected to; the court order content and personal data need; the answer's files read only by
the requester and auditors, each read recorded; bad input refused with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from agencies import data_requests as services
from agencies.models import DataRequest, DataRequestFile
from agencies.services import agency_key_create
from compliance.delivery.models import WebhookDelivery
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.models import DecisionRecord, EscalationPolicy
from compliance.policies.services import policy_save
from notices.models import Agency
from registry.models import WebhookEndpoint
from registry.services import api_key_create

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n% the court's order\n"
CSV = b"account,email,registered\n1001,someone@example.org,2025-01-02\n"


def _keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def platform(make_platform):
    platform = make_platform()
    WebhookEndpoint.objects.create(
        platform=platform, url="https://hooks.example/in", secret="whsec_" + "A" * 32
    )
    return platform


@pytest.fixture
def police(officer) -> APIClient:
    agency = Agency.objects.get(kind="law_enforcement")
    _, key = agency_key_create(agency=agency, actor=Actor.staff(officer), name="cyber")
    return _keyed(key)


@pytest.fixture
def platform_api(platform, officer) -> APIClient:
    _, key = api_key_create(platform=platform, actor=Actor.staff(officer), name="trust-safety")
    return _keyed(key)


def _ask(client: APIClient, platform, **extra) -> object:
    body = {
        "platform": platform.domains.get().domain,
        "kind": "subscriber",
        "legal_basis": "KUHAP Art. 42; MR5 Art. 27",
        "description": "Subscriber data of account 1001.",
        **extra,
    }
    return client.post("/api/v1/agency/data-requests/", body, format="multipart")


def _answer(client: APIClient, request_id: int, *files: tuple[str, bytes]) -> object:
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return client.post(
        f"/api/v1/data-requests/{request_id}/answer/",
        {"files": uploads, "note": "Export of our records."},
        format="multipart",
    )


def test_answered_in_time_and_read_by_the_requester(police, platform, platform_api):
    with time_machine.travel(T0, tick=False):
        made = _ask(police, platform)
    assert made.status_code == 201, made.json()
    asked = made.json()
    assert asked["answer_by"] == "2026-11-07T09:00:00Z"  # 5 calendar days
    assert (asked["status"], asked["requester"]) == (
        "open",
        "Indonesian National Police, Cyber Crime Directorate",
    )
    told = WebhookDelivery.objects.get(platform=platform, event="data_request.received")
    assert told.payload["data"] == {
        "id": asked["id"],
        "kind": "subscriber",
        "answer_by": "2026-11-07T09:00:00Z",
        "court_order": False,
    }

    listed = platform_api.get("/api/v1/data-requests/").json()["results"]
    assert [r["id"] for r in listed] == [asked["id"]]
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        answered = _answer(platform_api, asked["id"], ("subscribers.csv", CSV))
    assert answered.status_code == 200, answered.json()
    assert (answered.json()["status"], answered.json()["answered_late"]) == ("answered", False)

    followed = police.get(f"/api/v1/agency/data-requests/{asked['id']}/").json()
    [file] = followed["files"]
    assert (file["name"], file["content_type"], file["size"]) == (
        "subscribers.csv",
        "text/plain",
        len(CSV),
    )
    reads = DecisionRecord.objects.filter(action=Action.DATA_REQUEST_FILE_READ)
    assert not reads.exists()
    download = police.get(f"/api/v1/agency/data-requests/{asked['id']}/files/{file['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CSV
    [read] = reads
    assert read.actor_label.startswith("agency:")
    assert file["sha256"] in read.reason
    # The platform answered; it does not read the answer back through the requester's route.
    assert (
        platform_api.get(
            f"/api/v1/agency/data-requests/{asked['id']}/files/{file['id']}/"
        ).status_code
        == 401
    )


def test_unanswered_it_climbs_the_data_ladder_then_is_answered_late(police, platform, platform_api):
    with time_machine.travel(T0, tick=False):
        asked = _ask(police, platform).json()
    request = DataRequest.objects.get(pk=asked["id"])
    assert services.data_requests_sweep(now=T0 + timedelta(days=5) - timedelta(minutes=1)) == 0

    after_deadline = T0 + timedelta(days=5, minutes=1)
    out = StringIO()
    call_command("escalate", "--dry-run", f"--now={after_deadline.isoformat()}", stdout=out)
    assert f"{request} to {platform}: Warning to answer" in out.getvalue()
    with time_machine.travel(after_deadline, tick=False):
        call_command("escalate", f"--now={after_deadline.isoformat()}", stdout=StringIO())
    request.refresh_from_db()
    assert (request.escalation_level, request.due_at) == (1, after_deadline + timedelta(days=2))
    warned = WebhookDelivery.objects.get(platform=platform, event="data_request.warned")
    assert warned.payload["data"]["warning"] == 1
    warning = DecisionRecord.objects.get(action=Action.DATA_REQUEST_WARN)
    assert warning.legal_basis.startswith("MR5 Art. 21(1)")
    assert warning.actor_label == "job:escalation-sweep"

    with time_machine.travel(after_deadline + timedelta(days=1), tick=False):
        answered = _answer(platform_api, asked["id"], ("traffic.json", b'{"sessions": []}'))
    assert answered.json()["answered_late"] is True
    assert answered.json()["warnings"] == 1
    request.refresh_from_db()
    assert request.due_at is None
    # Answered: later sweeps leave it be.
    assert services.data_requests_sweep(now=T0 + timedelta(days=30)) == 0


def test_never_answered_it_goes_to_a_supervisor_and_the_clock_stops(police, platform):
    with time_machine.travel(T0, tick=False):
        asked = _ask(police, platform).json()
    services.data_requests_sweep(now=T0 + timedelta(days=5, minutes=1))
    services.data_requests_sweep(now=T0 + timedelta(days=7, minutes=2))
    request = DataRequest.objects.get(pk=asked["id"])
    assert request.referred_to_supervisor_at == T0 + timedelta(days=7, minutes=2)
    assert request.due_at is None
    assert DecisionRecord.objects.filter(action=Action.DATA_REQUEST_REFER).count() == 1
    assert services.data_requests_sweep(now=T0 + timedelta(days=60)) == 0
    read = police.get(f"/api/v1/agency/data-requests/{asked['id']}/").json()
    assert (read["warnings"], read["referred_to_supervisor"]) == (1, True)


def test_the_ladder_kept_on_the_request_is_the_one_in_force_when_it_was_made(
    police, platform, supervisor
):
    with time_machine.travel(T0, tick=False):
        asked = _ask(police, platform).json()
    policy = EscalationPolicy.objects.get(is_default=True)
    policy.data_request_days = 1
    policy.data_request_ladder = [{"action": "supervisor_referral", "period_hours": 1}]
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    services.data_requests_sweep(now=T0 + timedelta(days=5, minutes=1))
    request = DataRequest.objects.get(pk=asked["id"])
    assert (request.escalation_level, request.referred_to_supervisor_at) == (1, None)


def test_objected_to_with_reasons_the_requester_reads(police, platform, platform_api):
    asked = _ask(police, platform).json()
    objected = platform_api.post(
        f"/api/v1/data-requests/{asked['id']}/objection/",
        {"reason": "No account 1001 exists."},
        format="json",
    )
    assert objected.status_code == 200
    read = police.get(f"/api/v1/agency/data-requests/{asked['id']}/").json()
    assert (read["status"], read["objection"]) == ("objected", "No account 1001 exists.")
    late = _answer(platform_api, asked["id"], ("x.csv", CSV))
    assert late.status_code == 409


@pytest.mark.parametrize("kind", ["content", "personal"])
def test_content_and_personal_data_need_a_court_order(police, platform, platform_api, kind):
    records = DecisionRecord.objects.count()
    refused = _ask(police, platform, kind=kind)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"court_order"}
    assert not DataRequest.objects.exists()
    assert DecisionRecord.objects.count() == records
    assert not WebhookDelivery.objects.exists()

    made = _ask(police, platform, kind=kind, court_order=SimpleUploadedFile("order.pdf", PDF))
    assert made.status_code == 201, made.json()
    assert made.json()["court_order_sha256"]
    order = platform_api.get(f"/api/v1/data-requests/{made.json()['id']}/court-order/")
    assert order.status_code == 200
    assert b"".join(order.streaming_content) == PDF


def test_a_court_order_must_be_a_pdf_or_an_image(police, platform):
    refused = _ask(
        police,
        platform,
        kind="content",
        court_order=SimpleUploadedFile("order.txt", b"I, the judge, order it."),
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"court_order"}
    assert not DataRequest.objects.exists()


def test_answer_files_too_large_or_of_a_type_not_allowed_write_nothing(
    police, platform, platform_api, settings
):
    asked = _ask(police, platform).json()
    records = DecisionRecord.objects.count()
    for files, field in [
        ((("ok.csv", CSV), ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")), "files.1"),
        ((("blob.bin", b"\x00\x01\x02\x03"),), "files.0"),
        ((("empty.csv", b""),), "files.0"),
    ]:
        refused = _answer(platform_api, asked["id"], *files)
        assert refused.status_code in (400, 422), refused.json()
        assert {e["field"] for e in refused.json()["errors"]} == {field}
    too_many = _answer(platform_api, asked["id"], *((f"{n}.csv", CSV) for n in range(6)))
    assert too_many.status_code == 400
    assert "files" in too_many.json()["detail"].lower()
    settings.DATA_ANSWER_MAX_BYTES = len(CSV) + 10
    # Stopped as the bytes stream in, before anything is kept.
    too_large = _answer(platform_api, asked["id"], ("a.csv", CSV), ("b.csv", CSV))
    assert too_large.status_code == 413
    assert too_large["Content-Type"] == "application/problem+json"
    assert not DataRequestFile.objects.exists()
    # Nothing stored either: a good file beside a refused one is not kept.
    assert not (Path(settings.MEDIA_ROOT) / "data-requests" / "answers").exists()
    assert DataRequest.objects.get(pk=asked["id"]).status == "open"
    assert DecisionRecord.objects.count() == records


def test_each_side_reaches_only_its_own(police, platform, platform_api, make_platform, officer):
    asked = _ask(police, platform).json()
    _answer(platform_api, asked["id"], ("subscribers.csv", CSV))
    file_id = DataRequestFile.objects.get().pk
    _, ministry_key = agency_key_create(
        agency=Agency.objects.get(kind="ministry"), actor=Actor.staff(officer), name="m"
    )
    ministry = _keyed(ministry_key)
    assert ministry.get(f"/api/v1/agency/data-requests/{asked['id']}/").status_code == 404
    assert (
        ministry.get(f"/api/v1/agency/data-requests/{asked['id']}/files/{file_id}/").status_code
        == 404
    )
    assert ministry.get("/api/v1/agency/data-requests/").json()["results"] == []
    _, other_key = api_key_create(platform=make_platform(), actor=Actor.staff(officer), name="o")
    other = _keyed(other_key)
    assert other.get(f"/api/v1/data-requests/{asked['id']}/").status_code == 404
    assert (
        other.post(
            f"/api/v1/data-requests/{asked['id']}/objection/", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )


def test_only_authorised_agencies_request_data(platform, officer):
    public = Agency.objects.get(kind="public")
    _, key = agency_key_create(agency=public, actor=Actor.staff(officer), name="aduan")
    refused = _ask(_keyed(key), platform)
    assert refused.status_code == 403
    assert "not authorised" in refused.json()["detail"]
    assert not DataRequest.objects.exists()


def test_the_same_request_open_twice_is_a_duplicate(police, platform):
    assert _ask(police, platform).status_code == 201
    again = _ask(police, platform)
    assert again.status_code == 409
    assert DataRequest.objects.count() == 1


def test_answer_files_open_to_the_requester_and_auditors_only_in_the_admin(
    police, platform, platform_api, officer, auditor
):
    asked = _ask(police, platform).json()
    _answer(platform_api, asked["id"], ("subscribers.csv", CSV))
    file_id = DataRequestFile.objects.get().pk
    url = f"/admin/agencies/datarequest/{asked['id']}/file/{file_id}/"
    as_officer, as_auditor = Client(), Client()
    as_officer.force_login(officer)
    as_auditor.force_login(auditor)
    assert as_officer.get(url).status_code == 403  # the police's data, not the regulator's
    opened = as_auditor.get(url)
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == CSV
    [read] = DecisionRecord.objects.filter(action=Action.DATA_REQUEST_FILE_READ)
    assert read.actor_label == "user:auditor"


def test_the_regulator_requests_and_its_officers_read_the_answer(platform, platform_api, officer):
    staff = Client()
    staff.force_login(officer)
    made = staff.post(
        "/admin/agencies/datarequest/add/",
        {
            "platform": platform.pk,
            "kind": "traffic",
            "legal_basis": "MR5 Art. 21(1) (supervision)",
            "description": "Access logs of the reported uploads, 1-15 November.",
        },
    )
    assert made.status_code == 302, made.content.decode()
    request = DataRequest.objects.get()
    assert (request.agency, request.requested_by_label) == (None, "user:officer")
    _answer(platform_api, request.pk, ("logs.csv", CSV))
    file_id = DataRequestFile.objects.get().pk
    page = staff.get(f"/admin/agencies/datarequest/{request.pk}/change/").content.decode()
    assert f"/admin/agencies/datarequest/{request.pk}/file/{file_id}/" in page
    assert staff.get(f"/admin/agencies/datarequest/{request.pk}/file/{file_id}/").status_code == 200

    refused = staff.post(
        "/admin/agencies/datarequest/add/",
        {
            "platform": platform.pk,
            "kind": "personal",
            "legal_basis": "MR5 Art. 21(1)",
            "description": "Name and address of the uploader.",
        },
    )
    assert refused.status_code == 200
    assert "court order" in refused.content.decode()
    assert DataRequest.objects.count() == 1


def test_a_data_ladder_missing_its_period_is_refused_naming_the_field(supervisor):
    policy = EscalationPolicy.objects.get(is_default=True)
    policy.data_request_ladder = [{"action": "warning"}, {"action": "fine"}]
    with pytest.raises(ValidationError) as refused:
        policy_save(policy=policy, actor=Actor.staff(supervisor))
    errors = refused.value.message_dict["data_request_ladder"]
    assert any("Step 1" in e and "period" in e for e in errors)
    assert any("Step 2: action must be one of warning, supervisor_referral" in e for e in errors)
