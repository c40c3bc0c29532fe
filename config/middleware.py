"""A content security policy on every page we render (the admin, the API docs).

Django 5.2 has no CSP of its own (6.0 adds one). Everything the pages load comes from our own
origin: the admin's scripts and the API docs' Swagger UI (served from drf-spectacular-sidecar,
its start-up script from a URL of ours, not inline), so the policy allows nothing else.
Inline style attributes stay allowed: the admin's templates and Swagger UI set some.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
