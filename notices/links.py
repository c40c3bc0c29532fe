"""Content URLs as orders store them: one canonical spelling, so duplicates and re-uploads match."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError

from registry.hostnames import hostname_normalize

DEFAULT_PORTS = {"http": 80, "https": 443}


def url_normalize(value: str) -> str:
    """Lower-case scheme and host, IDNA host, no default port, no fragment, "/" for no path.

    Path and query keep their case: on most platforms they identify the content.
    """
    raw = value.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ValidationError(f"{value!r} is not a valid URL.", code="invalid_url") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValidationError(f"{value!r} is not an http(s) URL.", code="invalid_url")
    if not parts.hostname or any(c.isspace() for c in raw) or parts.username or parts.password:
        raise ValidationError(f"{value!r} is not a valid URL.", code="invalid_url")
    host = _host_normalize(parts.hostname, value)
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _host_normalize(host: str, original: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            return hostname_normalize(host)
        except ValidationError:
            raise ValidationError(f"{original!r} has no valid host.", code="invalid_url") from None
    return f"[{address}]" if address.version == 6 else str(address)


def url_host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def host_in_domains(host: str, domains: set[str]) -> bool:
    """True if the host is one of the domains or a subdomain of one."""
    labels = host.split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))
