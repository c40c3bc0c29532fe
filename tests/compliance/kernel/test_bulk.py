"""The bulk writers the sweep uses, on whichever database runs the suite."""

import pytest
from django.db import IntegrityError, transaction

from compliance.kernel.bulk import ids_reserve, rows_update
from compliance.models import WarningLetter
from notices.models import RemovalOrder


def test_an_update_lands_in_the_callers_transaction(make_order):
    orders = [make_order(), make_order()]
    with transaction.atomic():
        rows_update(
            RemovalOrder,
            ["escalation_level", "legal_basis"],
            [(o.pk, 7, f'basis "{n}" \\ {{x}}') for n, o in enumerate(orders)],
            types=["int", "text"],
        )
        assert RemovalOrder.objects.filter(escalation_level=7).count() == 2
        transaction.set_rollback(True)
    assert not RemovalOrder.objects.filter(escalation_level=7).exists()
    assert RemovalOrder.objects.get(pk=orders[0].pk).legal_basis == "MR5 Art. 9(4)"


def test_text_survives_the_array_literal_unchanged(make_order):
    order = make_order()
    tricky = 'quote " backslash \\ braces {a,b} comma, NULL'
    with transaction.atomic():
        rows_update(RemovalOrder, ["legal_basis"], [(order.pk, tricky)], types=["text"])
    order.refresh_from_db()
    assert order.legal_basis == tricky


def test_a_failing_update_raises_djangos_error(make_order):
    order = make_order()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_update(RemovalOrder, ["status"], [(order.pk, None)], types=["text"])
    order.refresh_from_db()
    assert order.status == "issued"


@pytest.mark.postgres  # on SQLite ids come from max(id) under the write lock, used at once
def test_reserved_ids_are_distinct_and_new(db):
    first = ids_reserve(WarningLetter, 50)
    second = ids_reserve(WarningLetter, 50)
    assert len(set(first + second)) == 100
