"""Portal endpoints for removal orders: list, read, acknowledge, report, object."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.sanctions.models import FineStatus
from notices import selectors, services
from notices.models import REPORTABLE, ItemStatus, Objection, OrderStatus, RemovalOrder
from portal.auth import actor_of, platform_of
from portal.idempotency import idempotent
from portal.pagination import NewestFirst
from portal.serializers import PROBLEMS, Moment, StrictSerializer, Text, id_field

MAX_BULK = 500


class ItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    content_id = serializers.CharField()
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    actioned_at = serializers.DateTimeField(allow_null=True)
    reported_at = serializers.DateTimeField(allow_null=True)


class OrderOut(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    urgent = serializers.BooleanField()
    category = serializers.CharField()
    issued_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    clock_paused = serializers.BooleanField()
    escalation_level = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    items = ItemOut(many=True)


class OrderPageOut(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page's URL, if any.")
    previous = serializers.URLField(allow_null=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null on the last."
    )
    results = OrderOut(many=True)


class LetterOut(serializers.Serializer):
    number = serializers.CharField()
    level = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    response_due_at = serializers.DateTimeField(allow_null=True)
    items_outstanding = serializers.IntegerField()
    legal_basis = serializers.CharField()


class FineOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    order = serializers.CharField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=FineStatus.choices)
    assessed_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    payment_reference = serializers.CharField(help_text="The latest declared or confirmed.")
    payment_declared_at = serializers.DateTimeField(allow_null=True)
    payment_status = serializers.ChoiceField(
        choices=[
            ("none", "No payment declared"),
            ("declared", "Declared, waiting for an officer to confirm it"),
            ("confirmed", "Confirmed by an officer: paid"),
        ],
        help_text="declared: you declared a payment (GET fines/{id}/payments/ lists each "
        "declaration) and an officer has not confirmed it yet; confirmed: paid.",
    )
    paid_at = serializers.DateTimeField(allow_null=True)


class ObjectionOut(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(help_text="The order's reference.")
    status = serializers.ChoiceField(
        choices=Objection.Status.choices,
        help_text="open until an officer decides; upheld (the items are withdrawn from the "
        "order) or rejected (they must come down).",
    )
    reason = serializers.CharField()
    filed_at = serializers.DateTimeField()
    items = serializers.ListField(child=serializers.IntegerField())
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField(help_text="The officer's reason; empty while open.")


class OrderDetailOut(OrderOut):
    legal_basis = serializers.CharField()
    description = serializers.CharField()
    requested_by = serializers.CharField()
    letters = LetterOut(many=True)
    fines = FineOut(many=True)
    objections = ObjectionOut(many=True)


class OrderFilters(StrictSerializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    urgent = serializers.BooleanField(required=False)
    category = serializers.SlugField(required=False)
    due_before = serializers.DateTimeField(required=False)
    due_after = serializers.DateTimeField(required=False)
    updated_since = serializers.DateTimeField(required=False)
    cursor = Text(required=False, help_text="`next_cursor` of the previous page.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


def _order_of(request: Request, reference: str) -> RemovalOrder:
    """Another platform's order, or a draft, is simply not found."""
    return get_object_or_404(
        RemovalOrder.objects.exclude(status=OrderStatus.DRAFT).select_related("agency"),
        platform=platform_of(request),
        reference=reference,
    )


class OrderList(APIView):
    open_to_revoked = True
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="orders_list",
        parameters=[OrderFilters],
        responses={200: OrderPageOut, **PROBLEMS},
        description="Orders served on your platform, newest first, with cursor pagination.",
    )
    def get(self, request: Request) -> Response:
        # A plain dict: as a QueryDict, DRF would read `?status=` as "not given" and list all.
        options: dict[str, Any] = {}
        query = request.query_params.dict()
        if query:  # checking an empty query would cost more than the rest of the view
            filters = OrderFilters(data=query)
            filters.is_valid(raise_exception=True)
            options = {
                k: v for k, v in filters.validated_data.items() if k not in ("cursor", "page_size")
            }
        orders = selectors.orders_of_platform(platform=platform_of(request), **options)
        paginator = NewestFirst()
        page: list[dict[str, Any]] | None = paginator.paginate_queryset(
            orders.values(*selectors.ORDER_FIELDS), request, view=self
        )
        response = paginator.get_paginated_response(selectors.order_rows(page or []))
        response.data["next_cursor"] = paginator.next_cursor()
        return response


class OrderDetail(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="orders_retrieve",
        description=(
            "One order served on your platform: its items (each with what you reported), "
            "deadline, letters, fines and objections."
        ),
        responses={200: OrderDetailOut, **PROBLEMS},
    )
    def get(self, request: Request, reference: str) -> Response:
        return Response(selectors.order_detail(order=_order_of(request, reference)))


class Acknowledge(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="orders_acknowledge",
        description=(
            "Say you received the order. The deadline does not move; acknowledging a second "
            "time is refused (409)."
        ),
        request=None,
        responses={200: OrderDetailOut, **PROBLEMS},
    )
    @idempotent
    def post(self, request: Request, reference: str) -> Response:
        order = services.order_acknowledge(
            order=_order_of(request, reference), actor=actor_of(request)
        )
        return Response(selectors.order_detail(order=order))


