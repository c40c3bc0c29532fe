"""Official numbers.

Registrations, order references and access blocks are numbered one at a time from yearly
counters: gap-free, race-free, the counter row locked until the caller commits.

Warning letters and fines are issued by the thousand by the deadline sweep, and there a lock
held until commit made parallel sweeps wait for each other (two workers were 1.1x one;
docs/performance.md). So their numbers are a running count (it does not restart each
year; the year in the number is the year of issue) drawn on PostgreSQL from a sequence, which
takes no lock. The price: the numbers of a batch that fails stay unused, a gap in the register
with no letter behind it, since notices are sent only for what committed. On SQLite, whose
single writer serializes sweeps anyway, a counter row gives the same numbers without gaps.
"""

from django.db import connection, models

from compliance.kernel.bulk import sequence_next
from compliance.kernel.models import Counter

# The running count's sequence (created by migration 0010) or, on SQLite, its counter row's
# name with year 0.
RUNNING = {"letter": "compliance_letter_number", "fine": "compliance_fine_number"}


def counter_next(*, name: str, year: int) -> int:
    """Increment and return the counter in one statement; concurrent callers never share a value."""
    return counter_reserve(name=name, year=year, count=1)


def counter_reserve(*, name: str, year: int, count: int) -> int:
    """Take `count` consecutive numbers at once; returns the first."""
    table = Counter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, year, value) VALUES (%s, %s, %s) "
            f"ON CONFLICT (name, year) DO UPDATE SET value = {table}.value + excluded.value "
            "RETURNING value",
            [name, year, count],
        )
        return int(cursor.fetchone()[0]) - count + 1


def numbers_draw(*, name: str, count: int) -> list[int]:
    """`count` new numbers of a running count ("letter" or "fine"), in increasing order.

    Never given twice. Without gaps on SQLite; on PostgreSQL a batch that draws numbers and
    then rolls back leaves them unused, and two batches drawing at once may interleave."""
    if count == 0:
        return []
    if connection.vendor != "postgresql":
        first = counter_reserve(name=name, year=0, count=count)
        return list(range(first, first + count))
    return sequence_next(RUNNING[name], count)


def numbers_unused(*, name: str, documents: type[models.Model]) -> list[int]:
    """The numbers of a running count ("letter" or "fine") drawn but on no document of the
    model `documents` (whose `number` carries them), in order:
    what batches that rolled back left unused. Counted from the sequence's start, so numbers
    the yearly counters gave before migration 0010 are not reported. SQLite's counts have no
    gaps (their counter row rolls back with the batch): nothing to report there."""
    if connection.vendor != "postgresql":
        return []
    table = documents._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n FROM generate_series("
            "  (SELECT seqstart FROM pg_sequence WHERE seqrelid = %(seq)s::regclass),"
            "  coalesce(pg_sequence_last_value(%(seq)s::regclass), 0)) AS n "
            f"EXCEPT SELECT split_part(number, '-', 3)::bigint FROM {table} "
            "WHERE number ~ '^[A-Z]+-[0-9]+-[0-9]+$' ORDER BY n",
            {"seq": RUNNING[name]},
        )
        return [row[0] for row in cursor.fetchall()]
