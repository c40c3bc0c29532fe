"""Official numbers (registration, order reference, letter): gap-free per year, race-free."""

from django.db import connection

from compliance.models import Counter


def counter_next(*, name: str, year: int) -> int:
    """Increment and return the counter in one statement; concurrent callers never share a value."""
    table = Counter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, year, value) VALUES (%s, %s, 1) "
            f"ON CONFLICT (name, year) DO UPDATE SET value = {table}.value + 1 "
            "RETURNING value",
            [name, year],
        )
        return int(cursor.fetchone()[0])
