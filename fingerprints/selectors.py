"""Reading hash lists: which a platform may use, and its lists' changes page by page."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from fingerprints.models import MIN_QUALITY, EntryStatus, HashEntry, HashList
from registry.models import Platform

# A cursor names each list's position; more lists than this open to one platform is not a
# configuration we support, and bounds what a cursor may carry.
MAX_LISTS = 200


def hash_lists_open(*, platform: Platform) -> QuerySet[HashList]:
    """The lists `platform` may match against and download: every unrestricted list, and the
    restricted lists open to it."""
    return (
        HashList.objects.filter(Q(restricted=False) | Q(platforms=platform))
        .distinct()
        .select_related("category")
        .order_by("pk")
    )


def matchable() -> Q:
    """Entries that are matched: active, and (for PDQ) of enough quality."""
    return Q(status=EntryStatus.ACTIVE) & (Q(quality__isnull=True) | Q(quality__gte=MIN_QUALITY))


@dataclass(frozen=True)
class ChangesPage:
    lists: list[HashList]
    entries: list[dict[str, Any]]
    cursor: str
    more: bool


def cursor_read(cursor: str) -> dict[int, int]:
    """A cursor is each list's last change delivered, {list id: change number}, opaque to the
    platform. Raises ValidationError for anything that is not one we gave out."""
    if not cursor:
        return {}
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=="))
        positions = {int(k): int(v) for k, v in raw.items()}
    except (ValueError, TypeError, AttributeError, binascii.Error, UnicodeEncodeError):
        raise ValidationError({"cursor": "Not a cursor this service gave out."}) from None
    if len(positions) > MAX_LISTS or any(k < 1 or v < 0 for k, v in positions.items()):
        raise ValidationError({"cursor": "Not a cursor this service gave out."})
    return positions


def cursor_write(positions: dict[int, int]) -> str:
    text = json.dumps({str(k): v for k, v in sorted(positions.items())}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def hash_changes_page(*, platform: Platform, cursor: str, limit: int) -> ChangesPage:
    """The entries of `platform`'s lists changed since `cursor`, oldest change first.

    A list new to the cursor (just created, or just opened to this platform) starts from its
    beginning and sends only what is matchable; a list the cursor knows sends every change,
    withdrawals included, so a local copy drops what stopped matching. A list no longer open
    to the platform is absent from `lists`: its entries are to be dropped.
    """
    positions = cursor_read(cursor)
    lists = list(hash_lists_open(platform=platform)[:MAX_LISTS])
    if not lists:
        return ChangesPage(lists=[], entries=[], cursor=cursor_write({}), more=False)
    since = Q()
    for hash_list in lists:
        position = positions.get(hash_list.pk, 0)
        part = Q(hash_list_id=hash_list.pk, change_seq__gt=position)
        since |= part & matchable() if position == 0 else part
    rows = list(
        HashEntry.objects.filter(since)
        .order_by("change_seq")
        .values(
            "pk", "hash_list_id", "hash_type", "value", "quality", "frames", "status", "change_seq"
        )[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    # Every change of every list up to the page's last one has been delivered (the page holds
    # the earliest changes of them all), so each list's position moves to it.
    last = rows[-1]["change_seq"] if rows else 0
    moved = {h.pk: max(positions.get(h.pk, 0), last) for h in lists}
    entries = [
        {
            "id": row["pk"],
            "list": row["hash_list_id"],
            "type": row["hash_type"],
            "hash": row["value"],
            "quality": row["quality"],
            "frames": row["frames"],
            "status": row["status"],
            "matchable": row["status"] == EntryStatus.ACTIVE
            and (row["quality"] is None or row["quality"] >= MIN_QUALITY),
        }
        for row in rows
    ]
    return ChangesPage(lists=lists, entries=entries, cursor=cursor_write(moved), more=more)
