"""How a published figure reads: "fewer than 5" for a withheld one, units in the regulator's
conventions (Rp for amounts, hours, percentages)."""

from __future__ import annotations

import re

from django import template

from transparency.display import WITHHELD_DERIVED, amount_text, figure_text
from transparency.metrics import BY_CODE, INDICATOR_CODES
from transparency.selectors import ScoreLine, Value

register = template.Library()
LINK = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+")


@register.filter
def figure(value: Value | None) -> str:
    return figure_text(value)


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
    if line.median is None and line.withheld:
        return WITHHELD_DERIVED
    return amount_text(line.median, line.metric.unit)


@register.filter
def indicator_label(code: str) -> str:
    found = INDICATOR_CODES.get(code)
    return found.label if found else code
