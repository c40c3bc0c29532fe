"""The public transparency pages and downloads: figures with small counts withheld, charts as
SVG beside their tables, scorecards, the methodology and its comments; bad input refused."""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from compliance.kernel.actors import Actor
from tests.support.worlds import OCTOBER, T0
from transparency import services
from transparency.models import Methodology, MethodologyComment
from transparency.selectors import DOWNLOAD_COLUMNS, SCORE_COLUMNS

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        services.transparency_refresh(period=OCTOBER)
        services.transparency_refresh(period=OCTOBER.previous())
    return world


def identifying(world) -> list[str]:
    """What must never appear publicly: the content's addresses, the orders' references."""
    orders = [*world.fast_orders, *world.slow_orders]
    return [i.url for o in orders for i in o.items.all()] + [o.reference for o in orders]


def test_the_page_shows_the_latest_final_month_with_small_counts_withheld(published, client):
    response = client.get("/transparency/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Platform compliance, October 2026" in page
    assert "fewer than 5" in page
    assert "Fast" in page
    assert "Slow" in page
    # Charts: server-drawn SVG with a title and description, and no script anywhere.
    assert page.count('role="img"') == 4  # no platform has a score to chart
    assert re.search(r'<svg[^>]*aria-labelledby="chart-orders-title chart-orders-desc"', page)
    assert '<desc id="chart-orders-desc">' in page
    assert "<script" not in page
    # Nothing from another origin.
    assert not re.search(r'(src|href)="(https?:)?//', page)
    for secret in identifying(published):
        assert secret not in page
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_no_figures_yet_is_a_page_not_an_error(client, db):
    response = client.get("/transparency/")
    assert response.status_code == 200
    assert "No figures are published yet" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/transparency/?period=2026-13", 400, "no month 13"),
        ("/transparency/?period=yesterday", 400, "not a period"),
        ("/transparency/?period=2025-01", 404, "No figures are published for 2025-01"),
        ("/transparency/platforms/999999/", 404, "no such platform"),
    ],
)
def test_a_bad_or_unknown_period_or_platform_is_said_plainly(
    published, client, url, status, message
):
    response = client.get(url)
    assert response.status_code == status
    assert message in response.content.decode()


def test_a_platforms_scorecard_is_public_with_its_small_counts_withheld(published, client):
    url = f"/transparency/platforms/{published.slow.pk}/?period=2026-10"
    page = client.get(url).content.decode()
    assert "Slow: scorecard, October 2026" in page
    assert "Median platform" in page
    fines = re.search(r"Fines assessed</th><td class=\"n\">([^<]*)</td>", page)
    assert fines
    assert fines.group(1) == "fewer than 5"
    assert 'role="img"' in page
    for secret in identifying(published):
        assert secret not in page


def test_a_platform_without_figures_in_the_period_is_not_found(published, client, make_platform):
    idle = make_platform(name="Idle")
    response = client.get(f"/transparency/platforms/{idle.pk}/?period=2026-10")
    assert response.status_code == 404
    assert "Idle has no figures for October 2026" in response.content.decode()


def test_figures_download_as_csv_with_stable_columns(published, client):
    response = client.get("/transparency/data/figures.csv?period=2026-10")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (
        tuple(rows[0])
        == DOWNLOAD_COLUMNS
        == (
            "period",
            "period_kind",
            "platform_id",
            "platform",
            "metric",
            "dimension",
            "unit",
            "value",
            "suppressed",
        )
    )
    national = {(r["metric"], r["dimension"]): r for r in rows if not r["platform_id"]}
    assert national["orders_issued", ""]["value"] == "10"
    assert national["removal_hours_p50", ""]["value"] == "5"
    letters = [r for r in rows if r["metric"] == "letters_sent" and r["platform_id"]]
    assert {(r["platform"], r["value"], r["suppressed"]) for r in letters} == {
        ("Fast", "", "True"),
        ("Slow", "", "True"),
    }
    body = response.content.decode()
    for secret in identifying(published):
        assert secret not in body


