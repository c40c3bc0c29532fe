"""The agency routes: takedown requests sent and followed to their orders' outcome."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import services
from agencies.models import Referral, TakedownRequest
from agencies.selectors import referral_row, referrals_of, takedown_requests_of, takedown_row
from compliance.kernel.actors import Actor
from fingerprints.services import HashInput
from notices.models import ItemStatus, OrderStatus
from portal.auth import AgencyKeyAuthentication, IsAgency, agency_of
from portal.idempotency import idempotent
from portal.pagination import PageQuery, page, page_of, query_checked
from portal.serializers import PROBLEMS, StrictSerializer, Text, Url


class TakedownHashIn(StrictSerializer):
    hash_type = serializers.ChoiceField(choices=[t.value for t in services.REQUEST_HASH_TYPES])
    value = Text(max_length=64, min_length=1, help_text="Hexadecimal.")


class TakedownIn(StrictSerializer):
    """A takedown request: the URLs, their category and the rule it rests on."""

    category = Text(max_length=50, min_length=1, help_text="A content category's code.")
    legal_basis = Text(max_length=300, min_length=1, help_text="E.g. 'MR5 Art. 14(1)'.")
    description = Text(max_length=5000, required=False)
    urls = serializers.ListField(
        child=Url(max_length=2000), required=False, default=list, max_length=services.MAX_URLS
    )
    hashes = serializers.ListField(
        child=TakedownHashIn(),
        required=False,
        default=list,
        max_length=services.MAX_HASHES,
        help_text="Fingerprints of the content, when you send hashes only (no file). A request "
        "names URLs, hashes or both.",
    )


class RequestEvidenceIn(StrictSerializer):
    """An evidence file, as multipart/form-data."""

    file = serializers.FileField(help_text="The capture; its type is read from its bytes.")


class TakedownItemOut(serializers.Serializer):
    url = serializers.CharField()
    platform = serializers.CharField(allow_null=True, help_text="The platform serving it.")
    already_ordered = serializers.BooleanField(
        help_text="An open order held this URL when your request came in: it is linked to "
        "that order, not ordered twice."
    )
    order = serializers.CharField(allow_null=True, help_text="The order carrying it, if any.")
    order_status = serializers.ChoiceField(choices=OrderStatus.choices, allow_null=True)
    item_status = serializers.ChoiceField(choices=ItemStatus.choices, allow_null=True)


class TakedownHashOut(serializers.Serializer):
    hash_type = serializers.CharField()
    value = serializers.CharField()
    evidence_file = serializers.BooleanField(help_text="From an evidence file you attached.")
    already_ordered = serializers.BooleanField(
        help_text="An open order's evidence had this fingerprint when your request came in."
    )
    order = serializers.CharField(allow_null=True, help_text="The order carrying it, if any.")
    order_status = serializers.ChoiceField(choices=OrderStatus.choices, allow_null=True)


class TakedownOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TakedownRequest.Status.choices)
    category = serializers.CharField()
    legal_basis = serializers.CharField()
    description = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    triaged_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField(help_text="Why it was declined; empty otherwise.")
    items = TakedownItemOut(many=True)
    hashes = TakedownHashOut(many=True)


class AgencyView(APIView):
    authentication_classes = [AgencyKeyAuthentication]
    permission_classes = [IsAgency]
    open_to_revoked = True  # a platform's registration says nothing about an agency


class TakedownRequests(AgencyView):
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="agency_requests_list",
        description="Your agency's takedown requests, newest first, each URL with the order "
        "that carries it and how far it got.",
        parameters=[PageQuery],
        responses={
            200: page_of("TakedownPage", TakedownOut(many=True), "takedown requests"),
            **PROBLEMS,
        },
        tags=["agency"],
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            takedown_requests_of(agency_id=agency_of(request).pk),
            lambda found: TakedownOut([takedown_row(r) for r in found], many=True).data,
        )

    @extend_schema(
        operation_id="agency_requests_create",
        description="Ask the regulator to order content taken down (MR5 Art. 14): its URLs, "
        "its fingerprints (hashes only), or both. Each URL must be on a platform in the "
        "registry; a URL or fingerprint an open order holds already is linked to it. The same "
        "URLs and fingerprints while an earlier request waits for triage are a duplicate (409).",
        request=TakedownIn,
        responses={201: TakedownOut, **PROBLEMS},
        tags=["agency"],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = TakedownIn(data=request.data)
        data.is_valid(raise_exception=True)
        agency = agency_of(request)
        made = services.takedown_request_submit(
            agency=agency,
            actor=Actor.of_agency(agency.pk),
            category=data.validated_data["category"],
            legal_basis=data.validated_data["legal_basis"],
            description=data.validated_data.get("description", ""),
            urls=data.validated_data["urls"],
            hashes=[HashInput(h["hash_type"], h["value"]) for h in data.validated_data["hashes"]],
        )
        row = takedown_row(takedown_requests_of(agency_id=agency.pk).get(pk=made.pk))
        return Response(TakedownOut(row).data, status=201)


class TakedownRequestDetail(AgencyView):
    @extend_schema(
        operation_id="agency_requests_retrieve",
        description="One of your agency's requests; another agency's is not found.",
        responses={200: TakedownOut, **PROBLEMS},
        tags=["agency"],
    )
    def get(self, request: Request, takedown_id: int) -> Response:
        found = takedown_requests_of(agency_id=agency_of(request).pk).filter(pk=takedown_id).first()
        if found is None:
            raise Http404
        return Response(TakedownOut(takedown_row(found)).data)


class RequestEvidence(AgencyView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="agency_requests_evidence_create",
        description="Attach an evidence file (a capture: PNG, JPEG, GIF, WebP, PDF, MP4 or "
        "WebM) to a request waiting for triage. Its SHA-256 links the request to an open "
        "order with the same evidence; triage copies it to the orders it makes.",
        request={"multipart/form-data": RequestEvidenceIn},
        responses={201: TakedownOut, **PROBLEMS},
        tags=["agency"],
    )
    @idempotent
    def post(self, request: Request, takedown_id: int) -> Response:
        agency = agency_of(request)
        found = takedown_requests_of(agency_id=agency.pk).filter(pk=takedown_id).first()
        if found is None:
            raise Http404
        data = RequestEvidenceIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.takedown_request_evidence_add(
            request=found, actor=Actor.of_agency(agency.pk), file=data.validated_data["file"]
        )
        row = takedown_row(takedown_requests_of(agency_id=agency.pk).get(pk=found.pk))
        return Response(TakedownOut(row).data, status=201)


class ReferralOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    order = serializers.CharField(help_text="The order whose case was referred.")
    platform = serializers.CharField()
    category = serializers.CharField()
    urls = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    referred_at = serializers.DateTimeField()
    acknowledge_by = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_late = serializers.BooleanField(
        help_text="Acknowledged after `acknowledge_by`, or not yet and it passed; counted in "
        "your agency's statistics."
    )
    outcome = serializers.CharField(help_text="How the case ended; empty until reported.")
    outcome_at = serializers.DateTimeField(allow_null=True)


class OutcomeIn(StrictSerializer):
    """How the referred case ended (charges brought, content preserved, closed, ...)."""

    outcome = Text(max_length=5000, min_length=1)


def _referral(request: Request, referral_id: int) -> Referral:
    found = referrals_of(agency_id=agency_of(request).pk).filter(pk=referral_id).first()
    if found is None:
        raise Http404
    return found


def _referral_out(request: Request, referral_id: int) -> Response:
    row = referral_row(_referral(request, referral_id), now=timezone.now())
    return Response(ReferralOut(row).data)


class Referrals(AgencyView):
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="agency_referrals_list",
        description="Cases the regulator referred to your agency, newest first.",
        parameters=[PageQuery],
        responses={200: page_of("ReferralPage", ReferralOut(many=True), "referrals"), **PROBLEMS},
        tags=["agency"],
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        now = timezone.now()
        return page(
            request,
            self,
            referrals_of(agency_id=agency_of(request).pk),
            lambda found: ReferralOut([referral_row(r, now=now) for r in found], many=True).data,
        )


class ReferralDetail(AgencyView):
    @extend_schema(
        operation_id="agency_referrals_retrieve",
        description="One referral to your agency; another agency's is not found.",
        responses={200: ReferralOut, **PROBLEMS},
        tags=["agency"],
    )
    def get(self, request: Request, referral_id: int) -> Response:
        return _referral_out(request, referral_id)


class ReferralAcknowledge(AgencyView):
    @extend_schema(
        operation_id="agency_referrals_acknowledge",
        description="Say your agency took the case; after `acknowledge_by` it counts as late.",
        request=None,
        responses={200: ReferralOut, **PROBLEMS},
        tags=["agency"],
    )
    @idempotent
    def post(self, request: Request, referral_id: int) -> Response:
        services.referral_acknowledge(
            referral=_referral(request, referral_id), actor=Actor.of_agency(agency_of(request).pk)
        )
        return _referral_out(request, referral_id)


class ReferralOutcome(AgencyView):
    @extend_schema(
        operation_id="agency_referrals_outcome",
        description="Report how the case ended; the referral is closed.",
        request=OutcomeIn,
        responses={200: ReferralOut, **PROBLEMS},
        tags=["agency"],
    )
    @idempotent
    def post(self, request: Request, referral_id: int) -> Response:
        data = OutcomeIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.referral_report_outcome(
            referral=_referral(request, referral_id),
            actor=Actor.of_agency(agency_of(request).pk),
            outcome=data.validated_data["outcome"],
        )
        return _referral_out(request, referral_id)
