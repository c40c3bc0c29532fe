"""Domain names as the registry and the ISP feed store them: lower-case ASCII, no final dot.

Names are mapped and encoded as browsers do (IDNA 2008 with the UTS #46 mapping, not the
transitional one, through the `idna` package): `straße.example` is `xn--strae-oqa.example`,
the host a browser goes to. Python's own "idna" codec is IDNA 2003, which would store
`strasse.example`, a different host, and an ISP would block the wrong name.
"""

import re

import idna
from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def hostname_normalize(value: str) -> str:
    """Return the canonical form of a hostname, or raise ValidationError saying what is wrong."""
    raw = value.strip().rstrip(".")
    if not raw:
        raise ValidationError("Enter a domain name.", code="invalid_domain")
    if "://" in raw or "/" in raw or ":" in raw or "@" in raw:
        raise ValidationError(
            f"{value!r} is not a bare domain name (no scheme, path, port or user).",
            code="invalid_domain",
        )
    try:
        ascii_name = idna.encode(raw, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise ValidationError(
            f"{value!r} is not a valid domain name.", code="invalid_domain"
        ) from None
    labels = ascii_name.split(".")
    if (
        len(ascii_name) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError(
            f"{value!r} is not a valid domain name.", code="invalid_domain"
        ) from None
    return ascii_name
