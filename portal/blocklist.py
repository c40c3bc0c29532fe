"""The ISP feed: the domains to block, cheap to poll (ETag / If-None-Match)."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags, quote_etag
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from compliance.kernel.formats import WireEncoder
from compliance.sanctions.selectors import blocklist_entries


def _conditional(request: HttpRequest, body: str, content_type: str) -> HttpResponse:
    etag = quote_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    if etag in parse_etags(request.headers.get("If-None-Match", "")) or "*" in request.headers.get(
        "If-None-Match", ""
    ):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


# A public feed with no session to protect: any other method is a 405, not a CSRF refusal.
@csrf_exempt
@require_safe
def blocklist_json(request: HttpRequest) -> HttpResponse:
    entries = blocklist_entries()
    body = json.dumps({"count": len(entries), "domains": entries}, cls=WireEncoder)
    return _conditional(request, body, "application/json")


@csrf_exempt
@require_safe
def blocklist_text(request: HttpRequest) -> HttpResponse:
    body = "".join(f"{entry['domain']}\n" for entry in blocklist_entries())
    return _conditional(request, body, "text/plain; charset=utf-8")
