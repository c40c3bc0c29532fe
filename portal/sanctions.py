"""Portal endpoints for fines and normalization requests."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.kernel.decisions import decision_checkpoint_latest
from compliance.kernel.keys import public_key
from compliance.sanctions import services as sanctions
from compliance.sanctions.models import (
    CommitmentKind,
    Fine,
    FineStatus,
    NormalizationRequest,
    NormalizationVerification,
    PaymentDeclaration,
)
from notices.selectors import FINE_FIELDS, fine_row
from portal.auth import actor_of, platform_of
from portal.idempotency import idempotent
from portal.orders import FineOut
from portal.pagination import PageQuery, page, page_of, query_checked
from portal.serializers import PROBLEMS, StrictSerializer, Text


class FineQuery(PageQuery):
    status = serializers.ChoiceField(
        choices=FineStatus.choices, required=False, help_text="Only fines in this state."
    )


class FineList(APIView):
    open_to_revoked = True
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="fines_list",
        description="Fines assessed on your platform, newest first.",
        parameters=[FineQuery],
        responses={200: page_of("FinePage", FineOut(many=True), "fines"), **PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        query = query_checked(request, FineQuery)
        rows = Fine.objects.filter(platform=platform_of(request))
        if "status" in query:
            rows = rows.filter(status=query["status"])
        return page(
            request, self, rows.values(*FINE_FIELDS), lambda found: [fine_row(r) for r in found]
        )


class PaymentDeclarationOut(serializers.Serializer):
    reference = serializers.CharField()
    declared_at = serializers.DateTimeField()
    status = serializers.ChoiceField(
        choices=PaymentDeclaration.Status.choices,
        help_text="pending until an officer confirms; superseded by a later declaration.",
    )


class FinePayments(APIView):
    open_to_revoked = True
    problems = (422,)

    @extend_schema(
        operation_id="fines_payments_list",
        description="Every payment you declared for this fine, newest first.",
        parameters=[PageQuery],
        responses={
            200: page_of(
                "PaymentDeclarationPage", PaymentDeclarationOut(many=True), "payment declarations"
            ),
            **PROBLEMS,
        },
    )
    def get(self, request: Request, fine_id: int) -> Response:
        query_checked(request)
        fine = get_object_or_404(Fine, pk=fine_id, platform=platform_of(request))
        return page(
            request,
            self,
            fine.declarations.all(),
            lambda found: PaymentDeclarationOut(found, many=True).data,
        )


class PaymentIn(StrictSerializer):
    """The reference of the payment you made (a transfer number, say)."""

    payment_reference = Text(max_length=100)


class FinePayment(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="fines_payment_create",
        request=PaymentIn,
        examples=[
            OpenApiExample(
                "A bank transfer", request_only=True, value={"payment_reference": "TRX-2026-0077"}
            )
        ],
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
    """A written commitment of the operator, one of the kinds the policy names."""

    kind = serializers.ChoiceField(
        choices=CommitmentKind.choices,
        help_text="technical_safeguards, feature_restriction, policy_enforcement, "
        "incident_response or other.",
    )
    text = Text(max_length=2000)


class NormalizationIn(StrictSerializer):
    """Your request to restore access: a statement, and commitments where required."""

    statement = Text(max_length=10000)
    commitments = serializers.ListField(
        child=CommitmentIn(),
        required=False,
        max_length=20,
        help_text="The operator's written commitments; required where the policy says so and "
        "after a direct block (MR5 Art. 9).",
    )


class ConditionOut(serializers.Serializer):
    text = serializers.CharField()


class VerificationOut(serializers.Serializer):
    checked_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=NormalizationVerification.Outcome.choices)
    condition = serializers.IntegerField(
        allow_null=True, help_text="The breached condition's number (from 1)."
    )
    reblock = serializers.CharField(
        allow_null=True, help_text="The number of the block proposed for the breach."
    )


class NormalizationRequestOut(serializers.Serializer):
    id = serializers.IntegerField()
    block = serializers.CharField(help_text="The number of the block it would end.")
    status = serializers.ChoiceField(choices=NormalizationRequest.Status.choices)
    statement = serializers.CharField()
    commitments = CommitmentIn(many=True)
    decide_by = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    conditions = ConditionOut(
        many=True, help_text="What a conditional grant made access depend on."
    )
    verify_until = serializers.DateTimeField(
        allow_null=True, help_text="Until when the conditions are verified."
    )
    verifications = VerificationOut(many=True)


def _normalization_row(request: NormalizationRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "block": request.block.number,
        "status": request.status,
        "statement": request.statement,
        "commitments": request.commitments,
        "decide_by": request.decide_by,
        "decided_at": request.decided_at,
        "decision_reason": request.decision_reason,
        "conditions": request.conditions,
        "verify_until": request.verify_until,
        "verifications": [
            {
                "checked_at": v.checked_at,
                "outcome": v.outcome,
                "condition": v.condition,
                "reblock": v.reblock.number if v.reblock else None,
            }
            for v in request.verifications.all()
        ],
    }


def _normalizations(platform: Any) -> Any:
    return (
        NormalizationRequest.objects.filter(platform=platform)
        .select_related("block")
        .prefetch_related("verifications__reblock")
        .order_by("-proposed_at")
    )


class NormalizationRequestDetail(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="normalization_requests_retrieve",
        description=(
            "One of your normalization requests: its status, the decision and its reason, "
            "any conditions of a conditional grant and the checks made of them."
        ),
        responses={200: NormalizationRequestOut, **PROBLEMS},
    )
    def get(self, request: Request, request_id: int) -> Response:
        found = _normalizations(platform_of(request)).filter(pk=request_id).first()
        if found is None:
            raise exceptions.NotFound("No such normalization request of yours.")
        return Response(NormalizationRequestOut(_normalization_row(found)).data)


class NormalizationRequestCreate(APIView):
    @extend_schema(
        operation_id="normalization_requests_list",
        responses={200: NormalizationRequestOut(many=True), **PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        """The platform's normalization requests, newest first, with their commitments, the
        decision, a conditional grant's conditions and the verifications recorded."""
        rows = [_normalization_row(r) for r in _normalizations(platform_of(request))]
        return Response(NormalizationRequestOut(rows, many=True).data)

    @extend_schema(
        operation_id="normalization_requests_create",
        description=(
            "Ask for access to be restored once you have cured the cause of a block in "
            "force (MR5 Art. 18-19): a statement, and the written commitments the policy "
            "requires. Supervisors decide within two working days."
        ),
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
