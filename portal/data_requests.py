"""Data-access requests (MR5 Art. 21-46) through the API: an authorised agency asks and reads
the answer; the platform asked reads the request and its court order, and answers with files or
objects. Each side sees only its own requests; another's is not found."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import data_requests as services
from agencies.models import DataRequest, DataRequestFile
from agencies.selectors import data_request_row, data_requests_of, data_requests_to
from compliance.kernel.actors import Actor
from portal.agency import AgencyView
from portal.auth import actor_of, agency_of, platform_of
from portal.files import FILE_RESPONSE, FileView
from portal.idempotency import idempotent
from portal.pagination import PageQuery, page, page_of, query_checked
from portal.serializers import PROBLEMS, StrictSerializer, Text
from registry.models import PlatformDomain


class DataFileOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The file's name as the platform sent it.")
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField(help_text="Read from the file's bytes.")
    uploaded_at = serializers.DateTimeField()


class DataRequestOut(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    requester = serializers.CharField(help_text="The requesting agency, or the regulator.")
    kind = serializers.ChoiceField(choices=DataRequest.Kind.choices)
    legal_basis = serializers.CharField()
    description = serializers.CharField()
    court_order_sha256 = serializers.CharField(
        allow_null=True, help_text="SHA-256 of the attached court order, if any."
    )
    status = serializers.ChoiceField(choices=DataRequest.Status.choices)
    requested_at = serializers.DateTimeField()
    answer_by = serializers.DateTimeField(help_text="The deadline (5 calendar days by default).")
    warnings = serializers.IntegerField(help_text="Warnings sent since the deadline passed.")
    referred_to_supervisor = serializers.BooleanField(
        help_text="Still unanswered after the warnings: a supervisor decides on sanctions."
    )
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_late = serializers.BooleanField()
    answer_note = serializers.CharField()
    objection = serializers.CharField(help_text="The platform's reasons, if it objected.")
    files = DataFileOut(many=True)


class DataRequestIn(StrictSerializer):
    """A request for data, as multipart/form-data (the court order is a file)."""

    platform = Text(
        max_length=253, min_length=1, help_text="A domain the platform is registered with."
    )
    kind = serializers.ChoiceField(choices=DataRequest.Kind.choices)
    legal_basis = Text(max_length=300, min_length=1, help_text="E.g. 'KUHAP Art. 42'.")
    description = Text(
        max_length=5000, min_length=1, help_text="What data, of whom, for which period."
    )
    court_order = serializers.FileField(
        required=False,
        help_text="Required for `content` and `personal`: the court order, as a PDF or image.",
    )


def _request_of_agency(request: Request, data_request_id: int) -> DataRequest:
    found = data_requests_of(agency_id=agency_of(request).pk).filter(pk=data_request_id).first()
    if found is None:
        raise Http404
    return found


class AgencyDataRequests(AgencyView):
    parser_classes = [MultiPartParser]
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="agency_data_requests_list",
        description="Your agency's data-access requests, newest first.",
        parameters=[PageQuery],
        responses={
            200: page_of("DataRequestPage", DataRequestOut(many=True), "data-access requests"),
            **PROBLEMS,
        },
        tags=["agency"],
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            data_requests_of(agency_id=agency_of(request).pk),
            lambda found: DataRequestOut([data_request_row(r) for r in found], many=True).data,
        )

    @extend_schema(
        operation_id="agency_data_requests_create",
        description="Ask a platform for data it holds (MR5 Art. 21-46): ministries, law "
        "enforcement and courts may. Content and specific personal data need the court order "
        "attached. The platform is told at once and answers within 5 calendar days.",
        request={"multipart/form-data": DataRequestIn},
        responses={201: DataRequestOut, **PROBLEMS},
        tags=["agency"],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = DataRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        domain = (
            PlatformDomain.objects.filter(domain=values["platform"].strip().lower())
            .select_related("platform")
            .first()
        )
        if domain is None:
            raise serializers.ValidationError(
                {"platform": ["No platform in the registry has this domain."]}
            )
        agency = agency_of(request)
        made = services.data_request_create(
            actor=Actor.of_agency(agency.pk),
            agency=agency,
            platform=domain.platform,
            kind=values["kind"],
            legal_basis=values["legal_basis"],
            description=values["description"],
            court_order=values.get("court_order"),
        )
        return Response(DataRequestOut(data_request_row(made)).data, status=201)


class AgencyDataRequest(AgencyView):
    @extend_schema(
        operation_id="agency_data_requests_retrieve",
        description="One of your agency's data-access requests, with the answer's files.",
        responses={200: DataRequestOut, **PROBLEMS},
        tags=["agency"],
    )
    def get(self, request: Request, data_request_id: int) -> Response:
        return Response(
            DataRequestOut(data_request_row(_request_of_agency(request, data_request_id))).data
        )


class AgencyDataFile(FileView, AgencyView):
    @extend_schema(
        operation_id="agency_data_requests_file",
        parameters=[OpenApiParameter("format", exclude=True)],
        description="One file of the platform's answer. Every read is in the decision record.",
        responses={**FILE_RESPONSE, **PROBLEMS},
        tags=["agency"],
    )
    def get(self, request: Request, data_request_id: int, file_id: int) -> FileResponse:
        found = _request_of_agency(request, data_request_id)
        file = DataRequestFile.objects.filter(request=found, pk=file_id).first()
        if file is None:
            raise Http404
        services.data_file_read(file=file, actor=Actor.of_agency(agency_of(request).pk))
        return FileResponse(
            file.file.open("rb"), filename=file.name, content_type=file.content_type
        )


# The platform's side.


def _request_of_platform(request: Request, data_request_id: int) -> DataRequest:
    found = data_requests_to(platform_id=platform_of(request).pk).filter(pk=data_request_id).first()
    if found is None:
        raise Http404
    return found


class PlatformDataRequests(APIView):
    open_to_revoked = True
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="data_requests_list",
        description="Data-access requests addressed to you, newest first (MR5 Art. 21-46).",
        parameters=[PageQuery],
        responses={
            200: page_of("PlatformDataRequestPage", DataRequestOut(many=True), "data requests"),
            **PROBLEMS,
        },
        tags=["data requests"],
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            data_requests_to(platform_id=platform_of(request).pk),
            lambda found: DataRequestOut([data_request_row(r) for r in found], many=True).data,
        )


class PlatformDataRequest(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="data_requests_retrieve",
        description="One data-access request addressed to you.",
        responses={200: DataRequestOut, **PROBLEMS},
        tags=["data requests"],
    )
    def get(self, request: Request, data_request_id: int) -> Response:
        found = _request_of_platform(request, data_request_id)
        return Response(DataRequestOut(data_request_row(found)).data)


class PlatformCourtOrder(FileView):
    open_to_revoked = True

    @extend_schema(
        operation_id="data_requests_court_order",
        parameters=[OpenApiParameter("format", exclude=True)],
        description="The court order a request carries (404 if it carries none).",
        responses={**FILE_RESPONSE, **PROBLEMS},
        tags=["data requests"],
    )
    def get(self, request: Request, data_request_id: int) -> FileResponse:
        found = _request_of_platform(request, data_request_id)
        if not found.court_order:
            raise Http404
        suffix = PurePosixPath(found.court_order.name or "").suffix
        return FileResponse(found.court_order.open("rb"), filename=f"court-order-{found}{suffix}")


class AnswerIn(StrictSerializer):
    """The data, as multipart/form-data: one or more `files` parts."""

    files = serializers.ListField(
        child=serializers.FileField(),
        min_length=1,
        max_length=services.MAX_FILES,
        help_text="PDF, images, video, ZIP, CSV or JSON; 50 MiB together by default (put "
        "more files in a ZIP).",
    )
    note = Text(required=False, allow_blank=True, max_length=5000, default="")


class DataObjectionIn(StrictSerializer):
    """Why you cannot or will not give the data (no such data, no valid basis, ...)."""

    reason = Text(max_length=5000, min_length=1)


class PlatformDataAnswer(APIView):
    open_to_revoked = True
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="data_requests_answer",
        description="Answer with the data. Each file is kept with its SHA-256 and read only by "
        "the requester and auditors. After `answer_by` the answer is late.",
        request={"multipart/form-data": AnswerIn},
        responses={200: DataRequestOut, **PROBLEMS},
        tags=["data requests"],
    )
    @idempotent
    def post(self, request: Request, data_request_id: int) -> Response:
        found = _request_of_platform(request, data_request_id)
        data = AnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.data_request_answer(
            request=found,
            actor=actor_of(request),
            files=data.validated_data["files"],
            note=data.validated_data["note"],
        )
        return Response(
            DataRequestOut(data_request_row(_request_of_platform(request, data_request_id))).data
        )


class PlatformDataObjection(APIView):
    open_to_revoked = True

    @extend_schema(
        operation_id="data_requests_object",
        description="Object to the request with your reasons; the requester reads them.",
        request=DataObjectionIn,
        responses={200: DataRequestOut, **PROBLEMS},
        tags=["data requests"],
    )
    @idempotent
    def post(self, request: Request, data_request_id: int) -> Response:
        found = _request_of_platform(request, data_request_id)
        data = DataObjectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.data_request_object(
            request=found, actor=actor_of(request), reason=data.validated_data["reason"]
        )
        return Response(
            DataRequestOut(data_request_row(_request_of_platform(request, data_request_id))).data
        )
