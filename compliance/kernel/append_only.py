"""Database triggers that refuse UPDATE and DELETE on append-only tables.

Used by migrations (install), by tests (SQLite's test flush is a DELETE), and by the check that
they are present. SQLite drops a table's triggers when a migration rebuilds the table, so any
later migration that alters such a table must call `install` again.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

MESSAGE = "append-only table: rows cannot be changed or deleted"

# Every table guarded so; tests and checks iterate over this list.
TABLES = [
    "compliance_decisionrecord",
    "compliance_decisioncheckpoint",
    "compliance_escalationpolicyversion",
    "notices_evidence",
]


def _names(table: str) -> tuple[str, str, str]:
    return f"{table}_no_update", f"{table}_no_delete", f"{table}_append_only"


def _execute(connection: BaseDatabaseWrapper, sql: str) -> None:
    # No parameters: the plpgsql body must reach the server as written (no % formatting).
    with connection.cursor() as cursor:
        cursor.execute(sql)


def install(connection: BaseDatabaseWrapper, table: str) -> None:
    no_update, no_delete, function = _names(table)
    vendor = connection.vendor
    if vendor == "sqlite":
        for name, event in ((no_update, "UPDATE"), (no_delete, "DELETE")):
            _execute(
                connection,
                f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            )
    elif vendor == "postgresql":
        _execute(
            connection,
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END; $$",
        )
        _execute(connection, f"DROP TRIGGER IF EXISTS {no_update} ON {table}")
        _execute(
            connection,
            f"CREATE TRIGGER {no_update} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        )
    else:
        raise NotImplementedError(f"append-only triggers for {vendor}")


def uninstall(connection: BaseDatabaseWrapper, table: str) -> None:
    no_update, no_delete, function = _names(table)
    if connection.vendor == "sqlite":
        _execute(connection, f"DROP TRIGGER IF EXISTS {no_update}")
        _execute(connection, f"DROP TRIGGER IF EXISTS {no_delete}")
    else:
        _execute(connection, f"DROP TRIGGER IF EXISTS {no_update} ON {table}")
        _execute(connection, f"DROP FUNCTION IF EXISTS {function}()")


def installed(connection: BaseDatabaseWrapper, table: str) -> bool:
    no_update, no_delete, _ = _names(table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
                [no_update, no_delete],
            )
            return cursor.fetchone()[0] == 2
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass "
            "AND tgenabled <> 'D'",
            [no_update, table],
        )
        return cursor.fetchone()[0] == 1
