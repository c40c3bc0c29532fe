"""Portal endpoints for fines and normalization requests."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.kernel.decisions import decision_checkpoint_latest
from compliance.kernel.keys import public_key
from compliance.sanctions import services as sanctions
from compliance.sanctions.models import CommitmentKind, Fine
from notices.selectors import FINE_FIELDS, fine_row
from portal.auth import actor_of, platform_of
from portal.idempotency import idempotent
from portal.orders import FineOut
from portal.serializers import PROBLEMS, StrictSerializer, Text


class FineList(APIView):
    open_to_revoked = True

    @extend_schema(operation_id="fines_list", responses={200: FineOut(many=True), **PROBLEMS})
    def get(self, request: Request) -> Response:
        rows = Fine.objects.filter(platform=platform_of(request)).values(*FINE_FIELDS)
        return Response([fine_row(row) for row in rows])


class PaymentIn(StrictSerializer):
    payment_reference = Text(max_length=100)


class FinePayment(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="fines_payment_create",
        request=PaymentIn,
        responses={200: FineOut, **PROBLEMS},
        description="Declare a payment; an officer confirms it.",
    )
    @idempotent
    def post(self, request: Request, fine_id: int) -> Response:
        fine = get_object_or_404(Fine, pk=fine_id, platform=platform_of(request))
        data = PaymentIn(data=request.data)
        data.is_valid(raise_exception=True)
        fine = sanctions.fine_declare_payment(
            fine=fine,
            actor=actor_of(request),
            payment_reference=data.validated_data["payment_reference"],
        )
        return Response(fine_row(Fine.objects.filter(pk=fine.pk).values(*FINE_FIELDS).get()))


class CommitmentIn(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=CommitmentKind.choices,
        help_text="technical_safeguards, feature_restriction, policy_enforcement, "
        "incident_response or other.",
    )
    text = Text(max_length=2000)


class NormalizationIn(StrictSerializer):
    statement = Text(max_length=10000)
    commitments = serializers.ListField(
        child=CommitmentIn(),
        required=False,
        max_length=20,
        help_text="The operator's written commitments; required where the policy says so and "
        "after a direct block (MR5 Art. 9).",
    )


class NormalizationRequestCreate(APIView):
    @extend_schema(
        operation_id="normalization_requests_create",
        request=NormalizationIn,
        responses={
            201: inline_serializer(
                "NormalizationOut",
                {
                    "id": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "decide_by": serializers.DateTimeField(),
                    "commitments": CommitmentIn(many=True),
                },
            ),
            **PROBLEMS,
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = NormalizationIn(data=request.data)
        data.is_valid(raise_exception=True)
        created = sanctions.normalization_request_file(
            platform=platform_of(request),
            actor=actor_of(request),
            statement=data.validated_data["statement"],
            commitments=data.validated_data.get("commitments", []),
        )
        body = {
            "id": created.pk,
            "status": created.status,
            "decide_by": created.decide_by,
            "commitments": created.commitments,
        }
        return Response(body, status=201)


class CheckpointOut(serializers.Serializer):
    seq = serializers.IntegerField(help_text="Records in the chain when it was signed.")
    hash = serializers.CharField(help_text="SHA-256 of the last of them.")
    created_at = serializers.CharField(help_text="When it was signed (ISO 8601, as signed).")
    key_id = serializers.CharField()
    signature = serializers.CharField(help_text="Ed25519, base64.")


class CheckpointStateOut(serializers.Serializer):
    latest = CheckpointOut(allow_null=True)
    public_key = serializers.CharField(help_text="Ed25519 public key, base64.")
    key_id = serializers.CharField()


class DecisionCheckpoint(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="checkpoint_retrieve",
        responses={200: CheckpointStateOut, **PROBLEMS},
        description="The decision record's latest signed checkpoint and the key to check it "
        "with (also on every webhook and letter, and at /verify/checkpoints/).",
    )
    def get(self, request: Request) -> Response:
        key_id, key = public_key()
        return Response(
            {"latest": decision_checkpoint_latest(), "public_key": key, "key_id": key_id}
        )
