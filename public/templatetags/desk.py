"""How pages show times, amounts and reported URLs (the admin's and the public pages'):
times in the regulator's zone labelled (WIB), amounts in the active language's style, URLs
of reported content defanged so that no page turns them into links."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template

from compliance.kernel.formats import defanged, moment_text, money_text

register = template.Library()


@register.filter
def moment(value: datetime | None) -> str:
    return moment_text(value)


@register.filter
def money(value: Decimal | None, currency: str = "IDR") -> str:
    return money_text(value, currency or "IDR")


@register.filter
def defang(value: str) -> str:
    return defanged(str(value))
