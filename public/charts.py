"""Bar charts drawn on the server as SVG: readable without scripts, with a text alternative,
and always beside the table they draw (the table is the accessible form of the figures)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, LABEL_WIDTH, VALUE_WIDTH, BAR_HEIGHT, GAP = 480, 150, 100, 20, 6


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as the table shows it ("fewer than 5" for a withheld figure)
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    value_x: int


def bar_chart(
    *, id: str, title: str, rows: list[tuple[str, Decimal | None, str]], unit: str
) -> Chart:
    """rows: (label, value or None when withheld or not measured, the value as text)."""
    known = [value for _, value, _ in rows if value is not None]
    top = max(known, default=Decimal(0)) or Decimal(1)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for n, (label, value, text) in enumerate(rows):
        y = GAP + n * (BAR_HEIGHT + GAP)
        width = int(span * value / top) if value is not None else 0
        bars.append(
            Bar(
                label if len(label) <= 19 else label[:18] + "…",
                text,
                y,
                max(width, 1 if value else 0),
                y + BAR_HEIGHT - 5,
            )
        )
    described = "; ".join(f"{label}: {text}" for label, _, text in rows)
    return Chart(
        id=id,
        title=title,
        description=f"{title} ({unit}). {described}." if rows else f"{title}: no data.",
        bars=bars,
        width=WIDTH,
        height=GAP + len(rows) * (BAR_HEIGHT + GAP),
        label_width=LABEL_WIDTH,
        value_x=WIDTH - VALUE_WIDTH + 6,
    )
