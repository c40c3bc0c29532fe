"""A platform reads its own scorecard: its figures (its own small counts included) beside the
median platform, and its gender safety index."""

from datetime import timedelta

import pytest
import time_machine

from tests.support.worlds import OCTOBER, T0
from transparency.services import transparency_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def refreshed(world):
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        transparency_refresh(period=OCTOBER)
    return world


def test_a_platform_reads_its_own_figures_beside_the_median(refreshed, client_for):
    response = client_for(refreshed.slow).get("/api/v1/platform/scorecard?period=2026-10")
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == "2026-10"
    assert body["final"] is True
    figures = {f["metric"]: f for f in body["figures"]}
    # Its own three fines, withheld from the public, are shown to it.
    assert figures["fines_assessed"]["value"] == "3"
    assert figures["fines_assessed"]["withheld_publicly"] is True
    assert figures["fines_assessed_amount"]["value"] == "600000000"
    # The median is of published figures only: no platform's letters are published.
    assert figures["letters_sent"]["median"] is None
    assert figures["orders_complied"]["median"] == "3.5"
    assert figures["orders_complied"]["platforms"] == 2
    assert body["safety_index"] is None


def test_another_platform_sees_only_its_own(refreshed, client_for):
    body = client_for(refreshed.fast).get("/api/v1/platform/scorecard?period=2026-10").json()
    figures = {f["metric"]: f for f in body["figures"]}
    assert figures["fines_assessed"]["value"] == "0"
    assert figures["letters_sent"]["value"] == "1"


@pytest.mark.parametrize(
    ("period", "status", "detail"),
    [
        ("2026-13", 400, "no month 13"),
        ("last month", 400, "not a period"),
        ("2026-09", 404, "No figures"),
    ],
)
def test_a_bad_or_unknown_period_is_a_problem(refreshed, client_for, period, status, detail):
    response = client_for(refreshed.fast).get(f"/api/v1/platform/scorecard?period={period}")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert detail in str(response.json())
