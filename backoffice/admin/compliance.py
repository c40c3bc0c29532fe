from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy

from backoffice.display import COPY_SCRIPT, item_amounts_table
from backoffice.ladder import LadderField
from backoffice.transitions import (
    DecisionHistoryAdmin,
    ObjectAction,
    ObjectActionForm,
    ReasonForm,
    TransitionAdmin,
    staff_actor,
)
from compliance.delivery.models import Notification, WebhookAttempt, WebhookDelivery
from compliance.kernel.actors import Actor
from compliance.kernel.formats import moment_text
from compliance.kernel.models import DecisionRecord
from compliance.kernel.transitions import transition_check
from compliance.policies.models import EscalationPolicy, EscalationPolicyVersion, PublicHoliday
from compliance.policies.services import (
    holiday_delete,
    holiday_save,
    policy_save,
)
from compliance.sanctions import services as sanctions
from compliance.sanctions.four_eyes import four_eyes_check
from compliance.sanctions.models import (
    AccessBlock,
    CommitmentKind,
    Fine,
    NormalizationRequest,
    NormalizationVerification,
    PaymentDeclaration,
    RegistrationSanction,
    SanctionRelease,
    WarningLetter,
)
from compliance.sanctions.selectors import normalization_blockers


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
    ladder = LadderField(label=gettext_lazy("Escalation ladder"))

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
            "reupload_notice_hours",
            # Registration faults and normalization: read live, not versioned.
            "registration_update_days",
            "registration_warning_days",
            "suspension_days",
            "unregistered_notice_days",
            "registration_period_unit",
            "normalization_decision_hours",
            "normalization_requires_commitments",
            "data_request_days",
            "data_request_ladder",
            "risk_assessment_ladder",
        ]


class VersionInline(admin.TabularInline):
    model = EscalationPolicyVersion
    extra = 0
    shown: ClassVar[list[str]] = ["version", "created_at", "created_by", "terms"]
    fields = readonly_fields = tuple(shown)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(DecisionHistoryAdmin):
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
        policy_save(policy=obj, actor=staff_actor(request))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders keep pointing at its versions


