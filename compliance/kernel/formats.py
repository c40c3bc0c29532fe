"""Amounts and times as people read them, in the active language.

Times are shown in the regulator's zone with its name (WIB), never as raw UTC or an offset;
amounts as `Rp 100.000.000` in Indonesian and `IDR 100,000,000` in English (decimals only
when there are cents)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
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


# What machines read (the API, webhooks, a letter's stored facts) has one format: timestamps in
# UTC ending in Z, as DRF writes them under the API's UTC zone; amounts as strings with exactly
# two decimals, beside their currency.


def moment_wire(moment: datetime) -> str:
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def amount_wire(amount: Decimal | int | str) -> str:
    return f"{Decimal(amount).quantize(Decimal('0.01')):f}"


class WireEncoder(DjangoJSONEncoder):
    """JSON in the wire format above (Django's own keeps offsets and cuts microseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and o.tzinfo is not None:
            return moment_wire(o)
        if isinstance(o, Decimal):
            return amount_wire(o)
        return super().default(o)
