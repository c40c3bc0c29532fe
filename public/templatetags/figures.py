"""How a published figure reads: "fewer than 5" for a withheld one, units in the regulator's
conventions (Rp for amounts, hours, percentages)."""

from __future__ import annotations

import re
from decimal import Decimal

from django import template

from transparency.metrics import BY_CODE, INDICATOR_CODES, Unit
from transparency.selectors import ScoreLine, Value

register = template.Library()
WITHHELD = "fewer than 5"
NOT_MEASURED = "not measured"
LINK = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+")


def amount_text(value: Decimal | None, unit: Unit) -> str:
    if value is None:
        return NOT_MEASURED
    if unit == Unit.COUNT:
        return f"{value:,.0f}"
    if unit == Unit.IDR:
        return f"Rp {value:,.0f}"
    if unit == Unit.HOURS:
        return f"{value:,.1f} h"
    return f"{value * 100:.1f}%"


@register.filter
def figure(value: Value | None) -> str:
    if value is None:
        return NOT_MEASURED
    if value.hidden:
        return WITHHELD
    return amount_text(value.value, value.metric.unit)


@register.filter
def metric_label(code: str) -> str:
    return BY_CODE[code].label


@register.filter
def without_links(text: str) -> str:
    """Public comments are shown without links: a link could lead to the very content the
    regulator ordered removed."""
    return LINK.sub("[link removed]", text)


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key)


@register.simple_tag
def median_text(line: ScoreLine) -> str:
    return amount_text(line.median, line.metric.unit)


@register.filter
def indicator_label(code: str) -> str:
    found = INDICATOR_CODES.get(code)
    return found.label if found else code
