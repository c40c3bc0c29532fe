"""A risk-assessment cycle for a platform, as far along as a test needs it: designated by a
supervisor's decision, opened by an officer, and (optionally) submitted, with a measure
ordered."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import services
from assessments.models import MitigationMeasure, RiskArea, RiskAssessment
from compliance.kernel.actors import Actor
from registry import standing
from registry.models import Platform

PDF = b"%PDF-1.4\n% a risk assessment\n"


def _staff(role: str) -> Actor:
    user, _ = User.objects.get_or_create(
        username=f"assessments-{role}", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=role))
    return Actor.staff(User.objects.get(pk=user.pk))  # a fresh permission cache


def submission_form() -> dict[str, object]:
    """A complete submission, as the API's multipart form takes it."""
    form: dict[str, object] = {"document": SimpleUploadedFile("assessment.pdf", PDF)}
    for area in RiskArea.values:
        form[area] = f"Risks of {area}, and how they are mitigated."
        form[f"{area}_severity"] = "medium"
    return form


def assessment_for(
    platform: Platform, *, submitted: bool = False, measured: bool = False
) -> tuple[RiskAssessment, MitigationMeasure | None]:
    if not platform.designations.filter(ended_at__isnull=True).exists():
        standing.designation_record(
            actor=_staff("supervisor"),
            platform=platform,
            kind="risk_assessment",
            basis="decision",
            decision_reference="DEC-RA/2026",
            effective_from=date(2026, 1, 1),
        )
    officer = _staff("officer")
    assessment = services.risk_assessment_open(
        actor=officer,
        platform=platform,
        cycle=f"C{RiskAssessment.objects.count() + 1}",
        submit_by=timezone.now() + timedelta(days=30),
    )
    measure = None
    if submitted or measured:
        services.risk_assessment_submit(
            actor=Actor.of_platform(platform),
            assessment=assessment,
            document=SimpleUploadedFile("assessment.pdf", PDF),
            answers={a: {"severity": "low", "risks": "Some."} for a in RiskArea.values},
        )
    if measured:
        measure = services.mitigation_measure_order(
            actor=officer,
            assessment=assessment,
            area=RiskArea.MINORS,
            description="Age assurance at sign-up.",
            report_by=timezone.now() + timedelta(days=30),
        )
    return assessment, measure
