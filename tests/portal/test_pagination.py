"""Every list pages the same way: `results` newest first and `next_cursor` for the next page,
fines included; a cursor not given out is a 422 and a bad page size a 400."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from compliance.kernel.actors import Actor
from compliance.sweep.jobs import sweep_all
from registry.services import api_key_create

T0 = datetime(2026, 10, 1, tzinfo=UTC)
LISTS = [
    "/api/v1/orders/",
    "/api/v1/fines/",
    "/api/v1/objections/",
    "/api/v1/letters/",
    "/api/v1/keys/",
    "/api/v1/webhook/deliveries/",
    "/api/v1/platform/changes/",
]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_has_results_and_next_cursor(api, order, path):
    body = api.get(path).json()
    assert "results" in body
    assert "next_cursor" in body
    assert body["next_cursor"] is None


def _walk(client: APIClient, path: str, size: int) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        query = f"?page_size={size}" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(path + query).json()
        assert "results" in body, body
        pages.append([row["id"] for row in body["results"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_fines_page_by_cursor_newest_first(make_order, make_platform, client_for):
    platform = make_platform(is_ugc=True)
    with time_machine.travel(T0, tick=False):
        orders = [make_order(platform=platform) for _ in range(3)]
    for day in (1, 2):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            sweep_all()
    api = client_for(platform)
    pages = _walk(api, "/api/v1/fines/", 2)
    assert [len(p) for p in pages] == [2, 1]
    ids = [i for p in pages for i in p]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(orders)
    only = api.get("/api/v1/fines/?status=paid").json()
    assert only == {"results": [], "next_cursor": None}


def test_keys_page_and_a_new_row_does_not_shift_the_next_page(order, officer, client_for):
    api = client_for(order.platform)
    for n in range(4):
        api_key_create(platform=order.platform, actor=Actor.staff(officer), name=f"k{n}")
    first = api.get("/api/v1/keys/?page_size=3").json()
    api_key_create(platform=order.platform, actor=Actor.staff(officer), name="newer")
    rest = api.get(f"/api/v1/keys/?page_size=3&cursor={first['next_cursor']}").json()
    seen = [r["prefix"] for r in first["results"]] + [r["prefix"] for r in rest["results"]]
    assert len(seen) == len(set(seen)) == 5  # the four, and the client_for key before them


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("cursor=x", 422, "cursor"),
        ("page_size=0", 400, "page_size"),
        ("page_size=201", 400, "page_size"),
        ("page_size=ten", 400, "page_size"),
        ("colour=red", 400, "colour"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/fines/", "/api/v1/orders/", "/api/v1/keys/"])
def test_bad_paging_is_refused_naming_the_parameter(api, order, path, query, status, field):
    response = api.get(f"{path}?{query}")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
