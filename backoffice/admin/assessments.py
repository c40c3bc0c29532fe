"""Risk assessments: officers open a cycle for a designated platform, read what it submitted,
record findings and order mitigation measures; the platform's reports on them show here."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy

from assessments import services
from assessments.models import MitigationMeasure, RiskArea, RiskAssessment, Severity
from backoffice.transitions import (
    AddService,
    ObjectAction,
    ObjectActionForm,
    ServiceAddForm,
    TransitionAdmin,
)
from compliance.kernel.actors import Actor
from registry.models import Platform


class AssessmentAddForm(ServiceAddForm):
    platform = forms.ModelChoiceField(
        queryset=Platform.objects.filter(designations__ended_at__isnull=True)
        .distinct()
        .order_by("name"),
        label=gettext_lazy("Platform"),
        help_text=gettext_lazy("Platforms with a designation in force."),
    )
    cycle = forms.CharField(max_length=20, label=gettext_lazy("Cycle"))
    submit_by = forms.DateField(
        label=gettext_lazy("Submit by"), help_text=gettext_lazy("End of this day, UTC.")
    )


def _end_of(day: Any) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _assessment_open(actor: Actor, form: AssessmentAddForm) -> RiskAssessment:
    data = form.cleaned_data
    return services.risk_assessment_open(
        actor=actor,
        platform=data["platform"],
        cycle=data["cycle"],
        submit_by=_end_of(data["submit_by"]),
    )


class FindingForm(ObjectActionForm):
    area = forms.ChoiceField(choices=RiskArea.choices, label=gettext_lazy("Area"))
    severity = forms.ChoiceField(choices=Severity.choices, label=gettext_lazy("Severity"))
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=services.TEXT_MAX,
        label=gettext_lazy("Finding"),
    )


class MeasureForm(ObjectActionForm):
    area = forms.ChoiceField(choices=RiskArea.choices, label=gettext_lazy("Area"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=services.TEXT_MAX,
        label=gettext_lazy("Measure"),
    )
    report_by = forms.DateField(
        label=gettext_lazy("Report by"), help_text=gettext_lazy("End of this day, UTC.")
    )


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(TransitionAdmin):
    """Each designated platform's cycles; late ones climb the policy's risk ladder."""

    list_display = [
        "__str__",
        "platform",
        "cycle",
        "status",
        "submit_by",
        "escalation_level",
        "submitted_at",
        "submitted_late",
    ]
    list_select_related = ["platform"]
    list_filter = ["status", "cycle"]
    add_service = AddService(AssessmentAddForm, _assessment_open)
    shown: ClassVar[list[str]] = [
        "platform",
        "cycle",
        "legal_basis",
        "status",
        "opened_at",
        "submit_by",
        "due_at",
        "escalation_level",
        "referred_to_supervisor_at",
        "submitted_at",
        "submitted_late",
        "document_link",
        "answers_table",
        "findings_table",
        "measures_table",
        "reviewed_at",
        "decision_history_table",
    ]
    fields = readonly_fields = tuple(shown)
    transition_services = {}
    object_actions = {
        "finding": ObjectAction(
            gettext_lazy("Record a finding"),
            FindingForm,
            lambda assessment, actor, data: services.risk_finding_record(
                actor=actor,
                assessment=assessment,
                area=data["area"],
                severity=data["severity"],
                text=data["text"],
            ),
            lambda assessment, actor: services.risk_assessment_review_check(
                assessment=assessment, actor=actor
            ),
        ),
        "measure": ObjectAction(
            gettext_lazy("Order a mitigation measure"),
            MeasureForm,
            lambda assessment, actor, data: services.mitigation_measure_order(
                actor=actor,
                assessment=assessment,
                area=data["area"],
                description=data["description"],
                report_by=_end_of(data["report_by"]),
            ),
            lambda assessment, actor: services.risk_assessment_review_check(
                assessment=assessment, actor=actor
            ),
        ),
    }

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/document/",
                self.admin_site.admin_view(self.document_view),
                name="assessments_riskassessment_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        found = self.get_object(request, object_id)
        if found is None or not found.document:
            raise Http404
        return FileResponse(found.document.open("rb"), as_attachment=True)

    @admin.display(description=gettext_lazy("document"))
    def document_link(self, assessment: RiskAssessment) -> str:
        if not assessment.document:
            return "-"
        return format_html(
            '<a href="{}">{}</a> (SHA-256 {})',
            reverse("admin:assessments_riskassessment_document", args=[assessment.pk]),
            gettext("Download"),
            assessment.document_sha256,
        )

    @admin.display(description=gettext_lazy("answers"))
    def answers_table(self, assessment: RiskAssessment) -> str:
        labels = dict(RiskArea.choices)
        rows = [
            (labels.get(area, area), answer["severity"], answer["risks"])
            for area, answer in assessment.answers.items()
        ]
        return format_html_join("", "<div><b>{}</b> ({}): {}</div>", rows) or "-"

    @admin.display(description=gettext_lazy("findings"))
    def findings_table(self, assessment: RiskAssessment) -> str:
        rows = [
            (f.get_area_display(), f.get_severity_display(), f.text, f.recorded_by_label)
            for f in assessment.findings.all()
        ]
        return format_html_join("", "<div><b>{}</b> ({}): {} ({})</div>", rows) or "-"

    @admin.display(description=gettext_lazy("mitigation measures"))
    def measures_table(self, assessment: RiskAssessment) -> str:
        rows = [
            (
                m,
                m.get_area_display(),
                m.description,
                f"{m.report_by:%Y-%m-%d}",
                m.get_status_display(),
                " / ".join(r.text for r in m.reports.all()) or "-",
            )
            for m in assessment.measures.prefetch_related("reports")
        ]
        return format_html_join("", "<div>{} {}: {} (by {}, {}). {}</div>", rows) or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.OPEN)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MitigationMeasure)
class MitigationMeasureAdmin(admin.ModelAdmin):
    """Every measure ordered, with its deadline and status (overdue ones first to act on)."""

    list_display = ["__str__", "assessment__platform", "area", "report_by", "status"]
    list_filter = ["status", "area"]
    list_select_related = ["assessment__platform"]
    fields = readonly_fields = (
        "assessment",
        "area",
        "description",
        "report_by",
        "status",
        "ordered_at",
        "ordered_by_label",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
