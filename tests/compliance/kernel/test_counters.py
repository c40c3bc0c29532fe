"""Official numbers: yearly gap-free counters, and the running counts letters and fines take."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections, transaction

from compliance.kernel.counters import counter_next, numbers_draw, numbers_unused
from compliance.models import WarningLetter
from compliance.sweep.claim import orders_sweep


def test_drawn_numbers_are_new_and_increasing(db):
    first = numbers_draw(name="letter", count=5)
    second = numbers_draw(name="letter", count=3)
    assert first == sorted(first)
    assert min(second) > max(first)
    assert numbers_draw(name="letter", count=0) == []


def test_letters_and_fines_are_counted_apart(db):
    letters = numbers_draw(name="letter", count=2)
    fines = numbers_draw(name="fine", count=2)
    assert numbers_draw(name="letter", count=1)[0] == letters[-1] + 1
    assert numbers_draw(name="fine", count=1)[0] == fines[-1] + 1


def test_numbers_drawn_by_a_batch_that_rolls_back(db):
    before = numbers_draw(name="fine", count=1)[0]
    with transaction.atomic():
        drawn = numbers_draw(name="fine", count=4)
        transaction.set_rollback(True)
    after = numbers_draw(name="fine", count=1)[0]
    if connection.vendor == "postgresql":
        assert after == drawn[-1] + 1, "never given again: left unused"
    else:
        assert after == before + 1, "SQLite's counter row rolls back with the batch: no gap"


def _second_caller_while_first_is_open(draw) -> BaseException | None:
    """Run `draw` in a transaction left open, and `draw` again from another connection that
    gives up on any lock after 1 s; returns what the second call raised."""
    drawn, done = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                draw()
                drawn.set()
                done.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=first)
    holder.start()
    try:
        assert drawn.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            draw()
    except OperationalError as error:
        failure.append(error)
    finally:
        done.set()
        holder.join()
    return failure[0] if failure else None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_draw_numbers_without_waiting_for_each_other():
    waited = _second_caller_while_first_is_open(lambda: numbers_draw(name="letter", count=100))
    assert waited is None
    # The yearly counters, by contrast, stay locked until the caller commits.
    blocked = _second_caller_while_first_is_open(lambda: counter_next(name="order", year=2026))
    assert "lock timeout" in str(blocked)


@pytest.mark.postgres
def test_numbers_a_rolled_back_batch_drew_are_reported_unused(make_order, capsys):
    orders = [make_order(), make_order()]
    already = set(
        numbers_unused(name="letter", documents=WarningLetter)
    )  # earlier tests' rolled-back letters
    with transaction.atomic():
        lost = numbers_draw(name="letter", count=3)
        transaction.set_rollback(True)
    orders_sweep(now=max(o.due_at for o in orders) + timedelta(minutes=1))
    numbers = WarningLetter.objects.filter(order__in=orders).values_list("number", flat=True)
    assert min(int(n.rsplit("-", 1)[1]) for n in numbers) > max(lost)
    assert set(numbers_unused(name="letter", documents=WarningLetter)) - already == set(lost)
    call_command("numbers_unused")
    assert ", ".join(f"{n:06d}" for n in lost) in capsys.readouterr().out
