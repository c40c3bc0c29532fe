"""Each role's first page in Debian's Chromium, in Indonesian (the staff default) and, after
the language switch, in English: the counts of the work made through the services, each
linking to its list; screenshots of every page go to the test artifacts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from compliance.kernel.actors import Actor
from compliance.sanctions.services import access_block_propose_direct
from notices import services as notices
from tests.e2e.conftest import ARTIFACTS

LABELS = {
    "id": {
        "due4": "Perintah bertenggat dalam 4 jam",
        "due24": "Perintah bertenggat dalam 24 jam",
        "overdue": "Perintah lewat tenggat (diproses penyisiran berikutnya)",
        "blocks": "Pemutusan akses menunggu persetujuan saya",
        "objections": "Keberatan terbuka",
        "caption": "Hari ini",
    },
    "en": {
        "due4": "Orders due within 4 hours",
        "due24": "Orders due within 24 hours",
        "overdue": "Overdue orders (the next sweep takes them up)",
        "blocks": "Access blocks awaiting my approval",
        "objections": "Open objections",
        "caption": "Today",
    },
}


def _counts(page) -> dict[str, int]:
    rows = page.locator("#worklist tbody tr")
    return {
        rows.nth(n).locator("th a").inner_text(): int(rows.nth(n).locator("td").inner_text())
        for n in range(rows.count())
    }


@pytest.mark.django_db(transaction=True)
def test_each_roles_first_page_in_both_languages(
    browser, live_server, settings, make_platform, make_order, supervisor, supervisor2, auditor
):
    settings.STAFF_LANGUAGE_CODE = "id"  # the deployment's default, which the suite turns off
    now = timezone.now()
    platform = make_platform(name="KilatVideo")
    with time_machine.travel(now - timedelta(hours=30), tick=False):
        make_order(platform=platform)  # overdue
    order = make_order(platform=platform)  # due in 24 hours
    make_order(platform=platform, urgent=True)  # due in 4 hours
    notices.objection_file(
        order=order,
        actor=Actor.of_platform(platform),
        reason="Satire.",
        items=[order.items.first()],
    )
    other = make_platform(name="Gelap", domains=["gelap.example"])
    access_block_propose_direct(
        platform=other,
        actor=Actor.staff(supervisor),
        domains=["gelap.example"],
        reason="Prohibited content on every page.",
    )

    expected = {
        "officer": {"due4": 1, "due24": 2, "overdue": 1, "objections": 1},
        # The supervisor's own proposal is not theirs to approve; another supervisor's is.
        "supervisor": {"due4": 1, "due24": 2, "overdue": 1, "objections": 1, "blocks": 0},
        "supervisor2": {"due4": 1, "due24": 2, "overdue": 1, "objections": 1, "blocks": 1},
        "auditor": {"due4": 1, "due24": 2, "overdue": 1, "objections": 1},
    }
    for username, counts in expected.items():
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", f"pw-{username}")
        with page.expect_navigation():
            page.click("input[type=submit]")
        for language in ("id", "en"):
            if language == "en":
                page.select_option("#language-choice", "en")
                with page.expect_navigation():
                    page.get_by_role("button", name="Ganti", exact=True).click()
            labels = LABELS[language]
            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("#worklist caption").text_content() == labels["caption"]
            shown = _counts(page)
            for key, count in counts.items():
                assert shown[labels[key]] == count, (username, language, key)
            if "blocks" not in counts:
                assert labels["blocks"] not in shown  # only those who decide see proposals
            page.screenshot(path=ARTIFACTS / f"desk-{username}-{language}.png", full_page=True)
        # Each count opens the list it counts.
        with page.expect_navigation():
            page.get_by_role("link", name=LABELS["en"]["due4"]).click()
        assert page.locator("#result_list tbody tr").count() == 1
        # Celery's schedules are the administrators' alone.
        page.goto(f"{live_server.url}/admin/")
        assert page.locator("a[href*='django_celery_beat']").count() == 0
        assert page.get_by_role("link", name="View site").get_attribute("href") == (
            "/transparency/"
        )
        page.context.close()
