"""The removal order admin per role: pages, filters, intake, buttons, evidence, policies."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from compliance.models import DecisionRecord, EscalationPolicy
from compliance.policies import mr5
from notices.models import Agency, ContentCategory, Evidence, RemovalOrder
from tests.support.images import TINY_PNG

PNG = TINY_PNG


@pytest.fixture
def login(client, officer, supervisor, auditor):
    users = {"officer": officer, "supervisor": supervisor, "auditor": auditor}

    def as_role(role):
        client.force_login(users[role])
        return client

    return as_role


def _url(name, *args):
    return reverse(f"admin:notices_{name}", args=args)


@pytest.mark.parametrize("role", ["officer", "supervisor", "auditor"])
def test_pages_render_for_every_role(login, make_order, role):
    order = make_order()
    client = login(role)
    changelist = _url("removalorder_changelist")
    for url in [
        changelist,
        changelist + "?deadline=overdue",
        changelist + "?deadline=due_24h&urgent__exact=0",
        changelist + "?q=platform1.example/v/1",
        _url("removalorder_change", order.pk),
        _url("agency_changelist"),
        _url("contentcategory_changelist"),
        _url("objection_changelist"),
        reverse("admin:compliance_escalationpolicy_changelist"),
    ]:
        assert client.get(url).status_code == 200, url


def test_search_by_url_and_overdue_filter(login, make_order):
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        late = make_order(urls=["https://platform1.example/late"])
    make_order()
    client = login("auditor")
    found = client.get(_url("removalorder_changelist"), {"q": "platform1.example/late"})
    assert list(found.context["cl"].result_list) == [late]
    overdue = client.get(_url("removalorder_changelist"), {"deadline": "overdue"})
    assert list(overdue.context["cl"].result_list) == [late]
    assert "overdue by" in overdue.content.decode()


def _add_data(make_platform, items):
    platform = make_platform(domains=["kilat.example"])
    return {
        "platform": platform.pk,
        "agency": Agency.objects.get(kind="law_enforcement").pk,
        "category": ContentCategory.objects.get(code="csam").pk,
        "legal_basis": "MR5 Art. 9(4)(a)",
        "description": "reported by hotline",
        "items_text": items,
        "off_platform_reason": "",
    }


def test_officer_creates_an_order_with_items(login, make_platform):
    data = _add_data(make_platform, "https://kilat.example/a\nhttps://kilat.example/b,post-9\n")
    response = login("officer").post(_url("removalorder_add"), data)
    assert response.status_code == 302
    order = RemovalOrder.objects.get()
    assert (order.status, order.urgent) == ("draft", True)
    assert list(order.items.values_list("content_id", flat=True)) == ["", "post-9"]


def test_bad_lines_on_add_show_and_save_nothing(login, make_platform):
    data = _add_data(make_platform, "https://kilat.example/a\nnot a url\nhttps://other.example/x")
    response = login("officer").post(_url("removalorder_add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2:" in page
    assert "Line 3: other.example is not a domain of the platform" in page
    assert not RemovalOrder.objects.exists()


def test_order_with_no_items_is_refused(login, make_platform):
    response = login("officer").post(_url("removalorder_add"), _add_data(make_platform, "\n"))
    assert response.status_code == 200
    assert not RemovalOrder.objects.exists()


def test_import_action_reports_lines_and_imports_clean_files(login, make_order):
    order = make_order(issued=False)
    client = login("officer")
    url = _url("removalorder_action", order.pk, "import_items")
    response = client.post(url, {"text": "https://platform1.example/new\nhttp://\n"})
    assert response.status_code == 200
    assert "Line 2:" in response.content.decode()
    assert order.items.count() == 2
    response = client.post(url, {"text": "https://platform1.example/new"})
    assert response.status_code == 302
    assert order.items.count() == 3


@pytest.mark.parametrize(
    ("role", "state", "buttons"),
    [
        ("officer", "draft", {"issue", "withdraw", "import_items", "add_evidence"}),
        ("officer", "issued", {"acknowledge", "withdraw", "add_evidence", "pause_clock", "refer"}),
        (
            "supervisor",
            "issued",
            {"acknowledge", "withdraw", "add_evidence", "pause_clock", "refer"},
        ),
        ("auditor", "draft", set()),
        ("auditor", "issued", set()),
    ],
)
def test_buttons_follow_state_and_role(login, make_order, role, state, buttons):
    order = make_order(issued=state != "draft")
    response = login(role).get(_url("removalorder_change", order.pk))
    assert {t["name"] for t in response.context["transitions"]} == buttons


def test_issue_button_starts_the_clock(login, make_order):
    order = make_order(issued=False)
    response = login("officer").post(_url("removalorder_transition", order.pk, "issue"))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "issued"
    assert order.due_at is not None
    page = login("officer").get(_url("removalorder_change", order.pk)).content.decode()
    assert "23h 59m" in page or "24h 00m" in page or "1d 0h 00m" in page


def test_forged_issue_by_auditor_is_refused(login, make_order):
    order = make_order(issued=False)
    records = DecisionRecord.objects.count()
    login("auditor").post(_url("removalorder_transition", order.pk, "issue"))
    order.refresh_from_db()
    assert order.status == "draft"
    assert DecisionRecord.objects.count() == records


def test_pause_and_resume_buttons(login, make_order):
    order = make_order()
    client = login("officer")
    client.post(_url("removalorder_action", order.pk, "pause_clock"), {"reason": "objection"})
    order.refresh_from_db()
    assert order.clock_paused_at is not None
    client.post(_url("removalorder_action", order.pk, "resume_clock"), {"reason": "decided"})
    order.refresh_from_db()
    assert order.clock_paused_at is None
    assert order.pauses.get().resumed_at is not None


def test_evidence_upload_and_refusal(login, make_order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = make_order()
    client = login("officer")
    url = _url("removalorder_action", order.pk, "add_evidence")
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("shot.png", b"MZ\x90 executable")
    response = client.post(url, {"file": bad, "captured_at": "2026-01-05 10:00:00"})
    assert response.status_code == 200
    assert "Not an allowed evidence type" in response.content.decode()
    good = SimpleUploadedFile("shot.png", PNG)
    item = order.items.first()
    response = client.post(
        url, {"file": good, "captured_at": "2026-01-05 10:00:00", "item": item.pk}
    )
    assert response.status_code == 302
    assert Evidence.objects.get().item == item


def test_supervisor_edits_policy_as_a_new_version(login):
    policy = EscalationPolicy.objects.get(is_default=True)
    shipped = policy.version
    url = reverse("admin:compliance_escalationpolicy_change", args=[policy.pk])
    data = {
        "name": policy.name,
        "jurisdiction": policy.jurisdiction,
        "description": "",
        "is_default": "on",
        "notice_hours": "12",
        "urgent_notice_hours": "2",
        # The ladder as rows: a warning in working days with its citation, then a block.
        "ladder-rows": "3",
        "ladder-1-action": "warning",
        "ladder-1-period": "2",
        "ladder-1-unit": "working_days",
        "ladder-1-legal_basis": "MR5 Art. 15(11)",
        "ladder-2-action": "block_proposal",
        "ladder-2-period": "1",
        "ladder-2-urgent_period": "1",
        "ladder-2-unit": "hours",
        "ladder-3-action": "",
        "currency": "IDR",
        "fine_cap_per_item": "500000000",
        "fines_only_ugc": "on",
        "fine_payment_days": "14",
        "registration_update_days": "14",
        "registration_warning_days": "7",
        "suspension_days": "7",
        "unregistered_notice_days": "5",
        "registration_period_unit": "working_days",
        "normalization_decision_hours": "48",
        "data_request_days": "5",
        "data_request_ladder": json.dumps(mr5.DATA_LADDER),
        "risk_assessment_ladder": json.dumps(mr5.RISK_LADDER),
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }
    assert login("officer").post(url, data).status_code == 403
    page = login("supervisor").get(url).content.decode()
    assert 'name="ladder-1-action"' in page  # rows, not a JSON text box
    assert "MR5 Art. 15(11) and 16(12) (first warning letter)" in page
    bad = {**data, "ladder-1-action": "warning_fine", "ladder-1-fine_per_item": "-5"}
    response = login("supervisor").post(url, bad)
    assert response.status_code == 200
    assert "Step 1: fine_per_item must be a positive amount." in response.content.decode()
    block_first = {**data, "ladder-1-action": "block_proposal"}
    response = login("supervisor").post(url, block_first)
    assert "The block proposal can only be the last step." in response.content.decode()
    response = login("supervisor").post(url, data)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.unregistered_notice_days, policy.registration_period_unit) == (5, "working_days")
    assert policy.version == shipped + 1
    assert policy.versions.count() == shipped + 1
    assert policy.ladder == [
        {"action": "warning", "period_working_days": 2, "legal_basis": "MR5 Art. 15(11)"},
        {"action": "block_proposal", "period_hours": 1, "urgent_period_hours": 1},
    ]


def test_objection_is_decided_from_its_page(login, make_order):
    from compliance.kernel.actors import Actor
    from notices import services

    order = make_order()
    objection = services.objection_file(
        order=order,
        actor=Actor.of_platform(order.platform),
        reason="parody",
        items=[order.items.first()],
    )
    client = login("officer")
    page = client.get(reverse("admin:notices_objection_change", args=[objection.pk]))
    assert {t["name"] for t in page.context["transitions"]} == {"uphold", "reject"}
    client.post(
        reverse("admin:notices_objection_transition", args=[objection.pk, "reject"]),
        {"reason": "not parody"},
    )
    objection.refresh_from_db()
    assert objection.status == "rejected"


def test_evidence_is_served_only_to_staff_who_may_see_it(
    login, make_order, settings, tmp_path, client, django_user_model
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from compliance.kernel.actors import Actor
    from notices import services

    settings.MEDIA_ROOT = tmp_path
    order = make_order()
    evidence = services.evidence_add(
        order=order,
        actor=Actor.staff(order.created_by),
        file=SimpleUploadedFile("x.html", PNG),
        captured_at=timezone.now(),
    )
    url = reverse("admin:notices_removalorder_evidence", args=[order.pk, evidence.pk])
    response = login("auditor").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PNG
    page = login("auditor").get(_url("removalorder_change", order.pk)).content.decode()
    assert url in page

    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    nobody = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(nobody)
    assert client.get(url).status_code == 403
    assert client.get("/media/" + evidence.file.name).status_code == 404


def test_objection_list_costs_the_same_for_one_or_many(login, make_order):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from compliance.kernel.actors import Actor
    from notices import services

    client = login("auditor")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url("objection_changelist")).status_code == 200
        return len(captured)

    def objection() -> None:
        order = make_order()
        services.objection_file(
            order=order,
            actor=Actor.of_platform(order.platform),
            reason="x",
            items=[order.items.first()],
        )

    objection()
    one = queries()
    for _ in range(4):
        objection()
    assert queries() == one
