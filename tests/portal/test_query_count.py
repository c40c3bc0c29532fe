"""A page of orders costs the same number of queries for 1 order or 200."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.cloning import orders_clone_due


def _queries(api) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/api/v1/orders/?page_size=200").status_code == 200
    return len(captured)


def test_orders_page_queries_do_not_grow_with_orders(api, order):
    api.get("/api/v1/orders/")  # first use writes last_used_at; compare steady requests
    one = _queries(api)
    orders_clone_due(order, 200, prefix="QC")
    many = _queries(api)
    assert len(api.get("/api/v1/orders/?page_size=200").json()["results"]) == 200
    assert one == many
