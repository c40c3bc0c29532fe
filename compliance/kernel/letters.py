"""Official letters: issued with their decision, rendered after it, verifiable by anyone.

A service issues a letter in the transaction that decides what the letter states; a worker
renders it (compliance/documents) once that commits, and only then is it e-mailed. Anyone
holding a letter's number and short code can check at /verify/ that it was issued, and that a
file is the letter as issued (its SHA-256).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from compliance.kernel.bulk import JsonText
from compliance.kernel.counters import counter_next
from compliance.kernel.models import OfficialLetter
from compliance.kernel.tasks import wake_after_commit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from registry.models import Platform

RENDER_TASK = "compliance.render_letters"
# Crockford's base32 without padding: no I, L, O or U to misread on paper.
_CODE_ALPHABET = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)


def letter_code() -> str:
    """Eight characters (40 random bits) as XXXX-XXXX, printed on the letter and in its QR."""
    raw = base64.b32encode(secrets.token_bytes(5)).translate(_CODE_ALPHABET).decode()
    return f"{raw[:4]}-{raw[4:]}"


def letter_number_next(*, now: datetime) -> str:
    """The next number of the yearly register of letters other than warning letters (which
    keep the sweep's running numbers)."""
    return f"SRT-{now.year}-{counter_next(name='letter-register', year=now.year):06d}"


def letter_issue(
    *,
    kind: OfficialLetter.Kind,
    platform: Platform,
    source: models.Model,
    signatory: User | None = None,
    number: str = "",
    facts: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> OfficialLetter:
    """Issue a letter stating `source` (in the caller's transaction); rendered after commit."""
    now = now or timezone.now()
    letter = OfficialLetter.objects.create(
        number=number or letter_number_next(now=now),
        kind=kind,
        platform=platform,
        content_type=ContentType.objects.get_for_model(source),
        object_id=str(source.pk),
        signatory=signatory,
        issued_at=now,
        facts=facts or {},
        code=letter_code(),
        next_attempt_at=now,
    )
    wake_after_commit(RENDER_TASK)
    return letter


def letters_render_soon() -> None:
    """Wake the renderer once the transaction commits (the sweep issues letters in bulk)."""
    wake_after_commit(RENDER_TASK)


LETTER_COLUMNS = [
    "number",
    "kind",
    "platform_id",
    "content_type_id",
    "object_id",
    "issued_at",
    "facts",
    "code",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "file",
    "sha256",
]


@dataclass(frozen=True)
class LetterRow:
    """A letter the sweep issues in bulk: its number, addressee and source row's id."""

    number: str
    platform_id: int
    object_id: int


_NO_FACTS = JsonText("{}")


def letter_rows(
    *,
    kind: OfficialLetter.Kind,
    model: type[models.Model],
    rows: Sequence[LetterRow],
    now: datetime,
) -> list[tuple[Any, ...]]:
    """Rows for `rows_insert(OfficialLetter, LETTER_COLUMNS, ...)`; the caller wakes the
    renderer (`letters_render_soon`) once for the batch."""
    content_type = ContentType.objects.get_for_model(model).pk
    return [
        (
            row.number,
            kind,
            row.platform_id,
            content_type,
            str(row.object_id),
            now,
            _NO_FACTS,
            letter_code(),
            OfficialLetter.Status.PENDING,
            0,
            now,
            "",
            "",
            "",
        )
        for row in rows
    ]


def letter_verified(*, number: str, code: str) -> OfficialLetter | None:
    """The letter with this number, if `code` is its code (compared in constant time;
    case, spaces and the hyphen do not matter)."""
    letter = (
        OfficialLetter.objects.select_related("platform")
        .filter(number=number.strip().upper())
        .first()
    )
    given = code.strip().upper().replace(" ", "").replace("-", "")
    if letter is None or not hmac.compare_digest(given, letter.code.replace("-", "")):
        return None
    return letter
