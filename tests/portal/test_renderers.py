"""The API's orjson renderer writes the bytes DRF's own JSONRenderer would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict

from portal.renderers import FastJSONRenderer

WIB = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    "data",
    [
        {"at": datetime(2026, 12, 1, 3, 4, 5, 123456, tzinfo=UTC)},
        {"at": datetime(2026, 12, 1, 3, 4, 5, tzinfo=UTC)},
        {"at": datetime(2026, 12, 1, 10, 4, 5, tzinfo=WIB)},
        {"day": datetime(2026, 12, 1, tzinfo=UTC).date()},
        {"name": "Dewi Lestari — Jakarta", "nested": [{"n": 1, "ok": True, "none": None}]},
        {"amount": Decimal("1.50"), "label": gettext_lazy("Registered")},
        ReturnDict({"results": [], "next_cursor": None}, serializer=None),
        [1, 2.5, "x", b"raw"],
    ],
)
def test_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_nothing_to_render_is_an_empty_body():
    assert FastJSONRenderer().render(None) == b""


def test_what_drf_cannot_write_is_refused():
    with pytest.raises(TypeError):
        FastJSONRenderer().render({"x": object()})
