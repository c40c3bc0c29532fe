"""Risk assessments: an officer opens a cycle for a designated platform; the platform submits
its assessment (a PDF and an answer per risk area) through the API; officers record findings
and order mitigation measures with their own deadlines; the platform reports on each measure.

A cycle not submitted by its deadline climbs the risk-assessment ladder of the platform's
policy, copied onto the cycle when it opened: warnings, then a supervisor's referral. Measures
not reported on by their deadline are marked overdue. Every step is a decision on the
assessment, linked to the platform, so it is in the platform's case file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import (
    MeasureReport,
    MitigationMeasure,
    RiskArea,
    RiskAssessment,
    RiskFinding,
    Severity,
)
from compliance.delivery.webhooks import webhook_enqueue
from compliance.kernel.actions import Action
from compliance.kernel.actors import Actor
from compliance.kernel.decisions import decision_record_append
from compliance.kernel.errors import TransitionNotAllowed
from compliance.policies import citations
from compliance.policies.calendar import Calendar
from compliance.policies.selectors import calendar_current
from compliance.policies.services import policy_default
from compliance.policies.terms import referral_rung_next, referral_rung_text
from compliance.sweep.writer import SWEEP
from notices import filetypes
from registry.models import Platform, PlatformDesignation

OPEN = "assessments.add_riskassessment"
REVIEW = "assessments.review_riskassessment"
ANSWER_MAX = 20_000
TEXT_MAX = 5_000


def risk_assessment_open(
    *, actor: Actor, platform: Platform, cycle: str, submit_by: datetime
) -> RiskAssessment:
    """Open a cycle for a platform with a designation in force; the platform is told."""
    actor.require_perm(OPEN)
    designation = (
        PlatformDesignation.objects.filter(platform=platform, ended_at__isnull=True)
        .order_by("recorded_at")
        .first()
    )
    errors: dict[str, list[str]] = {}
    if designation is None:
        errors["platform"] = [
            _("%(platform)s has no designation in force that calls for risk assessments.")
            % {"platform": platform}
        ]
    cycle = cycle.strip()
    if not cycle or len(cycle) > 20:
        errors["cycle"] = [_("Name the cycle, e.g. 2027 (20 characters at most).")]
    now = timezone.now()
    if submit_by <= now:
        errors["submit_by"] = [_("The deadline must be in the future.")]
    if errors:
        raise ValidationError(errors)
    assert designation is not None
    policy = platform.escalation_policy or policy_default()
    with transaction.atomic():
        Platform.objects.select_for_update().get(pk=platform.pk)
        if RiskAssessment.objects.filter(platform=platform, cycle=cycle).exists():
            raise ValidationError({"cycle": [_("This cycle is open already.")]})
        assessment = RiskAssessment.objects.create(
            platform=platform,
            cycle=cycle,
            legal_basis=citations.DESIGNATIONS[designation.kind],
            opened_at=now,
            submit_by=submit_by,
            due_at=submit_by,
            ladder=policy.risk_assessment_ladder,
        )
        decision_record_append(
            actor=actor,
            subject=assessment,
            action=Action.RISK_ASSESSMENT_OPEN,
            to_state=assessment.status,
            legal_basis=assessment.legal_basis,
            reason=f"Cycle {cycle}, due {submit_by:%Y-%m-%d %H:%M} UTC.",
            links=[platform],
        )
        webhook_enqueue(
            platform=platform,
            event="risk_assessment.requested",
            data={"id": assessment.pk, "cycle": cycle, "submit_by": submit_by},
        )
    return assessment


def answers_clean(answers: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Every risk area answered: its severity and the risks found (naming the area if not)."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for area in RiskArea.values:
        answer = answers.get(area)
        if not answer:
            errors[area] = [_("Every risk area is answered; this one is missing.")]
            continue
        severity, risks = answer.get("severity", ""), (answer.get("risks") or "").strip()
        if severity not in Severity.values:
            errors[f"{area}_severity"] = [
                _("One of %(values)s.") % {"values": ", ".join(Severity.values)}
            ]
        if not risks or len(risks) > ANSWER_MAX:
            errors[area] = [
                _("Describe the risks found and how they are mitigated (%(max)s characters).")
                % {"max": ANSWER_MAX}
            ]
        cleaned[area] = {"severity": severity, "risks": risks}
    if errors:
        raise ValidationError(errors)
    return cleaned


def risk_assessment_submit(
    *,
    actor: Actor,
    assessment: RiskAssessment,
    document: File,
    answers: Mapping[str, Mapping[str, str]],
) -> RiskAssessment:
    """The platform's assessment for the cycle: a PDF and an answer per risk area. All are
    checked before anything is kept; a late submission is recorded as late."""
    actor.require_for_platform(assessment.platform_id, REVIEW)
    errors: dict[str, list[str]] = {}
    try:
        cleaned = answers_clean(answers)
    except ValidationError as refused:
        errors |= refused.message_dict
    head = document.read(16)
    document.seek(0)
    if filetypes.sniff(head) != ("application/pdf", ".pdf"):
        errors["document"] = [_("The assessment document is a PDF.")]
    elif not document.size or document.size > settings.EVIDENCE_MAX_BYTES:
        errors["document"] = [
            _("The document is empty or above %(limit)s bytes.")
            % {"limit": settings.EVIDENCE_MAX_BYTES}
        ]
    if errors:
        raise ValidationError(errors)
    sha256 = filetypes.file_sha256(document)
    with transaction.atomic():
        locked = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != RiskAssessment.Status.AWAITING:
            raise TransitionNotAllowed(
                _("This assessment was submitted already."), current_state=locked.status
            )
        now = timezone.now()
        locked.document.name = filetypes.content_addressed_save(
            document, folder="risk", sha256=sha256, extension=".pdf"
        )
        locked.document_sha256 = sha256
        locked.answers = cleaned
        locked.submitted_at = now
        locked.submitted_late = now > locked.submit_by
        locked.status = RiskAssessment.Status.SUBMITTED
        locked.due_at = None
        locked.save()
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.RISK_ASSESSMENT_SUBMIT,
            from_state=RiskAssessment.Status.AWAITING,
            to_state=locked.status,
            legal_basis=locked.legal_basis,
            reason=("Submitted late" if locked.submitted_late else "Submitted")
            + f"; document SHA-256 {sha256}.",
            links=[locked.platform],
        )
    return locked


def risk_assessment_review_check(*, assessment: RiskAssessment, actor: Actor) -> None:
    actor.require_perm(REVIEW)
    if assessment.status == RiskAssessment.Status.AWAITING:
        raise TransitionNotAllowed(
            _("Nothing to review: the platform has not submitted its assessment."),
            current_state=assessment.status,
        )


def risk_finding_record(
    *, actor: Actor, assessment: RiskAssessment, area: str, severity: str, text: str
) -> RiskFinding:
    """An officer's finding on one risk area; the first marks the assessment reviewed."""
    assessment.refresh_from_db()
    risk_assessment_review_check(assessment=assessment, actor=actor)
    errors = _area_problems(area) | _text_problems("text", text)
    if severity not in Severity.values:
        errors["severity"] = [_("One of %(values)s.") % {"values": ", ".join(Severity.values)}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _reviewed(assessment)
        finding = RiskFinding.objects.create(
            assessment=locked,
            area=area,
            severity=severity,
            text=text.strip(),
            recorded_at=timezone.now(),
            recorded_by_label=actor.label,
        )
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.RISK_FINDING_RECORD,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=locked.legal_basis,
            reason=f"Finding on {finding.get_area_display()} ({severity}): {finding.text}",
            links=[locked.platform],
        )
    return finding


