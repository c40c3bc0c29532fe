"""`Idempotency-Key` on POSTs: a repeat returns the first response and changes nothing.

The key is stored per platform in the same transaction as the request's writes. A concurrent
repeat waits on the unique index until the first commits, then replays its response; the same
key with a different request is 422.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from compliance.kernel.models import IdempotencyRecord
from portal.auth import AgencyPrincipal, platform_of
from portal.errors import PROBLEM, problem

HEADER = "Idempotency-Key"


def _fingerprint(request: Request) -> str:
    """What makes two requests the same: method, path, body fields, uploaded files' bytes."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    if hasattr(data, "items"):
        data = {k: v for k, v in data.items() if not hasattr(v, "read")}  # files: below
    digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    for name, upload in sorted(request.FILES.items()):
        digest.update(name.encode())
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
    return digest.hexdigest()


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    @wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not 1 <= len(key) <= 200 or not all(33 <= ord(c) <= 126 for c in key):
            body = problem(
                400,
                "Invalid request",
                f"{HEADER} must be 1 to 200 printable ASCII characters, without spaces.",
                errors=[{"field": HEADER, "message": "1 to 200 printable ASCII characters."}],
            )
            return Response(body, status=400, content_type=PROBLEM)
        caller = (
            {"agency": request.user.agency}
            if isinstance(request.user, AgencyPrincipal)
            else {"platform": platform_of(request)}
        )
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        **caller,
                        key=key,
                        method=request.method or "",
                        path=request.path[:500],
                        request_hash=fingerprint,
                    )
            except IntegrityError:
                first = IdempotencyRecord.objects.select_for_update().get(**caller, key=key)
                if first.request_hash != fingerprint:
                    body = problem(
                        422,
                        "Idempotency key reused",
                        f"{HEADER} {key!r} was used for a different request.",
                    )
                    return Response(body, status=422, content_type=PROBLEM)
                replay = Response(first.response_body, status=first.status_code)
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = handler(view, request, *args, **kwargs)
            record.status_code = response.status_code
            # As the renderer would write it, so a replay is byte-for-byte the same JSON.
            record.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
            record.save(update_fields=["status_code", "response_body"])
        return response

    wrapper.idempotent = True  # type: ignore[attr-defined]  # read by portal.schema
    return wrapper
