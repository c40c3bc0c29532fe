"""Figures against values computed by hand from the world in conftest.py.

Time to removal, Fast: 1, 2, 3, 5, 8, 13 (NCII) and 30 hours (gambling). Nearest rank: the
median of 7 is the 4th value (5 h), the 90th percentile the 7th (30 h); of the six NCII
orders, the 3rd (3 h) and the 6th (13 h).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from compliance.kernel.actors import Actor
from notices import services as notices
from tests.support.worlds import OCTOBER, T0, comply
from transparency.compute import figures_compute, percentile
from transparency.periods import Period

pytestmark = pytest.mark.django_db


def by_cell(figures):
    return {(f.platform_id, f.metric, f.dimension): f for f in figures}


def test_the_figures_of_a_month_are_the_hand_computed_ones(world):
    got = by_cell(figures_compute(period=OCTOBER))
    fast, slow = world.fast.pk, world.slow.pk

    def value(scope, metric, dimension=""):
        return got[scope, metric, dimension].value

    assert value(fast, "orders_issued") == 7
    assert value(fast, "orders_issued", "category:ncii") == 6
    assert value(fast, "orders_issued", "category:gambling") == 1
    assert value(fast, "orders_issued", "requester:ministry") == 7
    assert value(fast, "items_ordered") == 14
    assert value(fast, "orders_complied") == 7
    assert value(fast, "deadlines_met") == 6
    assert value(fast, "deadlines_missed") == 1
    assert value(fast, "removed_on_time_share") == Decimal("0.8571")
    assert value(fast, "removed_on_time_share", "category:ncii") == 1
    assert value(fast, "removed_on_time_share", "category:gambling") == 0
    assert value(fast, "removal_hours_p50") == Decimal("5.00")
    assert value(fast, "removal_hours_p90") == Decimal("30.00")
    assert value(fast, "removal_hours_p50", "category:ncii") == Decimal("3.00")
    assert value(fast, "removal_hours_p90", "category:ncii") == Decimal("13.00")
    assert value(fast, "letters_sent") == 1
    assert value(fast, "fines_assessed") == 0
    assert value(fast, "objections_filed") == 1
    assert value(fast, "objections_rejected") == 1
    assert value(fast, "objections_upheld") == 0

    assert value(slow, "orders_issued") == 3
    assert value(slow, "orders_complied") == 0
    assert value(slow, "deadlines_missed") == 3
    assert value(slow, "removed_on_time_share") == 0
    assert value(slow, "removal_hours_p50") is None
    assert value(slow, "letters_sent") == 6
    assert value(slow, "fines_assessed") == 3
    assert value(slow, "fines_assessed_amount") == Decimal("600000000")
    assert value(slow, "fines_paid") == 1
    assert value(slow, "fines_paid_amount") == Decimal("200000000")

    assert value(None, "orders_issued") == 10
    assert value(None, "orders_issued", "category:ncii") == 9
    assert value(None, "items_ordered") == 20
    assert value(None, "removed_on_time_share") == Decimal("0.6")
    assert value(None, "removal_hours_p50") == Decimal("5.00")
    assert value(None, "letters_sent") == 7
    assert value(None, "fines_assessed_amount") == Decimal("600000000")


def test_re_uploads_show_zero_until_there_are_any(world):
    got = by_cell(figures_compute(period=OCTOBER))
    for scope in (world.fast.pk, world.slow.pk, None):
        assert got[scope, "reuploads_matched", ""].value == 0
        assert got[scope, "reupload_orders", ""].value == 0


def test_the_same_data_gives_the_same_figures(world):
    assert figures_compute(period=OCTOBER) == figures_compute(period=OCTOBER)


def test_a_period_counts_only_its_own_events(world):
    september = figures_compute(period=Period.parse("2026-09"))
    assert {f.platform_id for f in september} == {None}
    assert {f.value for f in september if f.value is not None} == {0}
    quarter = by_cell(figures_compute(period=Period.parse("2026-Q4")))
    assert quarter[None, "orders_issued", ""].value == 10
    november = by_cell(figures_compute(period=Period.parse("2026-11")))
    assert november[None, "orders_issued", ""].value == 0


def test_an_order_reopened_and_complied_again_counts_once(world, officer):
    order = world.fast_orders[0]
    with time_machine.travel(T0 + timedelta(hours=70), tick=False):
        order = notices.order_reopen(order=order, actor=Actor.staff(officer), reason="Back up.")
    comply(order, T0 + timedelta(hours=71))
    got = by_cell(figures_compute(period=OCTOBER))
    assert got[world.fast.pk, "orders_complied", ""].value == 7
    assert got[world.fast.pk, "removal_hours_p50", "category:ncii"].value == Decimal("3.00")


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([1], "0.5", 1),
        ([1, 2], "0.5", 1),
        ([1, 2, 3], "0.5", 2),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "0.9", 9),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "0.9", 10),
    ],
)
def test_percentiles_are_nearest_rank(values, share, expected):
    assert percentile([Decimal(v) for v in values], Decimal(share)) == expected


def test_re_uploads_matched_and_ordered_again_are_counted(world, officer, settings):
    from fingerprints import services as fingerprints
    from fingerprints.matcher import MATCHER
    from notices.models import ContentCategory

    settings.HASH_INDEX_SYNC_SECONDS = 0
    MATCHER.reset()
    staff = Actor.staff(officer)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        hash_list = fingerprints.hash_list_create(
            actor=staff, name="NCII", category=ContentCategory.objects.get(code="ncii")
        )
        # A victim-support agency's hash, without the file: no order behind the entry.
        fingerprints.hash_entries_add(
            actor=staff, hash_list=hash_list, hashes=[fingerprints.HashInput("md5", "ab" * 16)]
        )
        [result] = fingerprints.hashes_match(
            actor=Actor.of_platform(world.slow), queries=[fingerprints.HashQuery("md5", "ab" * 16)]
        )
        draft = fingerprints.match_report_found(
            actor=Actor.of_platform(world.slow),
            public_id=result.matches[0].match_id,
            url=f"https://{world.slow.domains.first().domain}/again",
        )
        notices.order_issue(order=draft, actor=staff)
    MATCHER.reset()
    assert draft.is_reupload
    assert draft.reupload_of is None
    got = by_cell(figures_compute(period=OCTOBER))
    assert got[world.slow.pk, "reuploads_matched", ""].value == 1
    assert got[world.slow.pk, "reupload_orders", ""].value == 1
    assert got[world.slow.pk, "orders_issued", ""].value == 4
    assert got[world.fast.pk, "reupload_orders", ""].value == 0
