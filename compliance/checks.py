"""Deployment checks (`manage.py check --deploy`) for what settings alone cannot show."""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connection

from compliance.kernel import append_only


def decision_record_truncatable() -> list[str]:
    """Append-only tables the application's database role may still TRUNCATE.

    TRUNCATE fires no row trigger, so only the role's privileges can stop it: the tables'
    owner (who runs migrations) always can; the role the application runs as must not.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t FROM unnest(%s::text[]) AS t WHERE to_regclass(t) IS NOT NULL "
            "AND has_table_privilege(current_user, t, 'TRUNCATE')",
            [append_only.TABLES],
        )
        return [row[0] for row in cursor.fetchall()]


@register(Tags.security, deploy=True)
def check_append_only_tables(**kwargs: Any) -> list[CheckMessage]:
    try:
        tables = decision_record_truncatable()
    except DatabaseError as error:
        return [
            Warning(
                f"Could not ask the database whether the append-only tables can be "
                f"truncated: {error}",
                id="compliance.W001",
            )
        ]
    if not tables:
        return []
    return [
        Error(
            f"The database role can TRUNCATE {', '.join(tables)}, which no trigger can refuse.",
            hint="Run the application as a role that does not own the tables and has no "
            "TRUNCATE privilege (docs/deployment.md: database roles).",
            id="compliance.E001",
        )
    ]


@register(Tags.caches, deploy=True)
def check_shared_cache(**kwargs: Any) -> list[CheckMessage]:
    """Sign-in and API limits count in the cache: one per process would multiply them."""
    if isinstance(caches["default"], RedisCache):
        return []
    return [
        Error(
            "The cache is not shared between processes, so every web worker counts sign-in "
            "attempts and API requests on its own and the limits multiply.",
            hint="Set CACHE_URL to a Redis server that every web worker uses.",
            id="compliance.E002",
        )
    ]
