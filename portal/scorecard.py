"""The platform's own scorecard: its published figures beside the median platform, and its
gender safety index, per period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.auth import platform_of
from portal.serializers import PROBLEMS
from transparency import selectors
from transparency.metrics import Unit


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class FigureOut(serializers.Serializer):
    metric = serializers.CharField(help_text="The metric's code (docs/transparency.md).")
    name = serializers.CharField(help_text="What the figure counts, in words.")
    unit = serializers.ChoiceField(
        choices=[
            (Unit.COUNT.value, "A number of things (orders, items, letters)"),
            (Unit.IDR.value, "Rupiah"),
            (Unit.HOURS.value, "Hours"),
            (Unit.SHARE.value, "A share from 0 to 1"),
        ]
    )
    value = serializers.CharField(
        allow_null=True,
        help_text="This platform's figure as an exact decimal; null where nothing was measured. "
        "Your own small counts are shown here; the public pages say 'fewer than 5'.",
    )
    withheld_publicly = serializers.BooleanField()
    median = serializers.CharField(
        allow_null=True, help_text="The median of every platform's published figure."
    )
    platforms = serializers.IntegerField(help_text="How many platforms the median is of.")


class ComponentOut(serializers.Serializer):
    code = serializers.CharField()
    weight = serializers.CharField()
    value = serializers.CharField(help_text="Empty when not measured.")
    normalized = serializers.CharField(help_text="0 to 1; empty when not measured.")


class IndexOut(serializers.Serializer):
    score = serializers.CharField()
    coverage = serializers.CharField(help_text="The share of the weights measured.")
    methodology_version = serializers.IntegerField()
    final = serializers.BooleanField()
    components = ComponentOut(many=True)


class ScorecardOut(serializers.Serializer):
    period = serializers.CharField(help_text="2026-10, 2026-Q4 or 2026.")
    final = serializers.BooleanField(help_text="False while the period is running.")
    figures = FigureOut(many=True)
    safety_index = IndexOut(allow_null=True)


class Scorecard(APIView):
    problems = (404,)  # nothing published yet
    # Its record stays readable after a revocation, as its orders and fines do.
    open_to_revoked = True

    @extend_schema(
        operation_id="platform_scorecard",
        description=(
            "Your published figures for a period (the latest published month unless "
            "`period` is given), beside the median of all platforms, and your compliance "
            "index."
        ),
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                description="A month (2026-10), quarter (2026-Q4) or year (2026); the latest "
                "final month if left out.",
                pattern=r"^20[0-9]{2}(-(0[1-9]|1[0-2]|Q[1-4]))?$",
            )
        ],
        responses={200: ScorecardOut, **PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        platform = platform_of(request)
        try:
            period, publication = selectors.period_published(key=request.query_params.get("period"))
        except ValueError as error:
            raise serializers.ValidationError({"period": [str(error)]}) from error
        except selectors.UnknownPeriod as error:
            raise exceptions.NotFound(str(error)) from error
        lines = selectors.scorecard(platform=platform, period=period)
        score = selectors.safety_score_of(platform=platform, period=period)
        body: dict[str, Any] = {
            "period": period.key,
            "final": publication.final,
            "figures": [
                {
                    "metric": line.metric.code,
                    "name": line.metric.label,
                    "unit": line.metric.unit.value,
                    "value": _plain(line.own.value),
                    "withheld_publicly": line.own.hidden,
                    "median": _plain(line.median),
                    "platforms": line.platforms,
                }
                for line in lines
            ],
            "safety_index": None
            if score is None
            else {
                "score": _plain(score.score),
                "coverage": _plain(score.coverage),
                "methodology_version": score.methodology.version,
                "final": score.final,
                "components": score.components,
            },
        }
        return Response(ScorecardOut(body).data)
