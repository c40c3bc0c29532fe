"""Platform API keys: authentication, scoping, throttling.

A request carries `Authorization: Bearer cek_<prefix>_<secret>`. The prefix finds the key row;
the digest of the whole key is compared in constant time. A key acts for exactly one platform,
and every queryset of the portal is filtered by it, so another platform's objects are 404.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from compliance.actors import Actor
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


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[PlatformPrincipal, ApiKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send exactly one API key: 'Bearer <key>'.")
        try:
            key = header[1].decode("ascii")
            _, prefix, _ = key.split("_", 2)
        except (UnicodeDecodeError, ValueError):
            raise exceptions.AuthenticationFailed("Malformed API key.") from None
        api_key = ApiKey.objects.select_related("platform").filter(prefix=prefix).first()
        # Compare even when no row matched, so timing does not tell which prefixes exist.
        expected = api_key.digest if api_key else "0" * 64
        if not hmac.compare_digest(expected, api_key_digest(key)) or api_key is None:
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key was revoked.")
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return PlatformPrincipal(platform=api_key.platform, api_key=api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="platform portal"'


class IsPlatform(BasePermission):
    """An authenticated platform; a revoked registration keeps only its order answers.

    Views that a revoked platform may still use (read and answer orders: enforcement goes on)
    set `open_to_revoked = True`.
    """

    message = "A platform API key is required."

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, PlatformPrincipal):
            return False
        if principal.platform.status == RegistrationStatus.REVOKED and not getattr(
            view, "open_to_revoked", False
        ):
            self.message = "The platform's registration is revoked: only its orders remain open."
            return False
        return True


class _KeyThrottle(SimpleRateThrottle):
    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.user, PlatformPrincipal):
            return self.cache_format % {"scope": self.scope, "ident": request.user.api_key.pk}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


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

    target_class = "compliance.api.auth.ApiKeyAuthentication"
    name = "platformApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A platform API key: `Authorization: Bearer cek_<prefix>_<secret>`.",
        }
