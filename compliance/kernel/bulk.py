"""Writing many rows in few statements: COPY on PostgreSQL, executemany elsewhere.

The sweep writes thousands of rows per batch; per-row `save()` costs a round trip each and
`bulk_update` builds a CASE expression that grows with the batch (docs/performance.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, cast

from django.db import connection, models

_SEQUENCES: dict[str, str] = {}


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for rows about to be inserted, so links can name them first."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name is looked up once per process: looked up per row (as
            # `nextval(pg_get_serial_sequence(...))` does), it cost four times the nextval.
            if table not in _SEQUENCES:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                _SEQUENCES[table] = cursor.fetchone()[0]
            return sequence_next(_SEQUENCES[table], count)
        # SQLite: the transaction holds the write lock (IMMEDIATE), so nobody else inserts.
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def sequence_next(sequence: str, count: int) -> list[int]:
    """`count` values of a PostgreSQL sequence in one statement, in increasing order (another
    session drawing at the same time may get values in between)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return sorted(row[0] for row in cursor.fetchall())


def _identity(value: Any) -> Any:
    return value


_COMPACT = json.JSONEncoder(separators=(",", ":"))


class JsonText(str):
    """A value already encoded as JSON (e.g. shared by many rows), written as is."""


def _json_text(value: Any) -> Any:
    if value is None or isinstance(value, JsonText):
        return value
    return _COMPACT.encode(value)


def _converters(fields: Sequence[models.Field]) -> list[Callable[[Any], Any]]:
    """How each column's values reach SQLite (Django's own adaptation: it stores datetimes as
    UTC text, which raw SQL would not), decided once per statement."""

    def convert(field: models.Field) -> Callable[[Any], Any]:
        if isinstance(field, models.ForeignKey):
            return _identity
        prepare = partial(field.get_db_prep_value, connection=connection, prepared=False)
        if isinstance(field, models.JSONField):
            return lambda value: value if isinstance(value, JsonText) else prepare(value)
        return prepare

    return [convert(f) for f in fields]


def _convert(converters: list[Callable[[Any], Any]], row: Sequence[Any]) -> list[Any]:
    return [convert(value) for convert, value in zip(converters, row, strict=True)]


def _array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal: NULL, numbers bare, everything else quoted.

    Sweeps write columns of 100,000 values that are mostly alike (one new deadline for a whole
    batch): each distinct value is formatted once.
    """
    formatted: dict[Any, str] = {}

    def element(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, int | Decimal):
            return str(value)
        if isinstance(value, datetime):
            return f'"{value.isoformat()}"'
        text = str(value).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{text}"'

    def cached(value: Any) -> str:
        try:
            return formatted[value]
        except KeyError:
            formatted[value] = text = element(value)
            return text

    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(map(cached, values)) + "}"


def _model_fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    fields = [model._meta.get_field(name) for name in names]
    assert all(isinstance(f, models.Field) for f in fields), "concrete fields only"
    return cast(list[models.Field], fields)


def _column(field: models.Field) -> str:
    assert field.column is not None
    return field.column


def rows_insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows (values in `fields` order; foreign keys by their `_id` attname)."""
    if not rows:
        return
    meta = model._meta
    columns = _model_fields(model, fields)
    names = [_column(f) for f in columns]
    converters = _converters(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only JSON columns need converting for COPY; touching every value cost 2 s a sweep.
            json_columns = [i for i, f in enumerate(columns) if isinstance(f, models.JSONField)]
            sql = f"COPY {meta.db_table} ({', '.join(names)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    if json_columns:
                        row = list(row)
                        for i in json_columns:
                            row[i] = _json_text(row[i])
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(names))
        cursor.executemany(
            f"INSERT INTO {meta.db_table} ({', '.join(names)}) VALUES ({marks})",
            [_convert(converters, row) for row in rows],
        )


def id_in(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """`column` is one of `ids`, as SQL and params. On PostgreSQL one array parameter: thousands
    of `IN (%s, ...)` placeholders cost more to build and parse than the query takes."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [_array_literal(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


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
    model_fields = _model_fields(model, fields)
    columns = [_column(f) for f in model_fields]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            converters = _converters(model_fields)
            assignments = ", ".join(f"{c} = %s" for c in columns)
            cursor.executemany(
                f"UPDATE {meta.db_table} SET {assignments} WHERE id = %s",
                [[*_convert(converters, row[1:]), row[0]] for row in rows],
            )
            return
        # Each column travels as one array literal: psycopg adapting thousands of list items
        # one by one cost more than the UPDATE itself.
        arrays = ", ".join(f"%s::{t}[]" for t in ["bigint", *types])
        assignments = ", ".join(f"{c} = v.{c}" for c in columns)
        cursor.execute(
            f"UPDATE {meta.db_table} AS t SET {assignments} "
            f"FROM unnest({arrays}) AS v(id, {', '.join(columns)}) WHERE t.id = v.id",
            [_array_literal(col) for col in zip(*rows, strict=True)],
        )
