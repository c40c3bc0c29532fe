"""The e-mails that carry letters and notices to platforms' contact persons: Indonesian, then
English, each a whole translatable text (the official PDF, attached where there is one, is
the letter itself). Reported URLs are defanged: no mail client makes them links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compliance.kernel.formats import defanged, moment_text, money_text

LANGUAGES = ("id", "en")


@lru_cache(maxsize=4096)
def _when(moment: datetime | None, language: str) -> str:
    """A time as letters state it (cached: a sweep's letters share a handful of deadlines)."""
    with translation.override(language):
        return moment_text(moment)


@lru_cache(maxsize=4096)
def _money(amount: Decimal, currency: str, language: str) -> str:
    with translation.override(language):
        return money_text(amount, currency)


def _local(moment: datetime | None) -> str:
    return _when(moment, translation.get_language() or "")


def bilingual(write: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """`write`'s subject and body in each language: subjects joined by " / ", bodies one
    after the other."""
    texts = []
    for language in LANGUAGES:
        with translation.override(language):
            texts.append(write())
    return _joined(texts)


def _joined(texts: list[tuple[str, str]]) -> tuple[str, str]:
    subject = " / ".join(dict.fromkeys(subject for subject, _ in texts))
    body = "\n\n----------\n\n".join(body for _, body in texts)
    return subject[:300], body


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
    lines = "\n".join(f"  - {defanged(url)}" for url in items)

    def write() -> tuple[str, str]:
        subject = _("Removal order %(reference)s") % {"reference": reference}
        if urgent:
            subject = _("%(subject)s (urgent)") % {"subject": subject}
        body = _(
            "To %(platform)s,\n\nUnder %(legal_basis)s, you are ordered to remove or block "
            "access to the following content (%(category)s) and report each item as actioned "
            "by %(deadline)s:\n\n%(items)s\n\nReference: %(reference)s\n"
        ) % {
            "platform": platform,
            "legal_basis": legal_basis,
            "category": category,
            "deadline": _local(due_at),
            "items": lines,
            "reference": reference,
        }
        return subject, body

    return bilingual(write)


@lru_cache(maxsize=256)
def _warning_templates(language: str, count: int, block: bool) -> tuple[str, str, str]:
    """A warning e-mail's subject, body and fine paragraph in `language` for `count` items
    (the sweep writes thousands: each language's texts are looked up once, then filled in)."""
    with translation.override(language):
        if block:
            return (
                _("Access block proposed: removal order %(reference)s"),
                ngettext(
                    "To %(platform)s,\n\nThe deadlines of removal order %(reference)s have "
                    "passed with %(count)s item still accessible. Under %(legal_basis)s, an "
                    "access block of your platform (%(number)s) has been proposed for the "
                    "supervisor's decision.\n",
                    "To %(platform)s,\n\nThe deadlines of removal order %(reference)s have "
                    "passed with %(count)s items still accessible. Under %(legal_basis)s, an "
                    "access block of your platform (%(number)s) has been proposed for the "
                    "supervisor's decision.\n",
                    count,
                ),
                "",
            )
        return (
            _("Warning letter %(level)s (%(number)s): removal order %(reference)s"),
            ngettext(
                "To %(platform)s,\n\nThe deadline of removal order %(reference)s has passed "
                "with %(count)s item still accessible. Under %(legal_basis)s, this is written "
                "warning %(level)s. Remove the content by %(deadline)s.\n",
                "To %(platform)s,\n\nThe deadline of removal order %(reference)s has passed "
                "with %(count)s items still accessible. Under %(legal_basis)s, this is written "
                "warning %(level)s. Remove the content by %(deadline)s.\n",
                count,
            ),
            "\n"
            + _(
                "An administrative fine %(fine)s of %(amount)s is assessed, payable by "
                "%(due)s. Late removal does not cancel it.\n"
            ),
        )


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
    values: dict[str, Any] = {
        "number": number,
        "reference": reference,
        "platform": platform,
        "level": level,
        "count": items_outstanding,
        "legal_basis": legal_basis,
    }
    texts = []
    for language in LANGUAGES:
        subject, body, fine = _warning_templates(language, items_outstanding, block_proposed)
        values["deadline"] = _when(due_at, language)
        body %= values
        if fine_amount and not block_proposed:
            body += fine % {
                "fine": fine_number,
                "amount": _money(fine_amount, currency, language),
                "due": _when(fine_due_at, language),
            }
        texts.append((subject % values, body))
    return _joined(texts)


def block_in_force_text(*, number: str, platform: str, since: datetime | None) -> tuple[str, str]:
    def write() -> tuple[str, str]:
        values = {"number": number, "platform": platform, "since": _local(since)}
        return _("Access block %(number)s in force") % values, _(
            "To %(platform)s,\n\nAccess to your platform is blocked from %(since)s "
            "(%(number)s). Request normalization once every order is complied with and fines "
            "are paid.\n"
        ) % values

    return bilingual(write)


def block_lifted_text(
    *, number: str, platform: str, reason: str, conditions: list[str], until: datetime | None
) -> tuple[str, str]:
    def write() -> tuple[str, str]:
        values = {"number": number, "platform": platform, "reason": reason}
        body = _("To %(platform)s,\n\nAccess block %(number)s is lifted: %(reason)s\n") % values
        if conditions and until:
            body += "\n" + _(
                "Access is restored on these conditions, verified until %(until)s; a breach "
                "brings the block back:"
            ) % {"until": moment_text(until, with_time=False)}
            body += "\n" + "".join(f"({n}) {c}\n" for n, c in enumerate(conditions, start=1))
        return _("Access block %(number)s lifted") % values, body

    return bilingual(write)


def letter_cover_text(*, number: str, subjects: Callable[[], str]) -> tuple[str, str]:
    """The e-mail of an official letter that has no notice of its own: a line saying it is
    attached (`subjects` gives the letter's subject in the active language)."""

    def write() -> tuple[str, str]:
        subject = subjects()
        return f"{subject} ({number})", _("Letter %(number)s is attached: %(subject)s.") % {
            "number": number,
            "subject": subject,
        } + "\n"

    return bilingual(write)


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
