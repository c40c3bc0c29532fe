"""The platform's official letters: the list, and each letter's PDF as issued."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.kernel.errors import TransitionNotAllowed
from compliance.kernel.models import OfficialLetter
from portal.auth import platform_of
from portal.files import FileView, PdfRenderer
from portal.pagination import PageQuery, page, page_of, query_checked
from portal.serializers import PROBLEMS


class OfficialLetterOut(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=OfficialLetter.Kind.choices,
        help_text="order_notice, warning, fine_assessment, block_order, block_lifting, "
        "normalization_decision or registration_decision.",
    )
    issued_at = serializers.DateTimeField()
    status = serializers.ChoiceField(
        choices=OfficialLetter.Status.choices,
        help_text="The PDF can be fetched once `rendered` (within a minute of issue).",
    )
    sha256 = serializers.CharField(help_text="The PDF's SHA-256; empty until rendered.")
    code = serializers.CharField(help_text="The verification code printed on the letter.")


class LetterList(APIView):
    open_to_revoked = True
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="letters_list",
        description="Your official letters, newest first.",
        parameters=[PageQuery],
        responses={
            200: page_of("OfficialLetterPage", OfficialLetterOut(many=True), "official letters"),
            **PROBLEMS,
        },
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            OfficialLetter.objects.filter(platform=platform_of(request)),
            lambda found: OfficialLetterOut(found, many=True).data,
        )


class LetterPdf(FileView):
    problems = (409,)  # still being rendered
    open_to_revoked = True
    renderer_classes = [PdfRenderer, JSONRenderer]

    @extend_schema(
        operation_id="letters_pdf",
        # The path says PDF; DRF's `?format=` override would only offer JSON problems.
        parameters=[OpenApiParameter("format", exclude=True)],
        description="The letter as issued. Its SHA-256 is in the list and in the decision "
        "record; /verify/ checks a copy. 409 while it is still being rendered.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            **PROBLEMS,
        },
    )
    def get(self, request: Request, number: str) -> FileResponse:
        letter = get_object_or_404(OfficialLetter, number=number, platform=platform_of(request))
        if letter.status != OfficialLetter.Status.RENDERED:
            raise TransitionNotAllowed(
                f"Letter {letter.number} is still being rendered; try again in a minute.",
                current_state=letter.status,
            )
        return FileResponse(
            letter.file.open("rb"), filename=f"{letter.number}.pdf", content_type="application/pdf"
        )
