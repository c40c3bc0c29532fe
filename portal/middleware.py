"""Limits on API requests checked before anything reads the body or resolves the path, and
the API's one time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from portal.errors import PROBLEM, problem


class ApiRequestLimitsMiddleware:
    """Under /api/: a declared body larger than any endpoint accepts is refused at once (413,
    nothing read or spooled), and a path with a NUL or another control character is refused
    (400) before it can reach a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if any(ord(c) < 32 or ord(c) == 127 for c in request.path):
            return _refuse(400, "Bad request", "The path holds a control character.")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(400, "Bad request", "Content-Length is not a number.")
        largest = settings.EVIDENCE_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if declared > largest:
            return _refuse(413, "Request too large", f"Bodies are limited to {largest} bytes.")
        # The API speaks UTC, every timestamp ending in Z; the admin shows the regulator's zone.
        with timezone.override(UTC):
            return self.get_response(request)


def _refuse(status: int, title: str, detail: str) -> JsonResponse:
    return JsonResponse(problem(status, title, detail), status=status, content_type=PROBLEM)