class SanctionAdmin(TransitionAdmin):
    """Sanctions are created by the sweep or by proposals, and decided with the buttons."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _may_grant(request: NormalizationRequest, actor: Actor) -> None:
    transition_check(request, name="grant", actor=actor)
    four_eyes_check(request, actor)


class ConditionalGrantForm(ObjectActionForm):
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        help_text="One condition a line; each is verified until the date below.",
    )
    verify_until = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def clean_conditions(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["conditions"].splitlines() if line.strip()
        ]


class VerificationForm(ObjectActionForm):
    outcome = forms.ChoiceField(choices=NormalizationVerification.Outcome.choices)
    condition = forms.IntegerField(
        required=False, min_value=1, help_text="For a breach: the condition's number."
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class NormalizationForm(ObjectActionForm):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="What the platform did to comply (MR5 Art. 20).",
    )


class OpeningForm(ObjectActionForm):
    opens_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="The block is back on the ISPs' feed then, unless its cause was cured.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


@admin.register(AccessBlock)
class AccessBlockAdmin(SanctionAdmin):
    list_display = [
        "number",
        "platform",
        "status",
        "proposed_at",
        "proposed_by_label",
        "in_force_at",
    ]
    list_filter = ["status"]
    list_select_related = ["platform"]
    search_fields = ["number", "platform__name", "platform__domains__domain"]
    readonly_fields = [
        "number",
        "platform",
        "status",
        "cause",
        "legal_basis",
        "domain_list",
        "reason",
        "order_list",
        "opening_list",
        "proposed_at",
        "proposed_by_label",
        "decided_at",
        "decided_by",
        "decision_reason",
        "in_force_at",
        "lifted_at",
        "decision_history_table",
    ]
    transition_object_arg = "block"
    transition_services = {
        "approve": sanctions.access_block_approve,
        "reject": sanctions.access_block_reject,
    }
    transitions_requiring_reason = {"reject"}
    object_actions = {
        "open_temporarily": ObjectAction(
            gettext_lazy("Open temporarily"),
            OpeningForm,
            lambda block, actor, data: sanctions.access_block_open_temporarily(
                block=block,
                actor=actor,
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                reason=data["reason"],
            ),
            lambda block, actor: sanctions.access_block_open_temporarily_check(
                block=block, actor=actor
            ),
        ),
        "propose_lift": ObjectAction(
            gettext_lazy("Propose lifting"),
            ReasonForm,
            lambda block, actor, data: sanctions.access_block_lift_propose(
                block=block, actor=actor, reason=data["reason"]
            ),
            lambda block, actor: sanctions.sanction_release_propose_check(
                sanction=block, actor=actor
            ),
        ),
        "request_normalization": ObjectAction(
            gettext_lazy("Request normalization"),
            NormalizationForm,
            lambda block, actor, data: sanctions.normalization_request_file(
                platform=block.platform, actor=actor, statement=data["statement"]
            ),
            lambda block, actor: sanctions.normalization_request_file_check(
                platform=block.platform, actor=actor
            ),
        ),
    }

    @admin.display(description=gettext_lazy("orders"))
    def order_list(self, block: AccessBlock) -> str:
        return ", ".join(block.orders.values_list("reference", flat=True)) or "-"

    @admin.display(description=gettext_lazy("domains blocked"))
    def domain_list(self, block: AccessBlock) -> str:
        named = list(block.domains.values_list("domain", flat=True))
        return ", ".join(named) if named else "Every domain of the platform"

    @admin.display(description=gettext_lazy("temporary openings"))
    def opening_list(self, block: AccessBlock) -> str:
        return (
            "; ".join(
                f"{moment_text(o.opens_at)} - {moment_text(o.closes_at)}"
                + (f" ({o.get_outcome_display()})" if o.outcome else "")
                for o in block.openings.all()
            )
            or "-"
        )


class PaymentForm(ObjectActionForm):
    payment_reference = forms.CharField(
        max_length=100, required=False, help_text="Leave empty to confirm the declared reference."
    )


class DeclarationInline(admin.TabularInline):
    """What the platform declared, each declaration as it was made."""

    model = PaymentDeclaration
    extra = 0
    shown: ClassVar[list[str]] = ["declared_at", "reference", "declared_by_label", "status"]
    fields = readonly_fields = tuple(shown)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Fine)
class FineAdmin(SanctionAdmin):
    inlines = [DeclarationInline]
    list_display = ["number", "platform", "order", "amount", "currency", "status", "due_at"]
    list_filter = ["status", "currency"]
    list_select_related = ["platform", "order"]
    search_fields = ["number", "order__reference", "platform__name", "payment_reference"]
    readonly_fields = [
        "number",
        "platform",
        "order",
        "letter",
        "amount",
        "currency",
        "amounts_per_item",
        "status",
        "assessed_at",
        "due_at",
        "payment_reference",
        "payment_declared_at",
        "paid_at",
        "waived_reason",
        "decision_history_table",
    ]
    transition_object_arg = "fine"

    @admin.display(description=gettext_lazy("amount per item"))
    def amounts_per_item(self, fine: Fine) -> str:
        urls = dict(fine.order.items.values_list("pk", "url"))
        return item_amounts_table(fine.item_amounts, urls, fine.currency)

    class Media:
        js = [COPY_SCRIPT]

    transition_services = {
        "approve": sanctions.fine_approve,
        "reject": sanctions.fine_reject,
    }
    transitions_requiring_reason = {"reject"}
    object_actions = {
        "propose_waiver": ObjectAction(
            gettext_lazy("Propose waiver"),
            ReasonForm,
            lambda fine, actor, data: sanctions.fine_waive_propose(
                fine=fine, actor=actor, reason=data["reason"]
            ),
            lambda fine, actor: sanctions.sanction_release_propose_check(
                sanction=fine, actor=actor
            ),
        ),
        "confirm_payment": ObjectAction(
            gettext_lazy("Confirm payment"),
            PaymentForm,
            lambda fine, actor, data: sanctions.fine_confirm_payment(
                fine=fine, actor=actor, payment_reference=data["payment_reference"]
            ),
            lambda fine, actor: transition_check(fine, name="confirm_payment", actor=actor),
        ),
    }


@admin.register(WarningLetter)
class WarningLetterAdmin(ReadOnlyAdmin):
    list_display = ["number", "platform", "order", "level", "issued_at", "response_due_at"]
    list_select_related = ["platform", "order"]
    search_fields = ["number", "order__reference", "platform__name"]


@admin.register(RegistrationSanction)
class RegistrationSanctionAdmin(SanctionAdmin):
    list_display = ["__str__", "kind", "status", "proposed_at", "proposed_by_label"]
    list_select_related = ["platform"]
    list_filter = ["kind", "status"]
    readonly_fields = [
        "platform",
        "kind",
        "status",
        "reason",
        "proposed_at",
        "proposed_by_label",
        "decided_at",
        "decided_by",
        "decision_reason",
        "decision_history_table",
    ]
    transition_object_arg = "sanction"
    transition_services = {
        "approve": sanctions.registration_sanction_approve,
        "reject": sanctions.registration_sanction_reject,
    }
    transitions_requiring_reason = {"reject"}


class LateFilter(admin.SimpleListFilter):
    title = "decision time"
    parameter_name = "late"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Past 2 x 24 h")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(flagged_late_at__isnull=False) if self.value() == "yes" else queryset


@admin.register(NormalizationRequest)
class NormalizationRequestAdmin(SanctionAdmin):
    list_display = [
        "__str__",
        "status",
        "proposed_at",
        "decide_by",
        "flagged_late_at",
        "refusal_hint",
    ]
    list_filter = ["status", LateFilter]
    list_select_related = ["platform", "block"]
    readonly_fields = [
        "platform",
        "block",
        "status",
        "statement",
        "commitment_list",
        "condition_list",
        "verify_until",
        "verification_list",
        "proposed_at",
        "proposed_by_label",
        "decide_by",
        "flagged_late_at",
        "refusal_hint",
        "blockers",
        "decided_at",
        "decided_by",
        "decision_reason",
        "decision_history_table",
    ]
    transition_object_arg = "request"
    transition_services = {
        "grant": sanctions.normalization_grant,
        "refuse": sanctions.normalization_refuse,
    }
    transitions_requiring_reason = {"refuse"}
    object_actions = {
        "grant_conditionally": ObjectAction(
            gettext_lazy("Grant on conditions"),
            ConditionalGrantForm,
            lambda request, actor, data: sanctions.normalization_grant(
                request=request,
                actor=actor,
                reason=data["reason"],
                conditions=data["conditions"],
                verify_until=data["verify_until"],
            ),
            _may_grant,
        ),
        "verify": ObjectAction(
            gettext_lazy("Record a verification"),
            VerificationForm,
            lambda request, actor, data: sanctions.normalization_verify(
                request=request,
                actor=actor,
                outcome=data["outcome"],
                condition=data["condition"],
                note=data["note"],
            ),
            lambda request, actor: sanctions.normalization_verify_check(
                request=request, actor=actor
            ),
        ),
    }

    @admin.display(description=gettext_lazy("commitments"))
    def commitment_list(self, request: NormalizationRequest) -> str:
        kinds = dict(CommitmentKind.choices)
        return (
            format_html_join(
                "", "<p>{}: {}</p>", ((kinds[c["kind"]], c["text"]) for c in request.commitments)
            )
            or "None"
        )

    @admin.display(description=gettext_lazy("conditions"))
    def condition_list(self, request: NormalizationRequest) -> str:
        return (
            format_html_join(
                "", "<p>({}) {}</p>", enumerate((c["text"] for c in request.conditions), start=1)
            )
            or "None"
        )

    @admin.display(description=gettext_lazy("verifications"))
    def verification_list(self, request: NormalizationRequest) -> str:
        return (
            format_html_join(
                "",
                "<p>{} by {}: {}{}</p>",
                (
                    (
                        moment_text(v.checked_at),
                        v.checked_by,
                        v.get_outcome_display(),
                        f" (condition {v.condition}; re-block {v.reblock}): {v.note}"
                        if v.condition
                        else f": {v.note}",
                    )
                    for v in request.verifications.select_related("checked_by", "reblock")
                ),
            )
            or "None"
        )

    @admin.display(description=gettext_lazy("refusal suggested"))
    def refusal_hint(self, request: NormalizationRequest) -> str:
        if request.refusal_suggested:
            return f"Yes: blocked {request.platform.times_blocked} times (MR5 Art. 20)"
        return "No"

    @admin.display(description=gettext_lazy("what still stands in the way"))
    def blockers(self, request: NormalizationRequest) -> str:
        return "; ".join(normalization_blockers(block=request.block)) or "Nothing"


@admin.register(SanctionRelease)
class SanctionReleaseAdmin(SanctionAdmin):
    """Proposals to lift a block or waive a fine, decided by a second supervisor."""

    list_display = ["__str__", "kind", "status", "proposed_at", "proposed_by_label"]
    list_filter = ["kind", "status"]
    list_select_related = ["block", "fine"]
    readonly_fields = [
        "kind",
        "block",
        "fine",
        "status",
        "reason",
        "proposed_at",
        "proposed_by_label",
        "decided_at",
        "decided_by",
        "decision_reason",
        "decision_history_table",
    ]
    transition_object_arg = "release"
    transition_services = {
        "approve": sanctions.sanction_release_approve,
        "reject": sanctions.sanction_release_reject,
    }
    transitions_requiring_reason = {"reject"}


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "platform", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "event"]
    list_select_related = ["platform"]
    search_fields = ["subject", "platform__name"]


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    shown: ClassVar[list[str]] = ["attempted_at", "status_code", "error", "duration_ms"]
    fields = readonly_fields = tuple(shown)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "event",
        "platform",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event"]
    list_select_related = ["platform"]
    search_fields = ["msg_id", "platform__name"]
    inlines = [AttemptInline]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(DecisionHistoryAdmin):
    """The calendar working-day periods skip; every change a decision record."""

    list_display = ["date", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    readonly_fields = ["decision_history_table"]

    def save_model(
        self, request: HttpRequest, obj: PublicHoliday, form: ModelForm, change: bool
    ) -> None:
        holiday_save(actor=staff_actor(request), holiday=obj)

    def delete_model(self, request: HttpRequest, obj: PublicHoliday) -> None:
        holiday_delete(actor=staff_actor(request), holiday=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for holiday in queryset:
            holiday_delete(actor=staff_actor(request), holiday=holiday)
