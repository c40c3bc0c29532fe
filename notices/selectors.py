"""Reads over removal orders, shaped for the platform portal (plain dicts, fixed query count)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from compliance.kernel.formats import amount_wire
from compliance.sanctions.models import Fine, WarningLetter
from notices.models import Objection, OrderItem, OrderStatus, RemovalOrder
from registry.models import Platform

ORDER_FIELDS = [
    "id",
    "reference",
    "status",
    "urgent",
    "category__code",
    "issued_at",
    "due_at",
    "clock_paused_at",
    "escalation_level",
    "updated_at",
]
ITEM_FIELDS = ["id", "url", "content_id", "status", "actioned_at", "reported_at"]


def orders_of_platform(
    *,
    platform: Platform,
    status: str | None = None,
    urgent: bool | None = None,
    category: str | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[RemovalOrder]:
    """Orders served on the platform (drafts are not served), filtered."""
    orders = RemovalOrder.objects.filter(platform=platform).exclude(status=OrderStatus.DRAFT)
    filters: dict[str, Any] = {
        "status": status,
        "urgent": urgent,
        "category__code": category,
        "due_at__lt": due_before,
        "due_at__gte": due_after,
        "updated_at__gte": updated_since,
    }
    return orders.filter(**{k: v for k, v in filters.items() if v is not None})


def order_rows(orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach items to order rows with one query, whatever the number of orders."""
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in OrderItem.objects.filter(order_id__in=[o["id"] for o in orders]).values(
        "order_id", *ITEM_FIELDS
    ):
        items[item.pop("order_id")].append(item)
    return [_order(row, items[row["id"]]) for row in orders]


def _order(row: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "reference": row["reference"],
        "status": row["status"],
        "urgent": row["urgent"],
        "category": row["category__code"],
        "issued_at": row["issued_at"],
        "due_at": row["due_at"],
        "clock_paused": row["clock_paused_at"] is not None,
        "escalation_level": row["escalation_level"],
        "updated_at": row["updated_at"],
        "items": items,
    }


def order_detail(*, order: RemovalOrder) -> dict[str, Any]:
    row = RemovalOrder.objects.filter(pk=order.pk).values(*ORDER_FIELDS).get()
    [detail] = order_rows([row])
    detail.update(
        legal_basis=order.legal_basis,
        description=order.description,
        requested_by=order.agency.name,
        letters=list(
            WarningLetter.objects.filter(order=order).values(
                "number",
                "level",
                "issued_at",
                "response_due_at",
                "items_outstanding",
                "legal_basis",
            )
        ),
        fines=[fine_row(f) for f in Fine.objects.filter(order=order).values(*FINE_FIELDS)],
        objections=[objection_row(o) for o in order.objections.prefetch_related("items")],
    )
    return detail


def objection_row(objection: Objection) -> dict[str, Any]:
    """An objection as its platform reads it: what it objected to, and the decision."""
    return {
        "id": objection.pk,
        "order": objection.order.reference,
        "status": objection.status,
        "reason": objection.reason,
        "filed_at": objection.filed_at,
        "items": [i.pk for i in objection.items.all()],
        "decided_at": objection.decided_at,
        "decision_reason": objection.decision_reason,
    }


def objections_of(*, platform_id: int) -> QuerySet[Objection]:
    return (
        Objection.objects.filter(order__platform_id=platform_id)
        .select_related("order")
        .prefetch_related("items")
        .order_by("-filed_at", "-pk")
    )


FINE_FIELDS = [
    "id",
    "number",
    "order__reference",
    "amount",
    "currency",
    "status",
    "assessed_at",
    "due_at",
    "payment_reference",
    "payment_declared_at",
    "paid_at",
]


def fine_row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["order"] = row.pop("order__reference")
    row["amount"] = amount_wire(row["amount"])
    # `declared` from the platform's declaration until an officer confirms it (then `paid`).
    if row["paid_at"] is not None:
        row["payment_status"] = "confirmed"
    elif row["payment_declared_at"] is not None:
        row["payment_status"] = "declared"
    else:
        row["payment_status"] = "none"
    return row
