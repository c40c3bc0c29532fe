"""Every API error as `application/problem+json` (RFC 9457), through one handler."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from compliance.kernel.errors import ActionForbidden, TransitionNotAllowed

PROBLEM = "application/problem+json"
TYPE_BASE = "https://compliance.example/problems/"


def problem(
    status_code: int,
    title: str,
    detail: str = "",
    *,
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status_code,
        "detail": detail or title,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return body


def _field_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """Flatten DRF and Django error structures into [{field, message}] with dotted paths."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__", "") else str(key)
            errors += _field_errors(value, ".".join(p for p in (path, name) if p))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                errors += _field_errors(item, ".".join(p for p in (path, str(index)) if p))
            else:
                errors.append({"field": path, "message": str(item)})
        return errors
    return [{"field": path, "message": str(detail)}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """400: the request does not match the schema (a serializer said so). 422: it does, but a
    rule of the domain refuses it (a service raised ValidationError). 409: not from this
    state. 413: too large. Each as problem+json."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        body = problem(
            422,
            "Unprocessable request",
            "The request is well formed, but the rules refuse it.",
            errors=_field_errors(detail),
        )
        return Response(body, status=422, content_type=PROBLEM)
    if isinstance(exc, TransitionNotAllowed):
        body = problem(409, "Conflict", str(exc), current_state=exc.current_state)
        return Response(body, status=409, content_type=PROBLEM)
    if isinstance(exc, (ActionForbidden, DjangoPermissionDenied)):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, RequestDataTooBig):
        return Response(
            problem(413, "Request too large", str(exc)), status=413, content_type=PROBLEM
        )
    if isinstance(exc, SuspiciousOperation):  # too many fields or files, a malformed upload
        return Response(problem(400, "Bad request", str(exc)), status=400, content_type=PROBLEM)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            400,
            "Invalid request",
            "The request has invalid fields.",
            errors=_field_errors(exc.detail),
        )
    else:
        title = {
            400: "Bad request",
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not found",
            405: "Method not allowed",
            406: "Not acceptable",
            415: "Unsupported media type",
            429: "Too many requests",
        }.get(response.status_code, "Error")
        body = problem(response.status_code, title, str(exc.detail))
    response.data = body
    response.content_type = PROBLEM
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 for a URL no route matches: problem+json under /api/, the page elsewhere."""
    if _is_api(request):
        return JsonResponse(problem(404, "Not found"), status=404, content_type=PROBLEM)
    return defaults.page_not_found(request, exception or Http404())


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refused before any view (e.g. a suspicious upload)."""
    if _is_api(request):
        detail = str(exception) if exception else "Bad request"
        return JsonResponse(problem(400, "Bad request", detail), status=400, content_type=PROBLEM)
    return defaults.bad_request(request, exception or SuspiciousOperation())


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(problem(500, "Server error"), status=500, content_type=PROBLEM)
    return defaults.server_error(request)
