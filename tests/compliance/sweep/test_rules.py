"""Fine computation, as properties over any amounts, caps, items and earlier fines."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from compliance.sweep.rules import fine_item_amounts

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
