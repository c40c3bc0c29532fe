"""The downloads (`/transparency/data/`): built from the aggregates when a period is refreshed,
kept with it, and put together per request from one row per period."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from transparency import selectors
from transparency.models import Download
from transparency.periods import Period

NAMES: dict[str, tuple[tuple[str, ...], Callable[..., Iterator[tuple[Any, ...]]]]] = {
    "figures": (selectors.DOWNLOAD_COLUMNS, selectors.download_rows),
    "scores": (selectors.SCORE_COLUMNS, selectors.score_rows),
}
FORMATS = ("csv", "json")


def _plain(value: Any) -> Any:
    """Decimals as written by hand: 600000000, 0.8571, 5 (never 6E+8 or 5.0000)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "" if value is None else value


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _body(columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]], fmt: str) -> tuple[str, int]:
    rows = list(rows)
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(tuple(map(_plain, r)) for r in rows)
        return out.getvalue(), len(rows)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    return ",".join(encode(dict(zip(columns, map(_number, r), strict=True))) for r in rows), len(
        rows
    )


def downloads_build(*, period: Period, only: tuple[str, str] | None = None) -> list[Download]:
    """Every download of one period (or `only` one: name and format), from its aggregates and
    scores as they stand."""
    built = []
    for name, (columns, rows) in NAMES.items():
        if only and only[0] != name:
            continue
        found = list(rows(periods=[period]))
        for fmt in FORMATS:
            if only and only[1] != fmt:
                continue
            body, count = _body(columns, found, fmt)
            built.append(
                Download(
                    period_kind=period.kind,
                    period_start=period.start,
                    name=name,
                    format=fmt,
                    body=body,
                    rows=count,
                )
            )
    return built


def download_text(*, name: str, fmt: str, periods: list[Period]) -> str:
    """The download of these periods: the stored bodies after one header (CSV) or inside one
    object (JSON). A period published before downloads were stored is built as it is read."""
    columns, _ = NAMES[name]
    stored = {
        (d.period_kind, d.period_start): d.body
        for d in Download.objects.filter(
            name=name, format=fmt, period_start__in=[p.start for p in periods]
        )
    }
    bodies = []
    for period in periods:
        body = stored.get((period.kind, period.start))
        if body is None:
            [built] = downloads_build(period=period, only=(name, fmt))
            body = built.body
        bodies.append(body)
    if fmt == "csv":
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(columns)
        return header.getvalue() + "".join(bodies)
    return (
        '{"columns":'
        + json.dumps(list(columns))
        + ',"rows":['
        + ",".join(b for b in bodies if b)
        + "]}"
    )
