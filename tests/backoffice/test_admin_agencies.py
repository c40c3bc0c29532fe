"""The agencies' side of the admin: an agency's staff see and send their agency's requests only
and answer its referrals; administrators say who acts for an agency; the cooperation report
per agency and period, on the page and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse_lazy
from django.utils import timezone

from agencies import services
from agencies.models import AgencyMember, Referral, TakedownRequest
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.models import DecisionRecord
from notices.models import Agency

COOPERATION = reverse_lazy("admin:agencies_cooperation")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _request(agency: Agency, platform, path: str = "x") -> TakedownRequest:
    return services.takedown_request_submit(
        agency=agency,
        actor=Actor.of_agency(agency.pk),
        category="ncii",
        legal_basis="MR5 Art. 14(1)",
        urls=[f"https://{platform.domains.get().domain}/{path}"],
    )


def test_agency_staff_see_their_agencys_requests_only(agency_staff, make_platform):
    platform = make_platform()
    mine = _request(Agency.objects.get(kind="law_enforcement"), platform, "mine")
    theirs = _request(Agency.objects.get(kind="ministry"), platform, "theirs")
    client = _client(agency_staff)
    listed = client.get("/admin/agencies/takedownrequest/").content.decode()
    assert f"TR-{mine.pk}" in listed
    assert f"TR-{theirs.pk}" not in listed
    assert client.get(f"/admin/agencies/takedownrequest/{theirs.pk}/change/").status_code == 302
    assert client.get(f"/admin/agencies/takedownrequest/{mine.pk}/change/").status_code == 200
    # Nothing of the regulator's desk.
    assert client.get("/admin/notices/removalorder/").status_code == 403
    assert client.get("/admin/agencies/agencykey/").status_code == 403


def test_agency_staff_send_a_request_through_the_admin_form(agency_staff, make_platform):
    platform = make_platform()
    client = _client(agency_staff)
    form = client.get("/admin/agencies/takedownrequest/add/").content.decode()
    assert 'name="agency"' not in form  # they send in their own agency's name
    sent = client.post(
        "/admin/agencies/takedownrequest/add/",
        {
            "category": "ncii",
            "legal_basis": "MR5 Art. 14(1)",
            "description": "Reported by a victim.",
            "urls": f"https://{platform.domains.get().domain}/a\n",
            "hashes": "md5," + "ab" * 16,
        },
    )
    assert sent.status_code == 302, sent.content.decode()
    request = TakedownRequest.objects.get()
    assert request.agency.kind == "law_enforcement"
    assert [h.value for h in request.hashes.all()] == ["ab" * 16]
    record = DecisionRecord.objects.get(action=Action.TAKEDOWN_REQUEST_SUBMIT)
    assert (record.actor_kind, record.actor_label) == (
        "agency",
        f"agency:{request.agency_id} user:police_officer",
    )


def test_the_admin_form_shows_the_services_refusal_on_its_field(agency_staff):
    refused = _client(agency_staff).post(
        "/admin/agencies/takedownrequest/add/",
        {"category": "ncii", "legal_basis": "MR5 Art. 14(1)", "urls": "https://nowhere.example/x"},
    )
    assert refused.status_code == 200
    assert "No platform in the registry serves nowhere.example" in refused.content.decode()
    assert not TakedownRequest.objects.exists()


def test_officers_enter_a_request_for_an_agency(officer, make_platform):
    platform = make_platform()
    ministry = Agency.objects.get(kind="ministry")
    sent = _client(officer).post(
        "/admin/agencies/takedownrequest/add/",
        {
            "agency": ministry.pk,
            "category": "ncii",
            "legal_basis": "Letter of 1 December",
            "urls": f"https://{platform.domains.get().domain}/b",
        },
    )
    assert sent.status_code == 302
    assert TakedownRequest.objects.get().agency == ministry


def test_agency_staff_answer_a_referral_with_the_buttons(agency_staff, officer, make_order):
    referral = services.referral_create(
        order=make_order(),
        agency=Agency.objects.get(kind="law_enforcement"),
        actor=Actor.staff(officer),
        reason="CSAM: for investigation.",
    )
    client = _client(agency_staff)
    base = f"/admin/agencies/referral/{referral.pk}"
    page = client.get(f"{base}/change/").content.decode()
    assert "action/acknowledge/" in page
    assert client.post(f"{base}/action/acknowledge/").status_code == 302
    client.post(f"{base}/action/outcome/", {"outcome": "Suspect charged."})
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "Suspect charged.")
    # The regulator's staff see the referral but do not answer for the agency.
    assert "action/acknowledge/" not in _client(officer).get(f"{base}/change/").content.decode()


def test_administrators_decide_who_acts_for_an_agency(superuser, officer, django_user_model):
    user = django_user_model.objects.create_user(username="pusat", password="pw")
    client = _client(superuser)
    police = Agency.objects.get(kind="law_enforcement")
    assert (
        client.post("/admin/agencies/agencymember/add/", {"user": user.pk, "agency": police.pk})
    ).status_code == 302
    user.refresh_from_db()
    assert user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {"agency staff"}
    assert DecisionRecord.objects.filter(action=Action.AGENCY_MEMBER_ADD).count() == 1
    # A regulator's account cannot double as an agency's.
    refused = client.post(
        "/admin/agencies/agencymember/add/", {"user": officer.pk, "agency": police.pk}
    )
    assert refused.status_code == 200
    assert "works for the regulator" in refused.content.decode()
    assert not AgencyMember.objects.filter(user=officer).exists()
    assert _client(officer).get("/admin/agencies/agencymember/").status_code == 403

    member = AgencyMember.objects.get(user=user)
    client.post(f"/admin/agencies/agencymember/{member.pk}/delete/", {"post": "yes"})
    user.refresh_from_db()
    assert not user.is_staff
    assert not AgencyMember.objects.exists()


def test_the_cooperation_report_per_agency_with_csv(officer, make_platform, make_order):
    police = Agency.objects.get(kind="law_enforcement")
    platform = make_platform()
    staff = Actor.staff(officer)
    accepted = _request(police, platform, "1")
    services.takedown_request_accept(request=accepted, actor=staff)
    declined = _request(police, platform, "2")
    services.takedown_request_decline(request=declined, actor=staff, reason="Lawful.")
    _request(police, platform, "3")
    on_time = services.referral_create(
        order=make_order(), agency=police, actor=staff, reason="For investigation."
    )
    services.referral_acknowledge(referral=on_time, actor=Actor.of_agency(police.pk))
    late = services.referral_create(
        order=make_order(), agency=police, actor=staff, reason="Another case."
    )
    Referral.objects.filter(pk=late.pk).update(acknowledge_by=timezone.now() - timedelta(hours=1))

    today = timezone.localdate()
    client = _client(officer)
    page = client.get(f"{COOPERATION}?start={today}&end={today}")
    assert page.status_code == 200
    rows = {row.agency: row for row in page.context["rows"]}
    row = rows[police.name]
    assert (row.requests_made, row.accepted, row.declined, row.waiting) == (3, 1, 1, 1)
    assert row.median_hours_to_triage is not None
    assert (row.referrals_received, row.acknowledged_on_time, row.acknowledged_late) == (2, 1, 1)

    exported = client.get(f"{COOPERATION}?start={today}&end={today}&format=csv")
    assert exported["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.content.decode())))
    police_row = next(r for r in table if r["agency"] == police.name)
    assert (police_row["requests_made"], police_row["acknowledged_late"]) == ("3", "1")

    yesterday = today - timedelta(days=1)
    earlier = client.get(f"{COOPERATION}?start={yesterday}&end={yesterday}")
    assert all(r.requests_made == 0 for r in earlier.context["rows"])
    backwards = client.get(f"{COOPERATION}?start={today}&end={yesterday}")
    assert "ends before it starts" in backwards.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "agency"])
def test_the_cooperation_report_is_the_regulators(role, agency_staff):
    client = Client() if role == "anonymous" else _client(agency_staff)
    assert client.get(COOPERATION).status_code in (302, 403)