class ReportIn(StrictSerializer):
    """What you did about one item, and when."""

    action = serializers.ChoiceField(choices=[(a.value, a.label) for a in REPORTABLE])
    actioned_at = Moment(required=False, help_text="Defaults to receipt.")
    note = Text(required=False, allow_blank=True, max_length=2000, default="")


class ReportItem(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="orders_items_report",
        request=ReportIn,
        responses={200: OrderDetailOut, **PROBLEMS},
        description="Report what you did about one item. Upload a capture with "
        "`POST .../items/{item_id}/evidence/`.",
    )
    @idempotent
    def post(self, request: Request, reference: str, item_id: int) -> Response:
        order = _order_of(request, reference)
        item = get_object_or_404(order.items, pk=item_id)
        data = ReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = services.order_items_report(
            order=order,
            actor=actor_of(request),
            reports=[
                services.ItemReport(
                    item_id=item.pk,
                    action=values["action"],
                    actioned_at=values.get("actioned_at"),
                    note=values["note"],
                )
            ],
        )
        return Response(selectors.order_detail(order=order))


class EvidenceIn(StrictSerializer):
    """A capture of an item (PNG, JPEG, GIF, WebP, PDF, MP4 or WebM), as multipart/form-data."""

    file = serializers.FileField(help_text="The capture; its type is read from its bytes.")
    captured_at = serializers.DateTimeField(
        required=False, help_text="When it was captured; defaults to receipt."
    )
    description = Text(required=False, allow_blank=True, max_length=300, default="")


class EvidenceOut(serializers.Serializer):
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    captured_at = serializers.DateTimeField()


class ItemEvidence(APIView):
    open_to_revoked = True
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="orders_items_evidence_create",
        request={"multipart/form-data": EvidenceIn},
        responses={201: EvidenceOut, **PROBLEMS},
        description="Upload a capture of an item (25 MiB at most by default). Kept with its "
        "SHA-256; the same bytes are stored once.",
    )
    @idempotent
    def post(self, request: Request, reference: str, item_id: int) -> Response:
        order = _order_of(request, reference)
        item = get_object_or_404(order.items, pk=item_id)
        data = EvidenceIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        evidence = services.evidence_add(
            order=order,
            actor=actor_of(request),
            file=values["file"],
            item=item,
            captured_at=values.get("captured_at") or timezone.now(),
            description=values["description"] or "Platform capture",
        )
        body = {
            "sha256": evidence.sha256,
            "size": evidence.size,
            "content_type": evidence.content_type,
            "captured_at": evidence.captured_at,
        }
        return Response(body, status=201)


class BulkReportItemIn(ReportIn):
    """One item's entry in a report of several."""

    item_id = id_field()


class BulkReportIn(StrictSerializer):
    """What you did about several items of one order, one entry per item."""

    items = serializers.ListField(child=BulkReportItemIn(), min_length=1, max_length=MAX_BULK)


class ReportItems(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="orders_items_report_many",
        request=BulkReportIn,
        examples=[
            OpenApiExample(
                "Two items down",
                request_only=True,
                value={
                    "items": [
                        {"item_id": 1, "action": "removed", "note": "Deleted by T&S."},
                        {
                            "item_id": 2,
                            "action": "geo_blocked",
                            "actioned_at": "2026-12-01T08:30:00Z",
                        },
                    ]
                },
            )
        ],
        responses={200: OrderDetailOut, **PROBLEMS},
        description=f"Report up to {MAX_BULK} items at once: all or nothing; errors "
        "are keyed by item id.",
    )
    @idempotent
    def post(self, request: Request, reference: str) -> Response:
        order = _order_of(request, reference)
        data = BulkReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        reports = [
            services.ItemReport(
                item_id=r["item_id"],
                action=r["action"],
                actioned_at=r.get("actioned_at"),
                note=r["note"],
            )
            for r in data.validated_data["items"]
        ]
        order = services.order_items_report(order=order, actor=actor_of(request), reports=reports)
        return Response(selectors.order_detail(order=order))


class ObjectionIn(StrictSerializer):
    """Your objection to items of an order, with your reason."""

    reason = Text(max_length=5000)
    items = serializers.ListField(child=id_field(), min_length=1, max_length=MAX_BULK)


class FileObjection(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="orders_objections_create",
        description=(
            "Object to items of an order (e.g. lawful content) with your reason; an officer "
            "decides. The items' deadline runs meanwhile."
        ),
        request=ObjectionIn,
        responses={
            201: inline_serializer(
                "ObjectionCreated",
                {"id": serializers.IntegerField(), "status": serializers.CharField()},
            ),
            **PROBLEMS,
        },
    )
    @idempotent
    def post(self, request: Request, reference: str) -> Response:
        order = _order_of(request, reference)
        data = ObjectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        items = list(order.items.filter(pk__in=data.validated_data["items"]))
        if len(items) != len(set(data.validated_data["items"])):
            raise DjangoValidationError({"items": ["Name items of this order."]})
        objection = services.objection_file(
            order=order, actor=actor_of(request), reason=data.validated_data["reason"], items=items
        )
        return Response({"id": objection.pk, "status": objection.status}, status=201)
