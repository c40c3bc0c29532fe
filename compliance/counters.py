"""Official numbers (registration, order reference, letter): gap-free per year, race-free."""

from django.db import connection

from compliance.models import Counter


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
