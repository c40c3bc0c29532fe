"""A registration change end to end through the API: declared, the corrected record submitted
(the fault clock stops), returned by an officer (it runs again, and lapses into a warning),
submitted again and accepted (the record is registered). And the refusals, which write
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from compliance.kernel.actors import Actor
from compliance.models import DecisionRecord, WebhookDelivery
from compliance.sweep.jobs import registration_faults_sweep
from registry import changes
from registry.models import Platform, RegistrationChange

CONTACT = {
    "name": "Dewi Lestari",
    "role": "Head of Legal",
    "email": "legal@new.example",
    "phone": "+62 21 555 0199",
}


def _platform(order) -> Platform:
    return Platform.objects.get(pk=order.platform_id)


def test_declare_submit_return_submit_accept(api, order, officer):
    platform = order.platform
    declared = api.post(
        "/api/v1/platform/changes/", {"description": "We moved our data."}, format="json"
    )
    assert declared.status_code == 201, declared.json()
    change = declared.json()
    assert change["status"] == "awaiting_data"
    assert change["platform_status"] == "update_required"
    assert change["correct_by"] is not None
    clock = _platform(order).fault_due_at
    assert clock is not None

    record = {
        "data_location": "Batam, Indonesia",
        "domains": ["platform-new.example", "Platform-Old.example."],
        "contacts": [CONTACT],
    }
    submitted = api.post(
        f"/api/v1/platform/changes/{change['id']}/record/", {"record": record}, format="json"
    )
    assert submitted.status_code == 200, submitted.json()
    body = submitted.json()
    assert body["status"] == "submitted"
    assert body["correct_by"] is None
    assert body["record"]["domains"] == ["platform-new.example", "platform-old.example"]
    assert _platform(order).fault_due_at is None

    # The period the platform was given lapses: the clock stopped, so no warning.
    assert registration_faults_sweep(now=clock + timedelta(days=1)) == 0
    assert _platform(order).status == "update_required"

    returned = changes.registration_change_return(
        change=RegistrationChange.objects.get(pk=change["id"]),
        actor=Actor.staff(officer),
        reason="Send the deed of the new data centre's lease.",
    )
    assert returned.status == "more_requested"
    restarted = _platform(order).fault_due_at
    assert restarted is not None
    assert restarted > timezone.now()
    read = api.get(f"/api/v1/platform/changes/{change['id']}/").json()
    assert read["status"] == "more_requested"
    assert read["officer_reason"] == "Send the deed of the new data centre's lease."
    assert read["correct_by"] is not None

    # This time the period lapses with the clock running: the sweep warns.
    with time_machine.travel(restarted + timedelta(minutes=1), tick=False):
        assert registration_faults_sweep(now=timezone.now()) == 1
    assert api.get(f"/api/v1/platform/changes/{change['id']}/").json()["platform_status"] == (
        "warned"
    )

    again = api.post(
        f"/api/v1/platform/changes/{change['id']}/record/",
        {"record": {**record, "leadership": "Dewi Lestari (director)"}},
        format="json",
    )
    assert again.json()["submissions"] == 2
    assert _platform(order).fault_due_at is None

    changes.registration_change_accept(
        change=RegistrationChange.objects.get(pk=change["id"]), actor=Actor.staff(officer)
    )
    registered = api.get("/api/v1/platform/").json()
    assert registered["status"] == "registered"
    assert registered["data_location"] == "Batam, Indonesia"
    assert registered["leadership"] == "Dewi Lestari (director)"
    assert sorted(registered["domains"]) == ["platform-new.example", "platform-old.example"]
    assert registered["contacts"] == [CONTACT]
    assert _platform(order).fault_due_at is None
    assert api.get("/api/v1/platform/changes/").json()["results"][0]["status"] == "accepted"

    actions = list(
        DecisionRecord.objects.filter(object_id=str(platform.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-8:] == [
        "platform.require_update",
        "registrationchange.declare",
        "registrationchange.submit",
        "registrationchange.return",
        "platform.warn",
        "registrationchange.submit",
        "registrationchange.accept",
        "platform.accept_update",
    ]


def test_declare_with_the_record_submits_it_at_once(api, order):
    response = api.post(
        "/api/v1/platform/changes/",
        {"description": "New users count.", "record": {"user_count": 2_500_000}},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "submitted"
    assert response.json()["record"] == {"user_count": 2_500_000}
    assert _platform(order).fault_due_at is None
    assert _platform(order).status == "update_required"


def test_a_platform_reads_only_its_own_changes(api, order, make_platform):
    other = make_platform()
    theirs = changes.registration_change_declare(
        platform=other, actor=Actor.of_platform(other), description="Theirs."
    )
    assert api.get("/api/v1/platform/changes/").json()["results"] == []
    assert api.get(f"/api/v1/platform/changes/{theirs.pk}/").status_code == 404
    refused = api.post(
        f"/api/v1/platform/changes/{theirs.pk}/record/",
        {"record": {"data_location": "Here"}},
        format="json",
    )
    assert refused.status_code == 404
    assert RegistrationChange.objects.get(pk=theirs.pk).record == {}


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"domains": ["not a domain"]}, "record.domains.0"),
        ({"domains": ["ok.example", "https://x.example/"]}, "record.domains.1"),
        ({"domains": []}, "record.domains"),
        ({"contacts": [{**CONTACT, "email": "nobody"}]}, "record.contacts.0.email"),
        ({"contacts": [{**CONTACT, "phone": "call me maybe"}]}, "record.contacts.0.phone"),
        ({"country": "sg"}, "record.country"),
        ({}, "record"),
    ],
)
def test_an_invalid_record_names_the_field_and_writes_nothing(api, order, record, field):
    status = _platform(order).status
    records = DecisionRecord.objects.count()
    response = api.post(
        "/api/v1/platform/changes/",
        {"description": "Changed.", "record": record},
        format="json",
    )
    assert response.status_code == 422, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}
    assert DecisionRecord.objects.count() == records
    assert not RegistrationChange.objects.exists()
    assert _platform(order).status == status


def test_a_domain_of_another_platform_is_refused(api, order, make_platform):
    other = make_platform(domains=["taken.example"])
    change = changes.registration_change_declare(
        platform=order.platform, actor=Actor.of_platform(order.platform), description="Domains."
    )
    response = api.post(
        f"/api/v1/platform/changes/{change.pk}/record/",
        {"record": {"domains": ["mine.example", "TAKEN.example"]}},
        format="json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "record.domains.1"
    assert RegistrationChange.objects.get(pk=change.pk).status == "awaiting_data"
    assert other.domains.get().domain == "taken.example"


def test_a_field_not_in_the_record_is_refused(api, order):
    response = api.post(
        "/api/v1/platform/changes/",
        {"description": "x", "record": {"status": "registered"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "record.status"


def test_one_change_open_at_a_time_and_no_record_while_under_review(api, order):
    first = api.post("/api/v1/platform/changes/", {"description": "One."}, format="json")
    assert first.status_code == 201
    second = api.post("/api/v1/platform/changes/", {"description": "Two."}, format="json")
    assert second.status_code == 409
    url = f"/api/v1/platform/changes/{first.json()['id']}/record/"
    assert api.post(url, {"record": {"data_location": "A"}}, format="json").status_code == 200
    again = api.post(url, {"record": {"data_location": "B"}}, format="json")
    assert again.status_code == 409
    assert RegistrationChange.objects.get().record == {"data_location": "A"}


def test_the_officers_decisions_reach_the_webhook(api, order, officer, settings):
    settings.DEBUG = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    api.put("/api/v1/webhook/", {"url": "http://127.0.0.1:9/in"}, format="json")
    change = api.post(
        "/api/v1/platform/changes/",
        {"description": "Moved.", "record": {"data_location": "Batam"}},
        format="json",
    ).json()
    staff = Actor.staff(officer)
    changes.registration_change_return(
        change=RegistrationChange.objects.get(pk=change["id"]), actor=staff, reason="The lease."
    )
    api.post(
        f"/api/v1/platform/changes/{change['id']}/record/",
        {"record": {"data_location": "Batam, Kepulauan Riau"}},
        format="json",
    )
    changes.registration_change_accept(
        change=RegistrationChange.objects.get(pk=change["id"]), actor=staff, reason="Thanks."
    )
    events = [
        d.payload["data"]
        for d in WebhookDelivery.objects.filter(
            platform=order.platform, event="registration.change_decided"
        ).order_by("pk")
    ]
    assert [(e["id"], e["status"], e["reason"]) for e in events] == [
        (change["id"], "more_requested", "The lease."),
        (change["id"], "accepted", "Thanks."),
    ]
    assert events[0]["correct_by"].endswith("Z")
    assert events[1]["correct_by"] is None
