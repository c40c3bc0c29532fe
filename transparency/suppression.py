"""Which figures are not published: counts of 1 to 4, and whatever would give them away.

1. Primary: a count from 1 to 4 is shown as "fewer than 5". Zero is shown: it says that
   nothing happened, which identifies no one (and the issue asks for zero rows to be shown).
2. Complementary: a table publishes lines with their totals (a platform's orders by category
   with its total; each category's orders by platform with the national total). A line with
   exactly one hidden cell gives it away (total minus the others), so the smallest other
   non-zero cell of that line is hidden too, or the total where there is none; repeated until
   no line has a lone hidden cell, across rows and columns.
3. Derived: an amount is hidden with the count of fines behind it; a median or percentile of
   fewer than 5 removals, or of removals whose count is hidden, is hidden; a share is hidden
   when its denominator is under 5 or either of its parts is hidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from transparency.compute import Figure, Scope
from transparency.metrics import BY_CODE, COUNTS, TOTAL

SMALL = 5
Cell = tuple[Scope, str, str]
Line = tuple[Cell, list[Cell]]


def _small(value: object) -> bool:
    return value is not None and 0 < value < SMALL  # type: ignore[operator]


def _lines(figures: Iterable[Figure]) -> list[Line]:
    """Every line of every count table: (the line's total, its cells)."""
    cells: dict[str, set[Cell]] = defaultdict(set)
    for f in figures:
        if f.metric in COUNTS:
            cells[f.metric].add(f.cell)
    lines: list[Line] = []
    for metric, present in sorted(cells.items()):
        by_scope: dict[Scope, dict[str, list[Cell]]] = defaultdict(lambda: defaultdict(list))
        by_dimension: dict[str, list[Cell]] = defaultdict(list)
        for cell in present:
            scope, _, dimension = cell
            kind = dimension.split(":", 1)[0]
            if dimension:
                by_scope[scope][kind].append(cell)
            if scope is not None:
                by_dimension[dimension].append(cell)
        # Rows: one platform (or all) broken down by one kind of dimension, with its total.
        for scope, kinds in by_scope.items():
            for row in kinds.values():
                lines.append(((scope, metric, TOTAL), sorted(row, key=_key)))
        # Columns: one dimension's value (or the total) across platforms, with the national one.
        for dimension, column in by_dimension.items():
            lines.append(((None, metric, dimension), sorted(column, key=_key)))
    return sorted(lines, key=lambda line: _key(line[0]))


def _key(cell: Cell) -> tuple[int, str, str]:
    scope, metric, dimension = cell
    return (-1 if scope is None else scope, metric, dimension)


def hidden_cells(figures: list[Figure]) -> set[Cell]:
    by_cell = {f.cell: f for f in figures}
    hidden = {f.cell for f in figures if f.metric in COUNTS and _small(f.value)}
    lines = _lines(figures)
    changed = True
    while changed:
        changed = False
        for total, cells in lines:
            if total in hidden or total not in by_cell:
                continue
            lone = [c for c in cells if c in hidden]
            if len(lone) != 1:
                continue
            others = [c for c in cells if c not in hidden and (by_cell[c].value or 0) > 0]
            if others:
                hidden.add(min(others, key=lambda c: (by_cell[c].value, _key(c))))
            else:
                hidden.add(total)
            changed = True
    for f in figures:
        if _derived_hidden(f, hidden):
            hidden.add(f.cell)
    return hidden


def _derived_hidden(f: Figure, hidden: set[Cell]) -> bool:
    metric = BY_CODE[f.metric]
    scope, _, dimension = f.cell
    if metric.counted_by and (scope, metric.counted_by, dimension) in hidden:
        return True
    if f.value is None:
        return False
    if f.metric.startswith("removal_hours_"):
        return f.base < SMALL
    if f.metric == "removed_on_time_share":
        return (
            f.base < SMALL
            or (scope, "deadlines_met", dimension) in hidden
            or (scope, "deadlines_missed", dimension) in hidden
        )
    return False