def test_figures_download_as_json_for_a_range(published, client):
    body = client.get("/transparency/data/figures.json?from=2026-09&to=2026-10").json()
    assert body["columns"] == list(DOWNLOAD_COLUMNS)
    assert {r["period"] for r in body["rows"]} == {"2026-09", "2026-10"}
    withheld = [r for r in body["rows"] if r["suppressed"]]
    assert withheld
    assert all(r["value"] is None for r in withheld)
    assert client.get("/transparency/data/scores.json?period=2026-10").json()["columns"] == list(
        SCORE_COLUMNS
    )
    periods = client.get("/transparency/data/periods.json").json()["periods"]
    assert {"period": "2026-10", "period_kind": "month", "final": True} in periods
    metrics = client.get("/transparency/data/metrics.json").json()["metrics"]
    assert "reuploads_matched" in {m["metric"] for m in metrics}


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("period=2026-00", 400, "no month 0"),
        ("from=2026-01", 400, "give both from and to"),
        ("from=2026-10&to=2026-01", 400, "to comes before from"),
        ("from=2026-01&to=2026-Q4", 400, "same kind"),
        ("from=2020-01&to=2026-01", 400, "at most 36 periods"),
        ("period=2024-05", 404, "No figures are published for 2024-05"),
    ],
)
def test_a_bad_download_query_is_a_problem(published, client, query, status, detail):
    response = client.get(f"/transparency/data/figures.csv?{query}")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert detail in response.json()["detail"]


@pytest.fixture
def consultation(supervisor):
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
    return services.methodology_publish(
        actor=staff, methodology=draft, closes_at=timezone.now() + timedelta(days=14)
    )


def test_the_public_comments_on_a_version_open_for_comment(consultation, client):
    page = client.get("/transparency/methodology/").content.decode()
    assert "Version 2: Open for public comment" in page
    assert "Version 1: Adopted (in use)" in page
    assert 'action="/transparency/methodology/2/comments/"' in page
    body = "<script>alert(1)</script> see https://evil.example/leak for the video"
    response = client.post("/transparency/methodology/2/comments/", {"body": body})
    assert response.status_code == 303
    [comment] = MethodologyComment.objects.all()
    assert comment.body == body  # kept as written, plain text
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "evil.example" not in page
    assert "[link removed]" in page


def test_comments_are_refused_outside_the_period_and_over_the_limits(consultation, client):
    assert client.post("/transparency/methodology/1/comments/", {"body": "Hi"}).status_code == 409
    assert (
        client.post("/transparency/methodology/2/comments/", {"body": "x" * 2001}).status_code
        == 400
    )
    for n in range(services.COMMENTS_PER_HOUR):
        assert (
            client.post("/transparency/methodology/2/comments/", {"body": f"c{n}"}).status_code
            == 303
        )
    refused = client.post("/transparency/methodology/2/comments/", {"body": "again"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert MethodologyComment.objects.count() == services.COMMENTS_PER_HOUR
    assert client.get("/transparency/methodology/99/comments/").status_code == 405


def test_drafts_are_not_public(supervisor, client, db):
    services.methodology_draft(
        actor=Actor.staff(supervisor),
        summary="Secret draft",
        formula="f",
        indicators=[{"code": "reupload_rate", "weight": "1", "best": "0", "worst": "1"}],
    )
    assert "Secret draft" not in client.get("/transparency/methodology/").content.decode()
    assert client.post("/transparency/methodology/2/comments/", {"body": "x"}).status_code == 404
    assert Methodology.objects.count() == 2


def test_pages_and_downloads_are_cached_until_the_next_refresh(published, client, make_order):
    november = OCTOBER.__class__.parse("2026-11")
    url = "/transparency/data/figures.csv?period=2026-11"
    with time_machine.travel(T0 + timedelta(days=41), tick=False):
        for _ in range(5):
            make_order(platform=published.fast)
        services.transparency_refresh(period=november)
        first = client.get(url).content.decode()
        for _ in range(5):
            make_order(platform=published.fast)
        # Not refreshed yet: the cached download is what was published.
        assert client.get(url).content.decode() == first
        services.transparency_refresh(period=november)
        second = client.get(url).content.decode()
    assert "Fast,orders_issued,,count,5,False" in first
    assert "Fast,orders_issued,,count,10,False" in second
