"""How the admin shows what must not be a link or raw JSON: reported URLs defanged with a
button that copies the real address; addressees and per-item fine amounts as tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from compliance.kernel.formats import defanged, money_text

COPY_SCRIPT = "backoffice/copy.js"


def reported_url(url: str) -> SafeString:
    """`hxxps://host[.]example/path` and a Copy button holding the real address."""
    return format_html(
        '<code class="defanged">{}</code> <button type="button" class="copy-url" '
        'data-url="{}" data-copied-label="{}">{}</button>',
        defanged(url),
        url,
        _("Copied"),
        _("Copy"),
    )


def table(headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> SafeString:
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def addressees_table(addressees: Iterable[Mapping[str, str]]) -> SafeString | str:
    rows = [(a.get("name", ""), a.get("role", ""), a.get("email", "")) for a in addressees]
    if not rows:
        return "-"
    return table([_("Name"), _("Role"), _("E-mail")], rows)


def item_amounts_table(
    amounts: Mapping[str, str], urls: Mapping[int, str], currency: str
) -> SafeString | str:
    """Each item of a fine with its amount (the cap applies per item)."""
    if not amounts:
        return "-"
    rows = [
        (reported_url(urls.get(int(pk), "")), money_text(Decimal(amount), currency))
        for pk, amount in sorted(amounts.items(), key=lambda pair: int(pair[0]))
    ]
    return table([_("Item"), _("Amount")], rows)
