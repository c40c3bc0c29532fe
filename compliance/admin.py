from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest

from compliance.actors import Actor
from compliance.admin_transitions import DecisionHistoryMixin
from compliance.models import DecisionRecord, EscalationPolicy, EscalationPolicyVersion
from compliance.policies import ladder_validate, policy_save


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records: nobody adds, changes or deletes them here, superusers included."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DecisionRecord)
class DecisionRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "seq",
        "created_at",
        "actor_label",
        "action",
        "object_repr",
        "from_state",
        "to_state",
    ]
    list_filter = ["actor_kind", "action", "content_type"]
    search_fields = ["object_repr", "reason", "actor_label", "legal_basis"]
    date_hierarchy = "created_at"


class PolicyForm(forms.ModelForm):
    class Meta:
        model = EscalationPolicy
        fields = [
            "name",
            "jurisdiction",
            "description",
            "is_default",
            "notice_hours",
            "urgent_notice_hours",
            "ladder",
            "currency",
            "fine_cap_per_item",
            "fines_only_ugc",
            "fine_payment_days",
            "fines_need_approval",
        ]

    def clean_ladder(self) -> Any:
        ladder = self.cleaned_data["ladder"]
        try:
            ladder_validate(ladder)
        except ValidationError as error:
            raise ValidationError(error.message_dict["ladder"]) from None
        return ladder


class VersionInline(admin.TabularInline):
    model = EscalationPolicyVersion
    extra = 0
    fields = ["version", "created_at", "created_by", "terms"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(DecisionHistoryMixin, admin.ModelAdmin):
    """Saving writes a new version; orders already issued keep theirs."""

    form = PolicyForm
    list_display = [
        "name",
        "jurisdiction",
        "is_default",
        "notice_hours",
        "urgent_notice_hours",
        "version",
    ]
    readonly_fields = ["version", "decision_history_table"]
    inlines = [VersionInline]

    def save_model(
        self, request: HttpRequest, obj: EscalationPolicy, form: ModelForm, change: bool
    ) -> None:
        policy_save(policy=obj, actor=Actor.staff(request.user))  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders keep pointing at its versions
