"""Public pages: the decision record's signed checkpoints, for anyone to keep and check."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from compliance.kernel.keys import public_key
from compliance.kernel.models import DecisionCheckpoint

SHOWN = 50


@require_safe
def checkpoints_page(request: HttpRequest) -> HttpResponse:
    key_id, key = public_key()
    recent = list(DecisionCheckpoint.objects.order_by("-seq")[:SHOWN])
    return render(
        request,
        "public/checkpoints.html",
        {"key_id": key_id, "public_key": key, "checkpoints": recent, "latest": recent[:1]},
    )


@require_safe
def checkpoints_json(request: HttpRequest) -> JsonResponse:
    key_id, key = public_key()
    latest = DecisionCheckpoint.objects.order_by("-seq").first()
    return JsonResponse(
        {
            "algorithm": "Ed25519",
            "key_id": key_id,
            "public_key": key,
            "message": "compliance-decision-checkpoint:v1:{seq}:{hash}:{created_at}",
            "latest": latest.as_published() if latest else None,
        }
    )


@require_safe
def checkpoints_lines(request: HttpRequest) -> HttpResponse:
    """Every checkpoint, one JSON object a line: what `verify_decisions --checkpoints` reads."""
    lines = (
        json.dumps(c.as_published()) + "\n"
        for c in DecisionCheckpoint.objects.order_by("seq").iterator()
    )
    return HttpResponse("".join(lines), content_type="application/jsonl; charset=utf-8")
