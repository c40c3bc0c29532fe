"""What an agency reads of its requests: each URL's platform and the order that carries it,
with the order's and the item's state; nothing of other agencies (an order another agency
asked for is named by its reference only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from agencies.models import Referral, TakedownRequest


def takedown_requests_of(*, agency_id: int) -> QuerySet[TakedownRequest]:
    return (
        TakedownRequest.objects.filter(agency_id=agency_id)
        .select_related("category")
        .prefetch_related("items__platform", "items__order_item__order")
    )


def takedown_row(request: TakedownRequest) -> dict[str, Any]:
    items = []
    for item in request.items.all():
        order_item = item.order_item
        items.append(
            {
                "url": item.url,
                "platform": item.platform.name if item.platform else None,
                "already_ordered": item.already_ordered,
                "order": order_item.order.reference if order_item else None,
                "order_status": order_item.order.status if order_item else None,
                "item_status": order_item.status if order_item else None,
            }
        )
    return {
        "id": request.pk,
        "status": request.status,
        "category": request.category.code,
        "legal_basis": request.legal_basis,
        "description": request.description,
        "submitted_at": request.submitted_at,
        "triaged_at": request.triaged_at,
        "decline_reason": request.decline_reason,
        "items": items,
    }


def referrals_of(*, agency_id: int) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(agency_id=agency_id)
        .select_related("order__platform", "order__category")
        .prefetch_related("order__items")
    )


def referral_row(referral: Referral, *, now: datetime) -> dict[str, Any]:
    order = referral.order
    return {
        "id": referral.pk,
        "status": referral.status,
        "order": order.reference,
        "platform": order.platform.name,
        "category": order.category.code,
        "urls": [item.url for item in order.items.all()],
        "reason": referral.reason,
        "referred_at": referral.referred_at,
        "acknowledge_by": referral.acknowledge_by,
        "acknowledged_at": referral.acknowledged_at,
        "acknowledged_late": referral.acknowledged_late(now),
        "outcome": referral.outcome,
        "outcome_at": referral.outcome_at,
    }
