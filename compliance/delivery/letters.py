"""The text of the letters and notices sent to platforms' contact persons."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings


@lru_cache(maxsize=4096)
def _local(moment: datetime | None) -> str:
    """A time as letters state it, in the regulator's zone (cached: a sweep's letters share a
    handful of deadlines)."""
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%d %B %Y %H:%M %Z")


def order_notice_text(
    *,
    reference: str,
    platform: str,
    category: str,
    due_at: datetime,
    items: list[str],
    legal_basis: str,
    urgent: bool,
) -> tuple[str, str]:
    subject = f"Removal order {reference}{' (URGENT)' if urgent else ''}"
    lines = "\n".join(f"  - {url}" for url in items)
    body = (
        f"To {platform},\n\nUnder {legal_basis}, you are ordered to remove or block access to "
        f"the following content ({category}) and report each item as actioned by "
        f"{_local(due_at)}:\n\n{lines}\n\nReference: {reference}\n"
    )
    return subject, body


def warning_letter_text(
    *,
    number: str,
    reference: str,
    platform: str,
    level: int,
    items_outstanding: int,
    legal_basis: str,
    due_at: datetime | None,
    fine_number: str = "",
    fine_amount: Decimal | None = None,
    currency: str = "",
    fine_due_at: datetime | None = None,
    block_proposed: bool = False,
) -> tuple[str, str]:
    if block_proposed:
        subject = f"Access block proposed: removal order {reference}"
        body = (
            f"To {platform},\n\nThe deadlines of removal order {reference} have passed with "
            f"{items_outstanding} item(s) still accessible. Under {legal_basis}, an access block "
            f"of your platform ({number}) has been proposed for the supervisor's decision.\n"
        )
        return subject, body
    subject = f"Warning letter {level} ({number}): removal order {reference}"
    body = (
        f"To {platform},\n\nThe deadline of removal order {reference} has passed with "
        f"{items_outstanding} item(s) still accessible. Under {legal_basis}, this is written "
        f"warning {level}. Remove the content by {_local(due_at)}.\n"
    )
    if fine_amount:
        body += (
            f"\nAn administrative fine {fine_number} of {currency} {fine_amount:,.2f} is "
            f"assessed, payable by {_local(fine_due_at)}. Late removal does not cancel it.\n"
        )
    return subject, body


def checkpoint_footer(checkpoint: dict[str, Any] | None) -> str:
    """What every letter ends with: the decision record's signed checkpoint in force, so each
    addressee holds a copy that a later rewrite of the record cannot match."""
    if checkpoint is None:
        return ""
    return (
        f"\n--\nDecision record checkpoint #{checkpoint['seq']}: {checkpoint['hash']}\n"
        f"Signed {checkpoint['created_at']} with key {checkpoint['key_id']}: "
        f"{checkpoint['signature']}\nVerify at {settings.PUBLIC_URL}/verify/checkpoints/\n"
    )
