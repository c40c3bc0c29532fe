"""Official numbers: yearly gap-free counters, and the running counts letters and fines take."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from compliance.counters import counter_next, numbers_draw


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
