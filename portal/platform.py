"""Portal endpoints for the platform's own record: read it, declare changes, set the webhook."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.delivery.models import WebhookDelivery
from compliance.delivery.webhooks import PingRefused, webhook_ping
from portal.auth import actor_of, platform_of
from portal.idempotency import idempotent
from portal.serializers import PROBLEMS, StrictSerializer, Text, Url
from registry import services
from registry.models import Platform, RegistrationStatus

DELIVERIES_SHOWN = 100


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


class PlatformRecord(APIView):
    @extend_schema(operation_id="platform_retrieve", responses={200: PlatformOut, **PROBLEMS})
    def get(self, request: Request) -> Response:
        platform = Platform.objects.prefetch_related("domains", "contacts").get(
            pk=platform_of(request).pk
        )
        return Response(PlatformOut(platform).data)


class ChangeIn(StrictSerializer):
    description = Text(
        max_length=5000, help_text="What changed in the registration data (MR5 Art. 5)."
    )


class DeclareChange(APIView):
    @extend_schema(
        operation_id="platform_changes_create",
        request=ChangeIn,
        responses={200: PlatformOut, **PROBLEMS},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = ChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        platform = services.platform_require_update(
            platform=platform_of(request),
            actor=actor_of(request),
            reason=data.validated_data["description"],
        )
        return Response(PlatformOut(platform).data)


class WebhookIn(StrictSerializer):
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

    @extend_schema(
        operation_id="webhook_deliveries_list",
        description=f"Your latest {DELIVERIES_SHOWN} events, newest first, each with every "
        "attempt to deliver it (status code, error, time taken).",
        responses={200: DeliveryOut(many=True), **PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        deliveries = WebhookDelivery.objects.filter(platform=platform_of(request)).prefetch_related(
            "log"
        )[:DELIVERIES_SHOWN]
        return Response(DeliveryOut(deliveries, many=True).data)
