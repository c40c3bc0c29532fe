"""Hash lists in the back office: pages per role, imports with a plain message for a bad row,
entries withdrawn and reviewed, re-uploads issued in one step, platforms that never check."""

import pytest
from django.urls import reverse

from compliance.kernel.actors import Actor
from fingerprints import services
from fingerprints.matcher import MATCHER
from fingerprints.models import EntryStatus, HashEntry, HashList
from notices.models import ContentCategory, OrderStatus
from tests.fingerprints.conftest import evidence_add
from tests.support import images


@pytest.fixture(autouse=True)
def _fresh_index(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HASH_INDEX_SYNC_SECONDS = 0
    MATCHER.reset()
    yield
    MATCHER.reset()


@pytest.fixture
def login(client, officer, supervisor, auditor):
    users = {"officer": officer, "supervisor": supervisor, "auditor": auditor}

    def as_role(role):
        client.force_login(users[role])
        return client

    return as_role


@pytest.fixture
def ncii(officer):
    return services.hash_list_create(
        actor=Actor.staff(officer), name="NCII", category=ContentCategory.objects.get(code="ncii")
    )


def _url(name, *args):
    return reverse(f"admin:fingerprints_{name}", args=args)


@pytest.mark.parametrize("role", ["officer", "supervisor", "auditor"])
def test_pages_render_for_every_role(login, ncii, officer, make_platform, role):
    [entry] = services.hash_entries_add(
        actor=Actor.staff(officer), hash_list=ncii, hashes=[services.HashInput("md5", "ab" * 16)]
    )
    make_platform()
    client = login(role)
    for url in [
        _url("hashlist_changelist"),
        _url("hashlist_change", ncii.pk),
        _url("hashentry_changelist"),
        _url("hashentry_change", entry.pk),
        _url("allowedhash_changelist"),
        _url("match_changelist"),
        _url("platformhashuse_changelist"),
    ]:
        assert client.get(url).status_code == 200, url


def test_an_auditor_sees_no_buttons_and_cannot_import(login, ncii):
    client = login("auditor")
    page = client.get(_url("hashlist_change", ncii.pk)).content.decode()
    assert "Import hashes" not in page
    response = client.post(_url("hashlist_action", ncii.pk, "import"), {"text": "md5," + "ab" * 16})
    assert response.status_code == 302
    assert not HashEntry.objects.exists()


def test_an_officer_creates_a_list_and_imports_hashes(login):
    client = login("officer")
    category = ContentCategory.objects.get(code="csam")
    response = client.post(
        _url("hashlist_add"),
        {"name": "CSAM", "category": category.pk, "description": "", "pdq_threshold": 31},
    )
    assert response.status_code == 302
    hash_list = HashList.objects.get(name="CSAM")
    bad = client.post(
        _url("hashlist_action", hash_list.pk, "import"),
        {"text": "type,hash\nmd5," + "ab" * 16 + "\npdq,xyz\n"},
    )
    assert "Line 3: a pdq hash is 64 hexadecimal digits." in bad.content.decode()
    assert not HashEntry.objects.exists()
    good = client.post(
        _url("hashlist_action", hash_list.pk, "import"),
        {"text": "type,hash\nmd5," + "ab" * 16 + "\npdq," + "0f" * 32 + "\n"},
        follow=True,
    )
    assert "2 hashes added to CSAM." in good.content.decode()


def test_an_officer_restricts_a_list(login, ncii, make_platform):
    chosen = make_platform()
    client = login("officer")
    client.post(_url("hashlist_action", ncii.pk, "restrict"), {"platforms": [chosen.pk]})
    ncii.refresh_from_db()
    assert ncii.restricted
    assert list(ncii.platforms.all()) == [chosen]
    refused = client.post(_url("hashlist_action", ncii.pk, "restrict"), {})
    assert "Choose the platforms" in refused.content.decode()


def test_withdraw_from_the_entry_page(login, ncii, officer):
    [entry] = services.hash_entries_add(
        actor=Actor.staff(officer), hash_list=ncii, hashes=[services.HashInput("md5", "ab" * 16)]
    )
    client = login("officer")
    client.post(_url("hashentry_transition", entry.pk, "withdraw"), {"reason": "The victim asked."})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN


def test_from_evidence_to_list_to_an_issued_re_upload_order(
    login, ncii, officer, make_order, make_platform
):
    order = make_order(category="ncii")
    evidence_add(order, Actor.staff(officer), images.text(1))
    client = login("officer")
    orders = "admin:notices_removalorder_action"
    client.post(reverse(orders, args=[order.pk, "hash_list"]), {"hash_list": ncii.pk})
    entry = HashEntry.objects.get(order=order, hash_type="pdq")

    elsewhere = make_platform()
    found = client.post(
        _url("hashentry_action", entry.pk, "reupload"),
        {"platform": elsewhere.pk, "url": f"https://{elsewhere.domains.first().domain}/r"},
        follow=True,
    )
    draft = elsewhere.orders.get()
    assert f"Draft re-upload order {draft.reference} opened" in found.content.decode()
    page = client.get(reverse("admin:notices_removalorder_change", args=[draft.pk]))
    assert "Confirm match and issue" in page.content.decode()
    client.post(reverse(orders, args=[draft.pk, "confirm_match"]), {"reason": "Same image."})
    draft.refresh_from_db()
    assert draft.status == OrderStatus.ISSUED
    assert draft.match_confirmed_by == officer


def test_platforms_that_never_check_come_first(login, make_platform, ncii, client_for):
    checking, silent = make_platform(name="Checks"), make_platform(name="Silent")
    client_for(checking).get(reverse("v1:fingerprints"))
    page = login("auditor").get(_url("platformhashuse_changelist"))
    rows = list(page.context["cl"].result_list)
    assert [p.pk for p in rows] == [silent.pk, checking.pk]
    assert "never" in page.content.decode()
