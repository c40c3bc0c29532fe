"""The methodology in the admin: drafted from a form (faults shown on it), opened for comment
and adopted with buttons; the platform's page shows its scorecard."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from compliance.kernel.actors import Actor
from tests.support.worlds import OCTOBER, T0
from transparency import services
from transparency.models import Methodology

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_supervisor_drafts_a_version_and_its_faults_are_shown_on_the_form(supervisor):
    client = signed_in(supervisor)
    form = client.get("/admin/transparency/methodology/add/").content.decode()
    assert "ncii_removal_hours_p50" in form  # starts from the version in use
    bad = client.post(
        "/admin/transparency/methodology/add/",
        {
            "summary": "Heavier on speed.",
            "formula": "Weighted mean.",
            "indicators": '[{"code": "reupload_rate", "weight": "0.7", "best": "0", "worst": "1"}]',
            "min_coverage": "0.6",
        },
    )
    assert bad.status_code == 200
    assert "The weights sum to 0.7, not 1." in bad.content.decode()
    assert Methodology.objects.count() == 1
    good = client.post(
        "/admin/transparency/methodology/add/",
        {
            "summary": "Heavier on speed.",
            "formula": "Weighted mean.",
            "indicators": '[{"code": "reupload_rate", "weight": "1", "best": "0", "worst": "1"}]',
            "min_coverage": "0.6",
        },
    )
    assert good.status_code == 302
    draft = Methodology.objects.get(version=2)
    assert draft.status == Methodology.Status.DRAFT
    page = client.get(f"/admin/transparency/methodology/{draft.pk}/change/").content.decode()
    assert "Open for public comment" in page
    assert ">Adopt<" not in page


def test_officers_cannot_draft(officer):
    assert signed_in(officer).get("/admin/transparency/methodology/add/").status_code == 403


def test_the_platform_page_shows_its_scorecard(world, officer):
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        services.transparency_refresh(period=OCTOBER)
    page = (
        signed_in(officer).get(f"/admin/registry/platform/{world.slow.pk}/change/").content.decode()
    )
    assert "Scorecard (latest published month)" in page
    assert "October 2026" in page
    # Staff see the platform's own small counts: its three fines, Rp 600,000,000.
    assert "Rp 600,000,000" in page
    assert "No gender safety index for this month." in page


def test_a_platform_page_before_any_figures(make_platform, officer):
    platform = make_platform()
    page = (
        signed_in(officer).get(f"/admin/registry/platform/{platform.pk}/change/").content.decode()
    )
    assert "No figures are published yet." in page


def test_the_comment_period_closing_opens_adoption(supervisor):
    staff = Actor.staff(supervisor)
    draft = services.methodology_draft(
        actor=staff,
        summary="s",
        formula="f",
        indicators=[{"code": "reupload_rate", "weight": "1", "best": "0", "worst": "1"}],
    )
    services.methodology_publish(
        actor=staff, methodology=draft, closes_at=timezone.now() + timedelta(days=8)
    )
    client = signed_in(supervisor)
    url = f"/admin/transparency/methodology/{draft.pk}/change/"
    assert ">Adopt<" not in client.get(url).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        assert "Adopt" in client.get(url).content.decode()
        client.post(f"/admin/transparency/methodology/{draft.pk}/action/adopt/", {})
    assert Methodology.objects.get(pk=draft.pk).status == Methodology.Status.ADOPTED


def test_the_platform_page_is_its_case_file(victim, officer):
    """Orders, letters, fines, blocks and requests, newest first, each linking to its page."""
    page = (
        signed_in(officer)
        .get(f"/admin/registry/platform/{victim.platform.pk}/change/")
        .content.decode()
    )
    assert "Case file (newest first)" in page
    letters = list(victim.letters.order_by("-issued_at"))
    assert len(letters) == 3
    positions = [page.index(letter.number) for letter in letters]
    assert positions == sorted(positions), "newest first"
    assert f'href="/admin/notices/removalorder/{victim.pk}/change/"' in page
    block = victim.platform.blocks.get()
    assert f'href="/admin/compliance/accessblock/{block.pk}/change/"' in page
