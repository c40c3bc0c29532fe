"""Inputs the fuzzer found mishandled, pinned down: each must be a clear 4xx problem."""

import pytest

from compliance.models import DecisionRecord


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_an_item_id_too_large_for_the_database_is_refused(api, order):
    before = DecisionRecord.objects.count()
    response = api.post(
        f"/api/v1/orders/{order.reference}/objections/",
        {"reason": "Satire.", "items": [2**70]},
        format="json",
    )
    body = _problem(response, 400)
    assert body["errors"][0]["field"] == "items.0"
    assert DecisionRecord.objects.count() == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/fines/null/payment/",
        "/api/v1/fines/99999999999999999999999/payment/",
        "/api/v1/no-such-thing/",
    ],
)
def test_a_path_no_route_matches_is_a_problem_not_a_page(api, path):
    _problem(api.post(path, {}, format="json"), 404)


@pytest.mark.parametrize("name", ["status", "urgent", "category", "due_before"])
def test_an_empty_filter_is_refused_not_ignored(api, order, name):
    body = _problem(api.get(f"/api/v1/orders/?{name}="), 400)
    assert body["errors"][0]["field"] == name


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
