"""Portal endpoints for the platform's own record: read it, declare changes, set the webhook."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.delivery.models import WebhookDelivery
from compliance.delivery.webhooks import PingRefused, webhook_ping
from portal.auth import actor_of, platform_of
from portal.idempotency import idempotent
from portal.pagination import PageQuery, page, page_of, query_checked
from portal.serializers import (
    MAX_ID,
    PROBLEMS,
    Boolean,
    Integer,
    StrictSerializer,
    Text,
    Url,
)
from registry import changes, services
from registry.changes import MAX_CONTACTS, MAX_DOMAINS
from registry.models import Platform, RegistrationChange, RegistrationStatus, Sector


class ContactOut(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()


class PlatformOut(serializers.ModelSerializer):
    domains: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="domain"
    )
    contacts = ContactOut(many=True, read_only=True)
    status = serializers.ChoiceField(choices=RegistrationStatus.choices)

    class Meta:
        model = Platform
        fields = [
            "name",
            "legal_name",
            "sector",
            "business_model",
            "is_ugc",
            "is_foreign",
            "country",
            "leadership",
            "incorporation_number",
            "incorporation_date",
            "user_count",
            "personal_data_processed",
            "data_location",
            "status",
            "registration_number",
            "registered_at",
            "times_blocked",
            "domains",
            "contacts",
        ]
        # An answer, never an input: every field is always there (required in the schema).
        read_only_fields = fields


class PlatformRecord(APIView):
    @extend_schema(
        operation_id="platform_retrieve",
        description=(
            "Your registration record as the regulator holds it: status, number, domains "
            "and contacts."
        ),
        responses={200: PlatformOut, **PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        platform = Platform.objects.prefetch_related("domains", "contacts").get(
            pk=platform_of(request).pk
        )
        return Response(PlatformOut(platform).data)


class ContactIn(StrictSerializer):
    """A contact person in Indonesia; notices and letters are addressed to them."""

    name = Text(max_length=200, min_length=1)
    role = Text(max_length=200, min_length=1)
    email = Text(max_length=254, min_length=3)
    phone = Text(max_length=32, min_length=6, help_text="E.g. +62 21 555 0100.")


class RecordIn(StrictSerializer):
    """The corrected registration record: only the fields given change. `domains` and
    `contacts`, when given, replace the whole list."""

    name = Text(max_length=200, min_length=1, required=False)
    legal_name = Text(max_length=200, min_length=1, required=False)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
    business_model = Text(max_length=5000, required=False)
    is_ugc = Boolean(required=False, help_text="Users can upload content (fines apply).")
    country = Text(
        max_length=2, required=False, help_text="Country of incorporation, ISO 3166-1 alpha-2."
    )
    leadership = Text(max_length=5000, required=False)
    incorporation_number = Text(max_length=100, required=False)
    incorporation_date = serializers.DateField(required=False)
    user_count = Integer(min_value=0, max_value=MAX_ID, required=False)
    personal_data_processed = Text(max_length=5000, required=False)
    data_location = Text(max_length=200, required=False)
    domains = serializers.ListField(
        child=Text(max_length=253, min_length=1), max_length=MAX_DOMAINS, required=False
    )
    contacts = serializers.ListField(child=ContactIn(), max_length=MAX_CONTACTS, required=False)


class ChangeIn(StrictSerializer):
    """A change of your registration data, and the corrected record if you have it now."""

    description = Text(
        max_length=5000, min_length=1, help_text="What changed in your registration data."
    )
    record = RecordIn(
        required=False,
        help_text="The corrected record, if you have it now; otherwise submit it later with "
        "`POST platform/changes/{change_id}/record/` before the correction period ends.",
    )


class SubmitIn(StrictSerializer):
    """The corrected registration record of a change."""

    record = RecordIn()


class ChangeOut(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    status = serializers.ChoiceField(
        choices=RegistrationChange.Status.choices,
        help_text="`awaiting_data`: send the corrected record. `submitted`: an officer reviews "
        "it; the correction period is stopped. `more_requested`: read `officer_reason` and send "
        "a new record; the period runs again. `accepted`: the record is registered.",
    )
    record = serializers.DictField(help_text="The corrected record as last submitted.")
    declared_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submissions = serializers.IntegerField()
    decided_at = serializers.DateTimeField(allow_null=True)
    officer_reason = serializers.CharField(help_text="Why more was asked for, or a note.")
    correct_by = serializers.DateTimeField(
        allow_null=True,
        source="platform.fault_due_at",
        help_text="When the correction period ends, while it runs; null while stopped.",
    )
    platform_status = serializers.ChoiceField(
        choices=RegistrationStatus.choices, source="platform.status"
    )


def _record_data(data: dict[str, Any]) -> dict[str, Any]:
    """The validated record as JSON values (the date as ISO text, contacts as plain dicts)."""
    record = dict(data)
    if "incorporation_date" in record:
        record["incorporation_date"] = record["incorporation_date"].isoformat()
    if "contacts" in record:
        record["contacts"] = [dict(contact) for contact in record["contacts"]]
    return record


def _change(request: Request, change_id: int) -> RegistrationChange:
    return get_object_or_404(
        RegistrationChange.objects.select_related("platform"),
        pk=change_id,
        platform=platform_of(request),
    )


class Changes(APIView):
    open_to_revoked = {"GET"}  # it may read its changes, not declare new ones
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="platform_changes_list",
        description="Your registration changes, newest first.",
        parameters=[PageQuery],
        responses={
            200: page_of("ChangePage", ChangeOut(many=True), "registration changes"),
            **PROBLEMS,
        },
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            RegistrationChange.objects.filter(platform=platform_of(request)).select_related(
                "platform"
            ),
            lambda found: ChangeOut(found, many=True).data,
        )

    @extend_schema(
        operation_id="platform_changes_create",
        request=ChangeIn,
        examples=[
            OpenApiExample(
                "A move, with the corrected record",
                request_only=True,
                value={
                    "description": "Our data moved to Batam.",
                    "record": {
                        "data_location": "Batam, Indonesia",
                        "contacts": [
                            {
                                "name": "Dewi Lestari",
                                "role": "Head of Legal",
                                "email": "legal@kilatvideo.example",
                                "phone": "+62 21 555 0199",
                            }
                        ],
                    },
                },
            )
        ],
        responses={201: ChangeOut, **PROBLEMS},
        description="Declare a change of your registration data (MR5 Art. 5). Your status "
        "becomes `update_required` and the correction period starts; it stops when you submit "
        "the corrected record, here in `record` or later. One change is open at a time (409).",
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = ChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        record = data.validated_data.get("record")
        change = changes.registration_change_declare(
            platform=platform_of(request),
            actor=actor_of(request),
            description=data.validated_data["description"],
            record=_record_data(record) if record is not None else None,
        )
        return Response(ChangeOut(_change(request, change.pk)).data, status=201)


class Change(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="platform_changes_retrieve",
        description=(
            "One of your registration changes: its status, the record you submitted and the "
            "officer's reason."
        ),
        responses={200: ChangeOut, **PROBLEMS},
    )
    def get(self, request: Request, change_id: int) -> Response:
        return Response(ChangeOut(_change(request, change_id)).data)


class ChangeRecord(APIView):
    @extend_schema(
        operation_id="platform_changes_record_create",
        request=SubmitIn,
        responses={200: ChangeOut, **PROBLEMS},
        description="Submit the corrected record of a change waiting for it (`awaiting_data` "
        "or `more_requested`); the correction period stops until an officer decides.",
    )
    @idempotent
    def post(self, request: Request, change_id: int) -> Response:
        change = _change(request, change_id)
        data = SubmitIn(data=request.data)
        data.is_valid(raise_exception=True)
        changes.registration_change_submit(
            change=change,
            actor=actor_of(request),
            record=_record_data(data.validated_data["record"]),
        )
        return Response(ChangeOut(_change(request, change_id)).data)


class WebhookIn(StrictSerializer):
    """Where your events should go: an https URL at a public address."""

    url = Url(max_length=500)


class Webhook(APIView):
    @extend_schema(
        operation_id="webhook_update",
        request=WebhookIn,
        responses={
            200: inline_serializer(
                "WebhookOut",
                {
                    "url": serializers.URLField(),
                    "secret": serializers.CharField(help_text="whsec_...: shown once; store it."),
                },
            ),
            **PROBLEMS,
        },
        description="Set where events are sent; every call rotates the signing secret.",
    )
    def put(self, request: Request) -> Response:
        data = WebhookIn(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = services.webhook_endpoint_set(
            platform=platform_of(request), actor=actor_of(request), url=data.validated_data["url"]
        )
        return Response({"url": endpoint.url, "secret": secret})


class PingOut(serializers.Serializer):
    msg_id = serializers.CharField(help_text="The `webhook-id` of the ping.")
    delivered = serializers.BooleanField(help_text="Your receiver answered 2xx.")
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(help_text="Why it was not delivered; empty if it was.")
    duration_ms = serializers.IntegerField()


class WebhookTest(APIView):
    @extend_schema(
        operation_id="webhook_test",
        request=None,
        description="Send a signed `webhook.ping` event to your webhook now and report your "
        "receiver's answer; nothing is queued or retried. At most 10 a minute.",
        responses={200: PingOut, **PROBLEMS},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        try:
            msg_id, outcome = webhook_ping(platform=platform_of(request), actor=actor_of(request))
        except PingRefused as refused:
            raise exceptions.Throttled(wait=refused.retry_after) from None
        return Response(
            PingOut(
                {
                    "msg_id": msg_id,
                    "delivered": outcome.ok,
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "duration_ms": outcome.duration_ms,
                }
            ).data
        )


class AttemptOut(serializers.Serializer):
    attempted_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    duration_ms = serializers.IntegerField()


class DeliveryOut(serializers.Serializer):
    msg_id = serializers.CharField()
    event = serializers.CharField()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(help_text="When it is tried again if not sent.")
    attempts = AttemptOut(many=True, source="log.all")


class WebhookDeliveries(APIView):
    open_to_revoked = True
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="webhook_deliveries_list",
        description="Your events, newest first, each with every attempt to deliver it "
        "(status code, error, time taken).",
        parameters=[PageQuery],
        responses={
            200: page_of(
                "DeliveryPage",
                DeliveryOut(many=True),
                "webhook events with their delivery attempts",
            ),
            **PROBLEMS,
        },
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            WebhookDelivery.objects.filter(platform=platform_of(request)).prefetch_related("log"),
            lambda found: DeliveryOut(found, many=True).data,
        )
