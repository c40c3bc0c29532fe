"""Writing many rows in few statements: COPY on PostgreSQL, executemany elsewhere.

The sweep writes thousands of rows per batch; per-row `save()` costs a round trip each and
`bulk_update` builds a CASE expression that grows with the batch (see ../shared/NOTES.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for rows about to be inserted, so links can name them first."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the write lock (IMMEDIATE), so nobody else inserts.
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _column(field: models.Field, value: Any) -> Any:
    """A value as the database takes it. COPY needs JSON as text; elsewhere Django's own
    adaptation applies (SQLite stores datetimes as UTC text, which raw SQL would not)."""
    if connection.vendor == "postgresql":
        if isinstance(field, models.JSONField) and value is not None:
            return json.dumps(value, separators=(",", ":"))
        return value
    if isinstance(field, models.ForeignKey):
        return value
    return field.get_db_prep_value(value, connection, prepared=False)


def rows_insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows (values in `fields` order; foreign keys by their `_id` attname)."""
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    names = [f.column for f in columns]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {meta.db_table} ({', '.join(names)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row([_column(f, v) for f, v in zip(columns, row, strict=True)])
            return
        marks = ", ".join(["%s"] * len(names))
        cursor.executemany(
            f"INSERT INTO {meta.db_table} ({', '.join(names)}) VALUES ({marks})",
            [[_column(f, v) for f, v in zip(columns, row, strict=True)] for row in rows],
        )


def rows_update(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    types: Sequence[str],
) -> None:
    """Update rows by id: each row is (id, *values in `fields` order). `types` are SQL types
    of the fields, for PostgreSQL's unnest arrays."""
    if not rows:
        return
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    columns = [f.column for f in model_fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{t}[]" for t in ["bigint", *types])
            assignments = ", ".join(f"{c} = v.{c}" for c in columns)
            cursor.execute(
                f"UPDATE {meta.db_table} AS t SET {assignments} "
                f"FROM unnest({arrays}) AS v(id, {', '.join(columns)}) WHERE t.id = v.id",
                [list(col) for col in zip(*rows, strict=True)],
            )
            return
        assignments = ", ".join(f"{c} = %s" for c in columns)
        cursor.executemany(
            f"UPDATE {meta.db_table} SET {assignments} WHERE id = %s",
            [
                [*(_column(f, v) for f, v in zip(model_fields, row[1:], strict=True)), row[0]]
                for row in rows
            ],
        )
