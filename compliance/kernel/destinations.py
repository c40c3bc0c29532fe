"""Where the server may send a request on a platform's behalf: public addresses only.

A webhook URL is the platform's to choose, so it must never reach the regulator's own network
(loopback, private and link-local ranges, cloud metadata at 169.254.169.254, Redis on :6379).
The URL is checked when it is set, and again on every send on the addresses its name resolves
to then: the connection goes to the address that was checked (pinned), so a DNS answer that
changes in between (rebinding) reaches nothing new. Redirects are never followed.

Settings: `WEBHOOK_ALLOWED_PORTS` (default 443 and 8443; in debug also 80 and 8080) and
`WEBHOOK_ALLOWED_NETWORKS`, networks reachable although not public, at any port (a test
receiver on 127.0.0.1; empty in production).
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that only ever mean something inside a network (RFC 6761, 6762, 8375; cloud metadata).
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan", ".intranet")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class DestinationRefused(Exception):
    """The URL may not be reached from here; the message says why."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the connection must go to


def address_public(address: Address) -> bool:
    """Globally routable unicast, judged on the IPv4 address an IPv6 one may carry."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address_public(address.ipv4_mapped)
        if address in NAT64:
            return address_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None:
            return address_public(address.sixtofour)
        if address.teredo is not None:
            return address_public(address.teredo[1])
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
    )


def _allowed_network(address: Address) -> bool:
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.WEBHOOK_ALLOWED_NETWORKS
    )


def _allowed_ports() -> set[int]:
    ports = {int(p) for p in settings.WEBHOOK_ALLOWED_PORTS}
    return ports | {80, 8080} if settings.DEBUG else ports


def _literal(host: str) -> Address | None:
    """The host as an IP address, in any spelling a resolver accepts ("2130706433",
    "0x7f.1" and "127.1" are all 127.0.0.1)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _parse(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DestinationRefused("not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise DestinationRefused("only https URLs are accepted")
    if scheme == "http" and not settings.DEBUG:
        raise DestinationRefused("only https URLs are accepted")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise DestinationRefused("the URL names no host")
    if parts.username or parts.password:
        raise DestinationRefused("credentials in the URL are not accepted")
    port = port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path


def _internal_name(host: str) -> bool:
    return host == "localhost" or host.endswith(INTERNAL_SUFFIXES) or "." not in host


def _judge(address: Address, port: int, host: str) -> None:
    if _allowed_network(address):
        return
    if not address_public(address):
        raise DestinationRefused(f"{host} is {address}, not a public address")
    if port not in _allowed_ports():
        allowed = ", ".join(str(p) for p in sorted(_allowed_ports()))
        raise DestinationRefused(f"port {port} is not accepted (use {allowed})")


def _resolve(host: str, port: int) -> list[Address]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise DestinationRefused(f"{host} does not resolve ({error})") from None
    return [ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0]) for answer in answers]


def destination_check(url: str) -> None:
    """At registration: refuse what can be seen to be non-public now. A name that does not
    resolve yet is accepted (the platform may be setting up its DNS); every send resolves
    and checks again."""
    try:
        _, host, port, _ = _parse(url)
        literal = _literal(host)
        if literal is None and _internal_name(host):
            raise DestinationRefused(f"{host} is an internal name")
        if literal is not None:
            _judge(literal, port, host)
            return
        try:
            addresses = _resolve(host, port)
        except DestinationRefused:
            if port not in _allowed_ports():
                raise DestinationRefused(f"port {port} is not accepted") from None
            return
        for address in addresses:
            _judge(address, port, host)
    except DestinationRefused as refused:
        raise ValidationError(
            {"url": f"This URL cannot be used for webhooks: {refused}."}
        ) from None


def destination_resolve(url: str) -> Destination:
    """At send time: every address the name resolves to now must be allowed; returns the one
    to connect to. Raises DestinationRefused."""
    scheme, host, port, path = _parse(url)
    literal = _literal(host)
    if literal is None and _internal_name(host):
        raise DestinationRefused(f"{host} is an internal name")
    addresses = [literal] if literal is not None else _resolve(host, port)
    for address in addresses:
        _judge(address, port, host)
    return Destination(scheme, host, port, path, str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(destination.host, destination.port, timeout=timeout, context=self.tls)
        self.address = destination.address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate must be the name's, though the connection went to an address.
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def http_post(*, url: str, body: bytes, headers: dict[str, str], deadline: float) -> int:
    """POST to a public destination and return the status code, within `deadline` seconds in
    all: a receiver that drips its answer a byte at a time is cut off at the deadline (the
    socket is shut down under the reading thread). Redirects are returned, not followed.
    Raises DestinationRefused for a destination that may not be reached."""
    destination = destination_resolve(url)
    kind = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    connection = kind(destination, timeout=deadline)
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(deadline, cut_off)
    timer.start()
    try:
        connection.request("POST", destination.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TimeoutError(f"no complete answer within {deadline} s") from None
        raise
    finally:
        timer.cancel()
        connection.close()