def mitigation_measure_order(
    *,
    actor: Actor,
    assessment: RiskAssessment,
    area: str,
    description: str,
    report_by: datetime,
) -> MitigationMeasure:
    """Order the platform to take a measure on one risk area and report on it by a deadline."""
    assessment.refresh_from_db()
    risk_assessment_review_check(assessment=assessment, actor=actor)
    errors = _area_problems(area) | _text_problems("description", description)
    if report_by <= timezone.now():
        errors["report_by"] = [_("The deadline must be in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _reviewed(assessment)
        measure = MitigationMeasure.objects.create(
            assessment=locked,
            area=area,
            description=description.strip(),
            report_by=report_by,
            ordered_at=timezone.now(),
            ordered_by_label=actor.label,
        )
        decision_record_append(
            actor=actor,
            subject=locked,
            action=Action.MITIGATION_ORDER,
            from_state=locked.status,
            to_state=locked.status,
            legal_basis=locked.legal_basis,
            reason=f"Measure {measure} on {measure.get_area_display()}, report by "
            f"{report_by:%Y-%m-%d %H:%M} UTC: {measure.description}",
            links=[locked.platform, measure],
        )
        webhook_enqueue(
            platform=locked.platform,
            event="risk_assessment.measure_ordered",
            data={
                "assessment": locked.pk,
                "measure": measure.pk,
                "area": area,
                "text": measure.description,
                "report_by": report_by,
            },
        )
    return measure


def mitigation_report(
    *, actor: Actor, assessment: RiskAssessment, measure_id: int, text: str
) -> MeasureReport:
    """The platform's report on a measure of this assessment (another's is refused, naming
    `measure`); a report after the deadline is recorded as late."""
    actor.require_for_platform(assessment.platform_id, REVIEW)
    errors = _text_problems("text", text)
    measure = MitigationMeasure.objects.filter(pk=measure_id, assessment=assessment).first()
    if measure is None:
        errors["measure"] = [_("No measure of this assessment has this id.")]
    if errors:
        raise ValidationError(errors)
    assert measure is not None
    with transaction.atomic():
        now = timezone.now()
        report = MeasureReport.objects.create(
            measure=measure, text=text.strip(), reported_at=now, late=now > measure.report_by
        )
        MitigationMeasure.objects.filter(pk=measure.pk).update(
            status=MitigationMeasure.Status.REPORTED
        )
        decision_record_append(
            actor=actor,
            subject=assessment,
            action=Action.MITIGATION_REPORT,
            from_state=assessment.status,
            to_state=assessment.status,
            legal_basis=assessment.legal_basis,
            reason=f"Report on {measure}" + (" (late)" if report.late else "") + f": {report.text}",
            links=[assessment.platform, measure],
        )
    return report


def risk_assessments_sweep(*, now: datetime) -> int:
    """Cycles unsubmitted past their clock take the next rung of their ladder (a warning with a
    new deadline, or a supervisor's referral that stops the clock); measures unreported past
    their deadline are marked overdue. Returns how many changed."""
    calendar = calendar_current()
    count = 0
    with transaction.atomic():
        for assessment in (
            RiskAssessment.objects.select_for_update(skip_locked=True)
            .filter(status=RiskAssessment.Status.AWAITING, due_at__lte=now)
            .select_related("platform")
        ):
            _escalate(assessment, now=now, calendar=calendar)
            count += 1
        for measure in MitigationMeasure.objects.select_for_update(skip_locked=True).filter(
            status=MitigationMeasure.Status.ORDERED, report_by__lte=now
        ):
            MitigationMeasure.objects.filter(pk=measure.pk).update(
                status=MitigationMeasure.Status.OVERDUE
            )
            decision_record_append(
                actor=SWEEP,
                subject=measure,
                action=Action.MITIGATION_OVERDUE,
                from_state=MitigationMeasure.Status.ORDERED,
                to_state=MitigationMeasure.Status.OVERDUE,
                legal_basis=citations.POLICY,
                reason="Not reported on by its deadline.",
            )
            count += 1
    return count


def risk_assessments_due(*, now: datetime) -> list[str]:
    """What `risk_assessments_sweep(now=now)` would do to cycles, one line each."""
    lines = []
    for assessment in RiskAssessment.objects.filter(
        status=RiskAssessment.Status.AWAITING, due_at__lte=now
    ).select_related("platform"):
        then = referral_rung_text(assessment.ladder, level=assessment.escalation_level)
        lines.append(f"{assessment} of {assessment.platform}: {then}")
    return lines


def _escalate(assessment: RiskAssessment, *, now: datetime, calendar: Calendar) -> None:
    level = assessment.escalation_level
    step = referral_rung_next(assessment.ladder, level=level, now=now, calendar=calendar)
    rung, due_at = step.rung, step.due_at
    if rung is None:
        RiskAssessment.objects.filter(pk=assessment.pk).update(due_at=None)
        return
    if step.refers:
        RiskAssessment.objects.filter(pk=assessment.pk).update(
            due_at=None, escalation_level=level + 1, referred_to_supervisor_at=now
        )
        reason = "Still not submitted after the warnings: a supervisor decides on sanctions."
    else:
        assert due_at is not None  # a warning's new deadline
        RiskAssessment.objects.filter(pk=assessment.pk).update(
            due_at=due_at, escalation_level=level + 1
        )
        reason = f"Deadline missed: warning {level + 1}, submit by {due_at:%Y-%m-%d %H:%M} UTC."
        webhook_enqueue(
            platform=assessment.platform,
            event="risk_assessment.warned",
            data={"id": assessment.pk, "cycle": assessment.cycle, "submit_by": due_at},
        )
    decision_record_append(
        actor=SWEEP,
        subject=assessment,
        action=Action.RISK_ASSESSMENT_ESCALATE,
        from_state=assessment.status,
        to_state=assessment.status,
        legal_basis=rung.legal_basis or assessment.legal_basis,
        reason=reason,
        links=[assessment.platform],
    )


def _reviewed(assessment: RiskAssessment) -> RiskAssessment:
    locked = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status == RiskAssessment.Status.SUBMITTED:
        locked.status = RiskAssessment.Status.REVIEWED
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "reviewed_at"])
    return locked


def _area_problems(area: str) -> dict[str, list[str]]:
    if area in RiskArea.values:
        return {}
    return {"area": [_("One of %(values)s.") % {"values": ", ".join(RiskArea.values)}]}


def _text_problems(field: str, text: str) -> dict[str, list[str]]:
    if text.strip() and len(text) <= TEXT_MAX:
        return {}
    return {field: [_("Write it out (%(max)s characters at most).") % {"max": TEXT_MAX}]}
