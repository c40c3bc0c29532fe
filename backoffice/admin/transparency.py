"""Transparency in the back office: the gender safety index's methodology (drafted, opened for
public comment and adopted through buttons that call the services), its comments, the
published periods and scores, read-only."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy

from backoffice.admin.compliance import ReadOnlyAdmin
from backoffice.transitions import ObjectAction, ObjectActionForm, TransitionAdmin, staff_actor
from compliance.kernel.actors import Actor
from compliance.kernel.errors import TransitionNotAllowed
from compliance.kernel.formats import moment_text
from transparency import services
from transparency.metrics import INDICATOR_CODES
from transparency.models import (
    MANAGE,
    Methodology,
    MethodologyComment,
    Publication,
    SafetyScore,
)


class MethodologyForm(forms.ModelForm):
    indicators = forms.JSONField(
        widget=forms.Textarea(attrs={"rows": 10, "cols": 90}),
        help_text="A list of {code, weight, best, worst}; weights sum to 1. Indicators: "
        + ", ".join(INDICATOR_CODES),
    )

    class Meta:
        model = Methodology
        fields = ["summary", "formula", "indicators", "min_coverage"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and "indicators" not in self.initial:
            # A new version starts from the one in use.
            current = Methodology.objects.filter(status=Methodology.Status.ADOPTED).first()
            if current is not None:
                self.initial.update(
                    indicators=current.indicators,
                    formula=current.formula,
                    min_coverage=current.min_coverage,
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "indicators" in data:
            # The service's own check, so the form shows its faults next to the field.
            services.methodology_clean(
                indicators=data["indicators"], min_coverage=data.get("min_coverage", "")
            )
        return data


class PublishForm(ObjectActionForm):
    closes_at = forms.DateTimeField(
        label="Comments close at",
        help_text="7 to 90 days from now (regulator's time).",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["closes_at"].initial = timezone.localtime() + timedelta(days=30)


class ConfirmForm(ObjectActionForm):
    pass


def _may_publish(methodology: Methodology, actor: Actor) -> None:
    actor.require_perm(MANAGE)
    if methodology.status != Methodology.Status.DRAFT:
        raise TransitionNotAllowed(
            "Only a draft is opened for comment.", current_state=methodology.status
        )


def _may_adopt(methodology: Methodology, actor: Actor) -> None:
    actor.require_perm(MANAGE)
    closes = methodology.consultation_closes_at
    if (
        methodology.status != Methodology.Status.CONSULTATION
        or closes is None
        or timezone.now() < closes
    ):
        raise TransitionNotAllowed(
            "A version is adopted once its comment period has closed.",
            current_state=methodology.status,
        )


@admin.register(Methodology)
class MethodologyAdmin(TransitionAdmin):
    form = MethodologyForm
    list_display = [
        "version",
        "status",
        "summary",
        "consultation_closes_at",
        "adopted_at",
        "comment_count",
    ]
    readonly_fields = [
        "version",
        "status",
        "indicator_table",
        "created_by",
        "consultation_opens_at",
        "consultation_closes_at",
        "adopted_at",
        "adopted_by",
        "comment_list",
        "decision_history_table",
    ]
    transition_services = {}
    object_actions = {
        "publish": ObjectAction(
            gettext_lazy("Open for public comment"),
            PublishForm,
            lambda m, actor, data: services.methodology_publish(
                actor=actor, methodology=m, closes_at=data["closes_at"]
            ),
            _may_publish,
        ),
        "adopt": ObjectAction(
            gettext_lazy("Adopt"),
            ConfirmForm,
            lambda m, actor, data: services.methodology_adopt(actor=actor, methodology=m),
            _may_adopt,
        ),
    }

    @admin.display(description=gettext_lazy("comments"))
    def comment_count(self, methodology: Methodology) -> int:
        return methodology.comments.count()

    @admin.display(description=gettext_lazy("Indicators"))
    def indicator_table(self, methodology: Methodology) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (INDICATOR_CODES[i["code"]].label, i["weight"], i["best"], i["worst"])
                for i in methodology.indicators
            ),
        )
        return format_html(
            "<table><thead><tr><th>Indicator</th><th>Weight</th><th>Best</th><th>Worst</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description=gettext_lazy("Public comments"))
    def comment_list(self, methodology: Methodology) -> str:
        return (
            format_html_join(
                "",
                "<p><strong>{}</strong><br>{}</p>",
                ((moment_text(c.created_at), c.body) for c in methodology.comments.all()),
            )
            or "None"
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["summary", "formula", "indicators", "min_coverage"]
        return ["summary", "formula", "min_coverage", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["summary", "formula", "min_coverage", *self.readonly_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a version is never edited: a new one is drafted

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Methodology, form: ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        created = services.methodology_draft(
            actor=staff_actor(request),
            summary=data["summary"],
            formula=data["formula"],
            indicators=data["indicators"],
            min_coverage=data["min_coverage"],
        )
        obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db


@admin.register(MethodologyComment)
class MethodologyCommentAdmin(ReadOnlyAdmin):
    list_display = ["methodology", "created_at", "body"]
    list_filter = ["methodology"]
    search_fields = ["body"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["period_kind", "period_start", "refreshed_at", "final"]
    list_filter = ["period_kind", "final"]


@admin.register(SafetyScore)
class SafetyScoreAdmin(ReadOnlyAdmin):
    list_display = [
        "platform",
        "period_kind",
        "period_start",
        "score",
        "coverage",
        "methodology",
        "final",
    ]
    list_filter = ["period_kind", "methodology", "final"]
    list_select_related = ["platform", "methodology"]
    search_fields = ["platform__name"]
    readonly_fields = ["components_json"]

    @admin.display(description=gettext_lazy("components"))
    def components_json(self, score: SafetyScore) -> str:
        return json.dumps(score.components, indent=1)
