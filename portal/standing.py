"""The platform's turnover declarations (what a fine set as a share of turnover is computed
from) and its designations (very large online platform, category 1 service, ...), with their
history."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.auth import actor_of, platform_of
from portal.idempotency import idempotent
from portal.pagination import PageQuery, page, page_of, query_checked
from portal.serializers import PROBLEMS, Amount, StrictSerializer, Text
from registry import standing
from registry.models import DesignationKind, PlatformDesignation, PlatformTurnover

SCOPES = [("worldwide", "Worldwide"), ("national", "In the jurisdiction")]


class TurnoverIn(StrictSerializer):
    """Your turnover for a period that has ended (a year at most)."""

    amount = Amount(help_text="Exact, as a string, with at most two decimals.")
    currency = Text(min_length=3, max_length=3, help_text="ISO 4217, e.g. EUR.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    scope = serializers.ChoiceField(choices=SCOPES, default="worldwide")
    # The field named `source`: DRF's metaclass takes declared fields off the class, so it
    # does not shadow Field.source at run time; only the type checker sees the clash.
    source = Text(  # type: ignore[assignment]
        min_length=1, max_length=300, help_text="E.g. 'Audited annual accounts 2025'."
    )


class TurnoverOut(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    scope = serializers.ChoiceField(choices=SCOPES)
    source = serializers.CharField()  # type: ignore[assignment]  # as in TurnoverIn
    declared_at = serializers.DateTimeField()


class DesignationOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DesignationKind.choices)
    basis = serializers.ChoiceField(choices=PlatformDesignation.Basis.choices)
    user_count = serializers.IntegerField(allow_null=True)
    user_count_as_of = serializers.DateField(allow_null=True)
    decision_reference = serializers.CharField()
    effective_from = serializers.DateField()
    ended_at = serializers.DateTimeField(allow_null=True, help_text="Empty while in force.")
    end_reason = serializers.CharField()


class Turnovers(APIView):
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="platform_turnover_list",
        description="Your turnover declarations, newest first. Fines set as a share of "
        "turnover are computed from the one of the latest period (the latest declared for it).",
        parameters=[PageQuery],
        responses={
            200: page_of("TurnoverPage", TurnoverOut(many=True), "turnover declarations"),
            **PROBLEMS,
        },
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            PlatformTurnover.objects.filter(platform=platform_of(request)),
            lambda found: TurnoverOut(found, many=True).data,
        )

    @extend_schema(
        operation_id="platform_turnover_declare",
        description="Declare your turnover for a period. A correction is a new declaration; "
        "earlier ones stay on record.",
        request=TurnoverIn,
        examples=[
            OpenApiExample(
                "A year's accounts",
                request_only=True,
                value={
                    "amount": "1250000000.00",
                    "currency": "EUR",
                    "period_start": "2025-01-01",
                    "period_end": "2025-12-31",
                    "scope": "worldwide",
                    "source": "Audited annual accounts 2025",
                },
            )
        ],
        responses={201: TurnoverOut, **PROBLEMS},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = TurnoverIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        made = standing.turnover_declare(
            actor=actor_of(request), platform=platform_of(request), **values
        )
        return Response(TurnoverOut(made).data, status=201)


class Designations(APIView):
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="platform_designations_list",
        description="Your designations, in force and ended, newest first, each with its "
        "basis (user counts with their date, or a decision).",
        parameters=[PageQuery],
        responses={
            200: page_of("DesignationPage", DesignationOut(many=True), "designations"),
            **PROBLEMS,
        },
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            PlatformDesignation.objects.filter(platform=platform_of(request)),
            lambda found: DesignationOut(found, many=True).data,
        )
