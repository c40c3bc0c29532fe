"""Counts of 1 to 4 are withheld, and so is anything that would give them away in the same
table: a line (a platform's row, a category's column) never shows its total with exactly one
cell withheld."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.worlds import OCTOBER
from transparency.compute import Figure, figures_compute
from transparency.suppression import _lines, hidden_cells


def table(rows: dict[int, dict[str, int]]) -> list[Figure]:
    """Orders by category per platform, with the totals compute would give."""
    figures = []
    national: dict[str, int] = {}
    for platform, cells in rows.items():
        figures.append(Figure(platform, "orders_issued", "", Decimal(sum(cells.values())), 0))
        for category, n in cells.items():
            if n:
                figures.append(
                    Figure(platform, "orders_issued", f"category:{category}", Decimal(n), n)
                )
                national[category] = national.get(category, 0) + n
    figures.append(Figure(None, "orders_issued", "", Decimal(sum(national.values())), 0))
    figures += [
        Figure(None, "orders_issued", f"category:{c}", Decimal(n), n) for c, n in national.items()
    ]
    return figures


def assert_safe(figures: list[Figure], hidden: set) -> None:
    by_cell = {f.cell: f for f in figures}
    for f in figures:
        if f.metric == "orders_issued" and 0 < f.value < 5:
            assert f.cell in hidden, f"{f.cell} = {f.value} is published"
    for total, cells in _lines(figures):
        if total in by_cell and total not in hidden:
            assert sum(c in hidden for c in cells) != 1, f"line {total}: one withheld cell"


def test_a_lone_small_cell_takes_the_smallest_other_cell_of_its_line_with_it():
    figures = table(
        {1: {"ncii": 3, "gambling": 40, "fraud": 12}, 2: {"ncii": 30, "gambling": 7, "fraud": 9}}
    )
    hidden = hidden_cells(figures)
    assert (1, "orders_issued", "category:ncii") in hidden
    # Its row: the smallest other cell (fraud, 12) goes too; its column: platform 2's NCII.
    assert (1, "orders_issued", "category:fraud") in hidden
    assert (2, "orders_issued", "category:ncii") in hidden
    assert (1, "orders_issued", "") not in hidden
    assert_safe(figures, hidden)


def test_a_line_whose_other_cells_are_zero_withholds_its_total():
    figures = table({1: {"ncii": 2}, 2: {"ncii": 50, "gambling": 10}})
    hidden = hidden_cells(figures)
    # Platform 1's only category equals its total: the total goes.
    assert (1, "orders_issued", "") in hidden
    assert_safe(figures, hidden)


def test_zero_is_shown():
    figures = table({1: {"ncii": 0, "gambling": 20}})
    assert hidden_cells(figures) == set()


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.integers(1, 6),
        st.dictionaries(st.sampled_from(["ncii", "csam", "gambling", "fraud"]), st.integers(0, 12)),
        min_size=1,
        max_size=6,
    )
)
def test_no_published_line_gives_a_withheld_cell_away(rows):
    figures = table(rows)
    assert_safe(figures, hidden_cells(figures))


@pytest.mark.django_db
def test_the_world_withholds_its_small_counts_and_what_reveals_them(world):
    figures = figures_compute(period=OCTOBER)
    hidden = hidden_cells(figures)
    fast, slow = world.fast.pk, world.slow.pk
    # Letters: Fast 1 (small), Slow 6 (withheld with it: the national 7 is published).
    assert {(fast, "letters_sent", ""), (slow, "letters_sent", "")} <= hidden
    assert (None, "letters_sent", "") not in hidden
    # Three fines: the count and the amount both withheld, nationally too.
    assert (slow, "fines_assessed_amount", "") in hidden
    assert (None, "fines_assessed_amount", "") in hidden
    # Fast's share on time rests on one missed deadline: withheld. Its median of 7 is not.
    assert (fast, "removed_on_time_share", "") in hidden
    assert (fast, "removal_hours_p50", "") not in hidden
    # The gambling order's median is of a single removal.
    assert (fast, "removal_hours_p50", "category:gambling") in hidden
    counted = ("orders_", "letters", "items", "fines_assessed", "fines_paid")
    for f in figures:
        if f.metric.startswith(counted) and "amount" not in f.metric and 0 < (f.value or 0) < 5:
            assert f.cell in hidden
    assert_safe(figures, hidden)
