"""The public transparency pages in Debian's Chromium against a live server: the figures and
their SVG charts render with no request leaving the site, a scorecard opens from the table,
and a member of the public comments on a version open for comment (with the CSRF token a real
browser carries). Screenshots go to the test artifacts."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone

from compliance.kernel.actors import Actor
from tests.e2e.conftest import ARTIFACTS
from tests.support.worlds import OCTOBER, T0
from transparency import services
from transparency.models import MethodologyComment


@pytest.mark.django_db(transaction=True)
def test_the_public_reads_the_figures_and_comments_on_the_index(
    browser, live_server, world, supervisor
):
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        services.transparency_refresh(period=OCTOBER)
    staff = Actor.staff(supervisor)
    draft = services.methodology_draft(
        actor=staff,
        summary="Weigh re-uploads more.",
        formula="As version 1.",
        indicators=[
            {"code": "reupload_rate", "weight": "0.6", "best": "0", "worst": "0.2"},
            {"code": "removed_on_time_share", "weight": "0.4", "best": "1", "worst": "0.5"},
        ],
    )
    services.methodology_publish(
        actor=staff, methodology=draft, closes_at=timezone.now() + timedelta(days=14)
    )

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    origin = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    page.on("request", lambda r: urlsplit(r.url).netloc != origin and elsewhere.append(r.url))
    csp: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp.append(m.text))

    page.goto(f"{live_server.url}/transparency/")
    assert page.locator("h1").inner_text() == "Platform compliance, October 2026"
    charts = page.locator("svg[role=img]")
    assert charts.count() == 4
    assert charts.first.is_visible()
    assert "Removal orders issued, per platform" in charts.first.locator("title").text_content()
    assert page.get_by_text("fewer than 5").first.is_visible()
    page.screenshot(path=ARTIFACTS / "transparency-home.png", full_page=True)

    page.get_by_role("link", name="Slow").first.click()
    assert page.locator("h1").inner_text() == "Slow: scorecard, October 2026"
    page.screenshot(path=ARTIFACTS / "transparency-scorecard.png", full_page=True)

    page.goto(f"{live_server.url}/transparency/methodology/")
    page.fill("#comment-2", "Count re-uploads <b>twice</b>.")
    page.get_by_role("button", name="Send the comment").click()
    assert page.get_by_text("Thank you: your comment is published below.").is_visible()
    assert page.get_by_text("Count re-uploads <b>twice</b>.").is_visible()
    page.screenshot(path=ARTIFACTS / "transparency-methodology.png", full_page=True)
    assert MethodologyComment.objects.get().body == "Count re-uploads <b>twice</b>."

    page.goto(f"{live_server.url}/transparency/data/")
    assert page.get_by_role("link", name="figures.csv").is_visible()
    page.screenshot(path=ARTIFACTS / "transparency-data.png", full_page=True)
    assert elsewhere == []
    assert csp == []
