"""Amounts and times as people read them, in the active language.

Times are shown in the regulator's zone with its name (WIB), never as raw UTC or an offset;
amounts as `Rp 100.000.000` in Indonesian and `IDR 100,000,000` in English (decimals only
when there are cents)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat, translation


def _indonesian() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("id")


def money_text(amount: Decimal | int | None, currency: str = "IDR") -> str:
    if amount is None:
        return "-"
    value = Decimal(amount)
    places = 0 if value == value.to_integral_value() else 2
    text = f"{value:,.{places}f}"
    if _indonesian():
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return f"Rp {text}" if currency == "IDR" else f"{currency} {text}"
    return f"{currency} {text}"


def moment_text(moment: datetime | None, *, with_time: bool = True) -> str:
    """`1 Desember 2026 20.07 WIB` / `1 December 2026 20:07 WIB`; "-" for none."""
    if moment is None:
        return "-"
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    if not with_time:
        return dateformat.format(local, "j F Y")
    pattern = "j F Y H.i" if _indonesian() else "j F Y H:i"
    return f"{dateformat.format(local, pattern)} {local.tzname()}"


def day_text(day: date | None) -> str:
    return "-" if day is None else dateformat.format(day, "j F Y")


def defanged(address: str) -> str:
    """A URL or hostname that no reader, mail client or PDF viewer turns into a link:
    `hxxps://example[.]com/path` (the scheme and the host's dots are broken, the path kept)."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "", address
    host, slash, path = rest.partition("/")
    host = host.replace(".", "[.]")
    if scheme:
        scheme = scheme.lower().replace("http", "hxxp").replace("ftp", "fxp") + "://"
    return f"{scheme}{host}{slash}{path}"
