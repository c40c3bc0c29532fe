"""Platform API keys: authentication, scoping, throttling.

A request carries `Authorization: Bearer cek_<prefix>_<secret>`. The prefix finds the key row;
the digest of the whole key is compared in constant time. A key acts for exactly one platform,
and every queryset of the portal is filtered by it, so another platform's objects are 404.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from agencies.models import AgencyKey
from compliance.kernel.actors import Actor
from compliance.kernel.ratelimits import attempt_count
from notices.models import Agency
from registry.models import ApiKey, Platform, RegistrationStatus
from registry.services import api_key_digest

LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class PlatformPrincipal:
    """Stands in for `request.user` on portal requests."""

    platform: Platform
    api_key: ApiKey
    is_authenticated: bool = True
    is_staff: bool = False

    @property
    def actor(self) -> Actor:
        return Actor.of_platform(self.platform)


class _KeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <kind>_<prefix>_<secret>`, for keys of one kind (one model)."""

    keyword = "Bearer"
    kind: str
    model: type[ApiKey] | type[AgencyKey]
    owner: str

    def _found(self, request: Request) -> Any | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send exactly one API key: 'Bearer <key>'.")
        try:
            key = header[1].decode("ascii")
            kind, prefix, _ = key.split("_", 2)
        except (UnicodeDecodeError, ValueError):
            raise exceptions.AuthenticationFailed("Malformed API key.") from None
        # `prefix` is unique: a plain lookup, without the ORDER BY that `.first()` compiles.
        rows = self.model.objects.select_related(self.owner).filter(prefix=prefix)
        found = next(iter(rows), None) if kind == self.kind else None
        # Compare even when no row matched, so timing does not tell which prefixes exist.
        expected = found.digest if found else "0" * 64
        if not hmac.compare_digest(expected, api_key_digest(key)) or found is None:
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if found.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key was revoked.")
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_PRECISION:
            self.model.objects.filter(pk=found.pk).update(last_used_at=now)
        return found


class ApiKeyAuthentication(_KeyAuthentication):
    kind, model, owner = "cek", ApiKey, "platform"

    def authenticate(self, request: Request) -> tuple[PlatformPrincipal, ApiKey] | None:
        found = self._found(request)
        if found is None:
            return None
        return PlatformPrincipal(platform=found.platform, api_key=found), found

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="platform portal"'


def revoked_may(view: Any, method: str) -> bool:
    """Whether a platform whose registration is revoked may call `method` on `view`."""
    allowed = getattr(view, "open_to_revoked", False)
    return allowed is True or (not isinstance(allowed, bool) and method in allowed)


class IsPlatform(BasePermission):
    """An authenticated platform; a revoked registration keeps only its order answers.

    Views that a revoked platform may still use (read and answer orders: enforcement goes on)
    set `open_to_revoked = True`, or the methods it may use (`{"GET"}`: it may read, not write).
    """

    message = "A platform API key is required."

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, PlatformPrincipal):
            return False
        if principal.platform.status == RegistrationStatus.REVOKED and not revoked_may(
            view, request.method or ""
        ):
            self.message = "The platform's registration is revoked: only its orders remain open."
            return False
        return True


class _KeyThrottle(BaseThrottle):
    """Requests per API key in fixed windows ("120/min": at most 120 in each calendar
    minute), counted atomically in the shared cache before the request is served."""

    scope: str
    THROTTLE_RATES = cast(dict[str, str], api_settings.DEFAULT_THROTTLE_RATES)

    def allow_request(self, request: Request, view: Any) -> bool:
        limit, window = _rate(self.THROTTLE_RATES[self.scope])
        if isinstance(request.user, PlatformPrincipal):
            ident = f"key:{request.user.api_key.pk}"
        elif isinstance(request.user, AgencyPrincipal):
            ident = f"agency-key:{request.user.api_key.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        admission = attempt_count(
            key=f"api-throttle:{self.scope}:{ident}", limit=limit, window=window, aligned=True
        )
        self.retry_after = admission.retry_after
        return admission.allowed

    def wait(self) -> float:
        return self.retry_after


def _rate(rate: str) -> tuple[int, int]:
    """ "120/min" -> (120, 60): DRF's notation, the unit's first letter counts."""
    count, _, unit = rate.partition("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit[:1]]


class BurstThrottle(_KeyThrottle):
    scope = "burst"


class SustainedThrottle(_KeyThrottle):
    scope = "sustained"


def platform_of(request: Request) -> Platform:
    principal = request.user
    assert isinstance(principal, PlatformPrincipal)
    return principal.platform


def actor_of(request: Request) -> Actor:
    return Actor.of_platform(platform_of(request))


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Tells the OpenAPI schema how platforms authenticate."""

    target_class = "portal.auth.ApiKeyAuthentication"
    name = "platformApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A platform API key: `Authorization: Bearer cek_<prefix>_<secret>`.",
        }


# Agencies (MR5 Art. 14(1)) have keys of their own, `cea_<prefix>_<secret>`, which reach only
# the agency routes and only the agency's own requests; a platform's key reaches none of them.


@dataclass(frozen=True)
class AgencyPrincipal:
    agency: Agency
    api_key: AgencyKey
    is_authenticated: bool = True
    is_staff: bool = False


class AgencyKeyAuthentication(_KeyAuthentication):
    kind, model, owner = "cea", AgencyKey, "agency"

    def authenticate(self, request: Request) -> tuple[AgencyPrincipal, AgencyKey] | None:
        found = self._found(request)
        if found is None:
            return None
        if not found.agency.is_active:
            raise exceptions.AuthenticationFailed("This agency no longer requests takedowns.")
        return AgencyPrincipal(agency=found.agency, api_key=found), found

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="agency portal"'


class IsAgency(BasePermission):
    message = "An agency API key is required."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, AgencyPrincipal)


def agency_of(request: Request) -> Agency:
    principal = request.user
    assert isinstance(principal, AgencyPrincipal)
    return principal.agency


class AgencyKeyScheme(OpenApiAuthenticationExtension):
    target_class = "portal.auth.AgencyKeyAuthentication"
    name = "agencyApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A requesting agency's API key: `Authorization: Bearer cea_<prefix>_"
            "<secret>`, issued by the regulator.",
        }
