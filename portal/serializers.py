"""Serializers shared by the portal: strict input, and the shapes of responses for the schema."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Input serializer that refuses fields it does not know (a typo must not pass silently)."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


# JSON bodies take exactly the types the schema names: DRF would read 0 as the string "0" and
# "5" as the number 5, accepting bodies the schema calls invalid.


class Text(serializers.CharField):
    """A JSON string. Surrounding blanks are kept: a reason of only spaces is the service's
    to refuse (422), since the schema cannot say "not blank" beyond a minimum length."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Url(Text):
    """An http(s) URL, as far as a pattern can say: whether it may be used is the service's
    rule to judge (422), since no schema format agrees with every URL parser."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "validators", [RegexValidator(r"^https?://[^\u0000-\u0020]+$", "Enter an http(s) URL.")]
        )
        super().__init__(**kwargs)


AMOUNT_PATTERN = r"^[0-9]{1,18}(\.[0-9]{1,2})?$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": AMOUNT_PATTERN,
        "description": "An exact amount as a string, at most two decimals.",
        "examples": ["1250000000.00"],
    }
)
class Amount(serializers.Field):
    """An exact amount, as a JSON string of digits with at most two decimals (a number would
    pass through binary floating point on its way)."""

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not re.fullmatch(AMOUNT_PATTERN, data):
            raise serializers.ValidationError(
                "An amount as a string of digits, at most two decimals."
            )
        return Decimal(data)

    def to_representation(self, value: Decimal) -> str:
        return f"{value:.2f}"


class Integer(serializers.IntegerField):
    """A JSON integer. 85.0 is one too (JSON Schema 2020-12, which OpenAPI 3.1 uses, says so);
    85.5, "85" and true are not."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class Boolean(serializers.BooleanField):
    """A JSON true or false; DRF alone would take "yes", 1 and "on"."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class Moment(serializers.DateTimeField):
    """An ISO 8601 date-time. One whose offset carries it outside Python's years 1-9999 (valid
    as a schema date-time: `9999-12-31T23:59:59-01:00`) is taken as the earliest or latest
    moment there is, so the service's own rule refuses it (a 422: "in the future", "before
    the order was issued") instead of a 400 for input the schema allows."""

    def enforce_timezone(self, value: datetime) -> datetime:
        try:
            return super().enforce_timezone(value)
        except serializers.ValidationError:
            edge = datetime.min if value.year == datetime.min.year else datetime.max
            return edge.replace(tzinfo=UTC)


# Database ids are 64-bit; a larger number is refused here rather than overflowing a query.
MAX_ID = 2**63 - 1


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return Integer(min_value=1, max_value=MAX_ID, **kwargs)


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Dotted path of the field; empty for the whole body.")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error is returned (application/problem+json)."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    # A field named like Serializer.errors: DRF's metaclass takes it off the class body.
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]
    current_state = serializers.CharField(
        required=False, help_text="On 409: the state the object is in."
    )


# Errors are documented with the media type they are sent with (RFC 9457).
PROBLEMS = {
    (status, "application/problem+json"): ProblemSerializer
    for status in (400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429)
}
