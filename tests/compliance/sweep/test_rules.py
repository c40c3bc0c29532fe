"""The escalation rules, without a database: the MR5 ladder rung by rung, the end of a ladder,
and fine amounts as properties over any amounts, caps, items and earlier fines."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from compliance.policies import mr5
from compliance.policies.calendar import Calendar
from compliance.policies.fines import fine_item_amounts
from compliance.policies.terms import PolicyTerms
from compliance.sweep.rules import EXHAUSTED, escalation_step

money = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False)
item_ids = st.lists(st.integers(min_value=1, max_value=50), unique=True, max_size=20)
earlier = st.lists(
    st.dictionaries(st.integers(1, 60).map(str), money.map(str), max_size=10), max_size=4
)


def _total_before(previous: list[dict[str, str]], item_id: str) -> Decimal:
    return sum((Decimal(f.get(item_id, "0")) for f in previous), Decimal(0))


@given(items=item_ids, previous=earlier, per_item=money, cap=money)
def test_each_item_pays_at_most_the_rate_and_never_past_its_cap(items, previous, per_item, cap):
    charged = fine_item_amounts(
        items=items, previous_fines=previous, per_item=per_item, cap_per_item=cap
    )
    assert set(charged) <= {str(i) for i in items}, "only outstanding items are fined"
    for item_id, amount in charged.items():
        before = _total_before(previous, item_id)
        assert 0 < amount <= per_item
        assert before + amount <= cap
    for item_id in map(str, items):
        room = cap - _total_before(previous, item_id)
        expected = min(per_item, room) if room > 0 else Decimal(0)
        assert charged.get(item_id, Decimal(0)) == expected, "the most the cap allows, no less"


@given(items=item_ids, per_item=money, cap=money, rounds=st.integers(1, 6))
def test_repeated_fines_reach_the_cap_and_stop(items, per_item, cap, rounds):
    previous: list[dict[str, str]] = []
    for _ in range(rounds):
        charged = fine_item_amounts(
            items=items, previous_fines=previous, per_item=per_item, cap_per_item=cap
        )
        previous.append({k: str(v) for k, v in charged.items()})
    for item_id in map(str, items):
        assert _total_before(previous, item_id) == min(per_item * rounds, cap)


TERMS = PolicyTerms.from_json(mr5.TERMS)
ROW = {
    "id": 7,
    "reference": "RO-2026-000007",
    "platform_id": 3,
    "platform__name": "Kilat Video",
    "platform__is_ugc": True,
    "status": "issued",
    "escalation_level": 0,
    "urgent": False,
}
NOW = datetime(2026, 7, 1, tzinfo=UTC)


CALENDAR = Calendar(zone=ZoneInfo("Asia/Jakarta"))


def _step(**row):
    return escalation_step(
        row={**ROW, **row},
        now=NOW,
        terms=TERMS,
        outstanding=[11, 12],
        previous_fines=[],
        calendar=CALENDAR,
    )


def test_the_mr5_ladder_rung_by_rung():
    first = _step()
    assert (first.action, first.to_state, first.level, first.fine_amount) == (
        "warning",
        "warned",
        1,
        0,
    )
    assert first.due_at == NOW + timedelta(hours=24)
    second = _step(status="warned", escalation_level=1)
    assert (second.action, second.to_state, second.level) == ("warning_fine", "fined", 2)
    assert second.fine_amount == Decimal("200000000")  # 100,000,000 for each of two items
    third = _step(status="fined", escalation_level=2, urgent=True)
    assert (third.to_state, third.level, third.fine_amount) == ("fined", 3, Decimal("400000000"))
    assert third.due_at == NOW + timedelta(hours=4)
    last = _step(status="fined", escalation_level=3)
    # A proposal leaves the order as it was (it shows `blocked` once the block is in force),
    # its clock stopped.
    assert (last.action, last.to_state, last.level, last.due_at) == (
        "block_proposal",
        "fined",
        3,
        None,
    )


def test_fines_only_for_platforms_carrying_user_content():
    step = _step(status="warned", escalation_level=1, platform__is_ugc=False)
    assert (step.action, step.to_state, step.fine_amount, step.item_amounts) == (
        "warning_fine",
        "warned",
        0,
        {},
    )


def test_past_the_last_rung_the_clock_stops_without_a_change():
    """Bug caught: an off-by-one at the ladder's end planned a rung that is not there."""
    short = PolicyTerms.from_json({**mr5.TERMS, "ladder": mr5.LADDER[:1]})
    step = escalation_step(
        row={**ROW, "status": "warned", "escalation_level": 1},
        now=NOW,
        terms=short,
        outstanding=[11],
        previous_fines=[],
        calendar=CALENDAR,
    )
    assert (step.action, step.to_state, step.level, step.due_at) == (
        EXHAUSTED,
        "warned",
        1,
        None,
    )


def test_a_rung_whose_items_reached_their_cap_charges_an_exact_zero():
    at_cap = [{"11": "500000000", "12": "500000000"}]
    step = escalation_step(
        row={**ROW, "status": "fined", "escalation_level": 2},
        now=NOW,
        terms=TERMS,
        outstanding=[11, 12],
        previous_fines=at_cap,
        calendar=CALENDAR,
    )
    assert (step.to_state, step.item_amounts) == ("warned", {})
    assert step.fine_amount == 0
    assert isinstance(step.fine_amount, Decimal), "amounts stay exact decimals"
