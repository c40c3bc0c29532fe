"""Risk assessments through the API: the platform reads its cycles (with the officers' findings
and the measures they ordered), submits its assessment (a PDF and an answer per risk area) and
reports on each measure. Another platform's assessment is not found."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import services
from assessments.models import MitigationMeasure, RiskArea, RiskAssessment, Severity
from portal.auth import actor_of, platform_of
from portal.idempotency import idempotent
from portal.pagination import PageQuery, page, page_of, query_checked
from portal.serializers import PROBLEMS, StrictSerializer, Text


class AnswerOut(serializers.Serializer):
    area = serializers.ChoiceField(choices=RiskArea.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    risks = serializers.CharField()


class FindingOut(serializers.Serializer):
    area = serializers.ChoiceField(choices=RiskArea.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    text = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class MeasureReportOut(serializers.Serializer):
    text = serializers.CharField()
    reported_at = serializers.DateTimeField()
    late = serializers.BooleanField()


class MeasureOut(serializers.Serializer):
    id = serializers.IntegerField()
    area = serializers.ChoiceField(choices=RiskArea.choices)
    description = serializers.CharField()
    report_by = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=MitigationMeasure.Status.choices)
    reports = MeasureReportOut(many=True)


class RiskAssessmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    cycle = serializers.CharField()
    legal_basis = serializers.CharField()
    status = serializers.ChoiceField(choices=RiskAssessment.Status.choices)
    submit_by = serializers.DateTimeField(help_text="The cycle's deadline.")
    due_at = serializers.DateTimeField(
        allow_null=True, help_text="The deadline now, after any warnings; empty once submitted."
    )
    warnings = serializers.IntegerField(help_text="Warnings sent since the deadline passed.")
    referred_to_supervisor = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_late = serializers.BooleanField()
    document_sha256 = serializers.CharField()
    answers = AnswerOut(many=True)
    findings = FindingOut(many=True)
    measures = MeasureOut(many=True)


def _row(assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "cycle": assessment.cycle,
        "legal_basis": assessment.legal_basis,
        "status": assessment.status,
        "submit_by": assessment.submit_by,
        "due_at": assessment.due_at,
        "warnings": min(assessment.escalation_level, _warnings(assessment)),
        "referred_to_supervisor": assessment.referred_to_supervisor_at is not None,
        "submitted_at": assessment.submitted_at,
        "submitted_late": assessment.submitted_late,
        "document_sha256": assessment.document_sha256,
        "answers": [{"area": area, **answer} for area, answer in assessment.answers.items()],
        "findings": list(assessment.findings.all()),
        "measures": list(assessment.measures.all()),
    }


def _warnings(assessment: RiskAssessment) -> int:
    return sum(1 for step in assessment.ladder if step.get("action") == "warning")


def _assessments(request: Request) -> Any:
    return RiskAssessment.objects.filter(platform=platform_of(request)).prefetch_related(
        "findings", "measures__reports"
    )


def _assessment(request: Request, risk_assessment_id: int) -> RiskAssessment:
    found = _assessments(request).filter(pk=risk_assessment_id).first()
    if found is None:
        raise Http404
    return found


class RiskAssessments(APIView):
    problems = (422,)  # a cursor it did not give out

    @extend_schema(
        operation_id="risk_assessments_list",
        description="Your risk-assessment cycles, newest first.",
        parameters=[PageQuery],
        responses={
            200: page_of("RiskAssessmentPage", RiskAssessmentOut(many=True), "risk assessments"),
            **PROBLEMS,
        },
        tags=["risk assessments"],
    )
    def get(self, request: Request) -> Response:
        query_checked(request)
        return page(
            request,
            self,
            _assessments(request),
            lambda found: RiskAssessmentOut([_row(a) for a in found], many=True).data,
        )


class RiskAssessmentDetail(APIView):
    @extend_schema(
        operation_id="risk_assessments_retrieve",
        description="One cycle, with the officers' findings and the measures they ordered.",
        responses={200: RiskAssessmentOut, **PROBLEMS},
        tags=["risk assessments"],
    )
    def get(self, request: Request, risk_assessment_id: int) -> Response:
        return Response(RiskAssessmentOut(_row(_assessment(request, risk_assessment_id))).data)


class SubmissionIn(StrictSerializer):
    """The assessment as multipart/form-data: the document, and for every risk area its
    severity and the risks found (how they arise, and how they are mitigated)."""

    document = serializers.FileField(help_text="The assessment report, a PDF.")
    illegal_content = Text(max_length=services.ANSWER_MAX, min_length=1)
    illegal_content_severity = serializers.ChoiceField(choices=Severity.choices)
    gender_based_violence = Text(
        max_length=services.ANSWER_MAX,
        min_length=1,
        help_text="Including non-consensual and synthetic intimate images.",
    )
    gender_based_violence_severity = serializers.ChoiceField(choices=Severity.choices)
    minors = Text(max_length=services.ANSWER_MAX, min_length=1)
    minors_severity = serializers.ChoiceField(choices=Severity.choices)
    design_features = Text(
        max_length=services.ANSWER_MAX,
        min_length=1,
        help_text="Design features such as generative tools, considered at the design stage.",
    )
    design_features_severity = serializers.ChoiceField(choices=Severity.choices)


class Submission(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="risk_assessments_submit",
        description="Submit the cycle's assessment, once. After `submit_by` it is late; every "
        "risk area must be answered.",
        request={"multipart/form-data": SubmissionIn},
        responses={200: RiskAssessmentOut, **PROBLEMS},
        tags=["risk assessments"],
    )
    @idempotent
    def post(self, request: Request, risk_assessment_id: int) -> Response:
        found = _assessment(request, risk_assessment_id)
        data = SubmissionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.risk_assessment_submit(
            actor=actor_of(request),
            assessment=found,
            document=values["document"],
            answers={
                area: {"severity": values[f"{area}_severity"], "risks": values[area]}
                for area in RiskArea.values
            },
        )
        return Response(RiskAssessmentOut(_row(_assessment(request, risk_assessment_id))).data)


class MeasureReportIn(StrictSerializer):
    measure = serializers.IntegerField(min_value=1, help_text="The measure's id.")
    text = Text(max_length=services.TEXT_MAX, min_length=1, help_text="What you did, and when.")


class MeasureReports(APIView):
    @extend_schema(
        operation_id="risk_assessments_report",
        description="Report on a mitigation measure of this assessment; a later report adds to "
        "the earlier ones. After the measure's `report_by` the report is late.",
        request=MeasureReportIn,
        responses={201: RiskAssessmentOut, **PROBLEMS},
        tags=["risk assessments"],
    )
    @idempotent
    def post(self, request: Request, risk_assessment_id: int) -> Response:
        found = _assessment(request, risk_assessment_id)
        data = MeasureReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.mitigation_report(
            actor=actor_of(request),
            assessment=found,
            measure_id=data.validated_data["measure"],
            text=data.validated_data["text"],
        )
        return Response(
            RiskAssessmentOut(_row(_assessment(request, risk_assessment_id))).data, status=201
        )
