"""How a published figure reads, the same on the public pages, the admin and in letters:
"fewer than 5" for a withheld one, rupiah, hours and percentages."""

from __future__ import annotations

from decimal import Decimal

from transparency.metrics import Unit
from transparency.selectors import Value

WITHHELD = "fewer than 5"
# A median, share or amount withheld because it would reveal a count of fewer than 5.
WITHHELD_DERIVED = "withheld"
NOT_MEASURED = "not measured"


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


def figure_text(value: Value | None) -> str:
    if value is None:
        return NOT_MEASURED
    if value.hidden:
        return WITHHELD if value.metric.unit == Unit.COUNT else WITHHELD_DERIVED
    return amount_text(value.value, value.metric.unit)
