"""What every response passes through: its language, and a content security policy.

A content security policy on every page we render (the admin, the API docs).

Django 5.2 has no CSP of its own (6.0 adds one). Everything the pages load comes from our own
origin: the admin's scripts and the API docs' Swagger UI (served from drf-spectacular-sidecar,
its start-up script from a URL of ours, not inline), so the policy allows nothing else.
Inline style attributes stay allowed: the admin's templates and Swagger UI set some.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", POLICY)
        return response


class LanguageMiddleware:
    """Which language a request is answered in (Django's i18n, `id` and `en`).

    The API answers in English: its messages are a contract that clients match on. Otherwise
    the language the user chose with the switch (a cookie) wins; without one, staff pages
    (/admin/) are in the regulator's language (`STAFF_LANGUAGE_CODE`, Indonesian) and public
    pages follow the browser's Accept-Language, English if it names neither.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _language(self, request: HttpRequest) -> str:
        if request.path.startswith("/api/"):
            return "en"
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if translation.check_for_language(chosen) and chosen in dict(settings.LANGUAGES):
            return chosen
        if request.path.startswith("/admin/"):
            return settings.STAFF_LANGUAGE_CODE
        return translation.get_language_from_request(request)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response
