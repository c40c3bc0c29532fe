"""The platform admin per role: pages, filters, search, inlines, transition buttons."""

import pytest
from django.urls import reverse

from compliance.models import DecisionRecord
from registry.models import Platform

ROLES = ["officer", "supervisor", "auditor"]


@pytest.fixture
def login(client, officer, supervisor, auditor):
    users = {"officer": officer, "supervisor": supervisor, "auditor": auditor}

    def as_role(role):
        client.force_login(users[role])
        return client

    return as_role


def _change_url(platform):
    return reverse("admin:registry_platform_change", args=[platform.pk])


def _transition_url(platform, name):
    return reverse("admin:registry_platform_transition", args=[platform.pk, name])


@pytest.mark.parametrize("role", ROLES)
def test_pages_render_for_every_role(login, make_platform, role):
    platform = make_platform(domains=["kilat.example"])
    client = login(role)
    for url in [
        reverse("admin:index"),
        reverse("admin:registry_platform_changelist"),
        reverse("admin:registry_platform_changelist") + "?status__exact=registered&is_ugc__exact=1",
        reverse("admin:registry_platform_changelist") + "?q=kilat.example",
        _change_url(platform),
        reverse("admin:compliance_decisionrecord_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_search_finds_by_domain_and_registration_number(login, make_platform):
    wanted = make_platform(name="Kilat", domains=["kilat.example"])
    make_platform(name="Other", domains=["other.example"])
    client = login("auditor")
    url = reverse("admin:registry_platform_changelist")
    for query in ["kilat.example", wanted.registration_number]:
        result = list(client.get(url, {"q": query}).context["cl"].result_list)
        assert result == [wanted]


def test_change_page_shows_history_and_inlines(login, make_platform):
    platform = make_platform(domains=["kilat.example"])
    page = login("auditor").get(_change_url(platform)).content.decode()
    assert "kilat.example" in page
    assert "platform.approve" not in page  # history shows states, not internal action names
    assert "pending" in page
    assert "registered" in page
    assert "MR5 Art." in page


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        ("officer", {"require_update", "propose_block", "create_api_key", "declare_turnover"}),
        (
            "supervisor",
            {
                "require_update",
                "propose_block",
                "propose_direct_block",
                "create_api_key",
                "declare_turnover",
                "designate",
            },
        ),
        ("auditor", set()),
    ],
)
def test_buttons_follow_state_and_role(login, make_platform, role, buttons):
    platform = make_platform()
    response = login(role).get(_change_url(platform))
    shown = {t["name"] for t in response.context["transitions"]}
    assert shown == buttons
    for name in buttons:
        assert f'data-transition="{name}"' in response.content.decode()


def test_button_runs_the_service(login, make_platform):
    platform = make_platform(registered=False)
    client = login("officer")
    assert client.get(_transition_url(platform, "file_application")).status_code == 200
    response = client.post(_transition_url(platform, "file_application"), {"reason": ""})
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.status == "pending"
    assert DecisionRecord.objects.last().actor_label == "user:officer"


def test_reason_is_required_where_the_decision_burdens(login, make_platform):
    platform = make_platform()
    client = login("supervisor")
    response = client.post(_transition_url(platform, "require_update"), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    platform.refresh_from_db()
    assert platform.status == "registered"


def test_forged_post_without_permission_is_refused(login, make_platform):
    platform = make_platform()
    records = DecisionRecord.objects.count()
    client = login("auditor")
    url = _transition_url(platform, "require_update")
    response = client.post(url, {"reason": "forged"}, follow=True)
    assert "Your role does not allow this." in response.content.decode()  # in plain words
    platform.refresh_from_db()
    assert platform.status == "registered"
    assert DecisionRecord.objects.count() == records


@pytest.mark.parametrize("name", ["block", "suspend", "revoke", "normalize"])
def test_sanctions_have_no_direct_button(login, make_platform, name):
    platform = make_platform()
    assert (
        login("supervisor").post(_transition_url(platform, name), {"reason": "x"}).status_code
        == 404
    )


def test_transition_from_wrong_state_is_refused_with_a_message(login, make_platform):
    platform = make_platform()
    response = login("officer").post(_transition_url(platform, "approve"), follow=True)
    assert "Cannot approve a platform that is registered." in response.content.decode()
    platform.refresh_from_db()
    assert platform.status == "registered"


def test_unknown_transition_is_404(login, make_platform):
    platform = make_platform()
    assert (
        login("supervisor").post(_transition_url(platform, "delete_everything")).status_code == 404
    )


def _add_form(**extra):
    data = {
        "name": "Baru",
        "legal_name": "PT Baru",
        "sector": "social_media",
        "business_model": "",
        "user_count": "0",
        "country": "",
        "leadership": "",
        "incorporation_number": "",
        "personal_data_processed": "",
        "data_location": "",
    }
    for prefix in ("domains", "contacts", "apps", "api_keys", "turnovers", "designations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(extra)
    return data


def test_officer_adds_a_platform_with_domains_and_contacts(login):
    client = login("officer")
    data = _add_form(
        **{
            "domains-TOTAL_FORMS": "1",
            "domains-0-domain": "Baru.EXAMPLE",
            "contacts-TOTAL_FORMS": "1",
            "contacts-0-name": "Ani",
            "contacts-0-role": "Legal",
            "contacts-0-email": "ani@baru.example",
            "contacts-0-phone": "+62 21 555 0000",
        }
    )
    response = client.post(reverse("admin:registry_platform_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    platform = Platform.objects.get(name="Baru")
    assert list(platform.domains.values_list("domain", flat=True)) == ["baru.example"]
    actions = list(
        DecisionRecord.objects.filter(object_id=str(platform.pk)).values_list("action", flat=True)
    )
    assert actions == ["platform.create", "platform.edit", "platform.edit"]


@pytest.mark.parametrize(
    ("domain", "message"),
    [("not a domain", "is not a valid domain name"), ("Taken.example", "already exists")],
)
def test_bad_domain_in_admin_shows_error_and_saves_nothing(login, make_platform, domain, message):
    make_platform(domains=["taken.example"])
    count = Platform.objects.count()
    records = DecisionRecord.objects.count()
    data = _add_form(**{"domains-TOTAL_FORMS": "1", "domains-0-domain": domain})
    response = login("officer").post(reverse("admin:registry_platform_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Platform.objects.count() == count
    assert DecisionRecord.objects.count() == records


def test_auditor_cannot_add_or_change(login, make_platform):
    platform = make_platform()
    client = login("auditor")
    assert client.get(reverse("admin:registry_platform_add")).status_code == 403
    response = client.post(_change_url(platform), _add_form(name="Renamed"))
    assert response.status_code == 403
    platform.refresh_from_db()
    assert platform.name != "Renamed"


def test_decision_records_are_read_only_in_the_admin(superuser, client, make_platform):
    make_platform()
    client.force_login(superuser)
    record = DecisionRecord.objects.first()
    url = reverse("admin:compliance_decisionrecord_change", args=[record.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"reason": "edited"})
    assert (
        client.post(reverse("admin:compliance_decisionrecord_delete", args=[record.pk])).status_code
        == 403
    )
    assert DecisionRecord.objects.get(pk=record.pk).reason == record.reason
