from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy

from backoffice.transitions import (
    ObjectAction,
    ObjectActionForm,
    ReasonForm,
    TransitionAdmin,
    staff_actor,
)
from compliance.kernel.actors import Actor
from compliance.kernel.formats import moment_text
from compliance.policies import citations
from compliance.sanctions.services import (
    access_block_propose,
    access_block_propose_check,
    access_block_propose_direct,
    access_block_propose_direct_check,
)
from registry import changes, services, standing
from registry.models import (
    ApiKey,
    DesignationKind,
    Platform,
    PlatformApp,
    PlatformContact,
    PlatformDesignation,
    PlatformDomain,
    PlatformTurnover,
    RegistrationChange,
)
from transparency.display import amount_text
from transparency.selectors import UnknownPeriod, period_published, safety_score_of
from transparency.selectors import scorecard as transparency_scorecard


class DomainInline(admin.TabularInline):
    model = PlatformDomain
    extra = 1
    shown: ClassVar[list[str]] = ["domain", "created_at"]
    readonly_fields = ["created_at"]


class ContactInline(admin.TabularInline):
    model = PlatformContact
    extra = 1


class AppInline(admin.TabularInline):
    model = PlatformApp
    extra = 0


class NameForm(ObjectActionForm):
    name = forms.CharField(max_length=100, help_text="What the key is for, e.g. 'production'.")


def _create_api_key(platform: Platform, actor: Actor, data: dict[str, Any]) -> str:
    _, key = services.api_key_create(platform=platform, actor=actor, name=data["name"])
    return f"API key created. Copy it now, it is not shown again: {key}"


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    shown: ClassVar[list[str]] = [
        "name",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    fields = readonly_fields = tuple(shown)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # created with the "Create API key" button, which shows the key once


class TurnoverInline(admin.TabularInline):
    """Every turnover declared, latest period first: fines set as a share of turnover use the
    first row."""

    model = PlatformTurnover
    extra = 0
    shown: ClassVar[list[str]] = [
        "amount",
        "currency",
        "period_start",
        "period_end",
        "scope",
        "source",
        "declared_at",
        "declared_by_label",
    ]
    fields = readonly_fields = tuple(shown)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # declared with the "Declare turnover" button, which records it


class DesignationInline(admin.TabularInline):
    """Designations in force and ended: the platform's history."""

    model = PlatformDesignation
    extra = 0
    shown: ClassVar[list[str]] = [
        "kind",
        "basis",
        "user_count",
        "user_count_as_of",
        "decision_reference",
        "effective_from",
        "ended_at",
        "end_reason",
    ]
    fields = readonly_fields = tuple(shown)
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # made with the "Designate" button


class TurnoverForm(ObjectActionForm):
    amount = forms.DecimalField(max_digits=20, decimal_places=2, min_value=Decimal("0.01"))
    currency = forms.CharField(max_length=3, help_text=gettext_lazy("ISO 4217, e.g. EUR."))
    period_start = forms.DateField()
    period_end = forms.DateField()
    scope = forms.ChoiceField(
        choices=[("worldwide", gettext_lazy("Worldwide")), ("national", gettext_lazy("National"))]
    )
    source = forms.CharField(
        max_length=300, help_text=gettext_lazy("E.g. 'Audited annual accounts 2025'.")
    )


class DesignationForm(ObjectActionForm):
    kind = forms.ChoiceField(choices=DesignationKind.choices)
    basis = forms.ChoiceField(choices=PlatformDesignation.Basis.choices)
    user_count = forms.IntegerField(required=False, min_value=0)
    user_count_as_of = forms.DateField(required=False)
    decision_reference = forms.CharField(required=False, max_length=200)
    effective_from = forms.DateField()


def _declare_turnover(platform: Platform, actor: Actor, data: dict[str, Any]) -> Any:
    return standing.turnover_declare(
        actor=actor,
        platform=platform,
        amount=data["amount"],
        currency=data["currency"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        scope=data["scope"],
        source=data["source"],
    )


def _designate(platform: Platform, actor: Actor, data: dict[str, Any]) -> Any:
    return standing.designation_record(
        actor=actor,
        platform=platform,
        kind=data["kind"],
        basis=data["basis"],
        user_count=data["user_count"],
        user_count_as_of=data["user_count_as_of"],
        decision_reference=data["decision_reference"],
        effective_from=data["effective_from"],
    )


@admin.register(PlatformDesignation)
class PlatformDesignationAdmin(TransitionAdmin):
    list_display = ["platform", "kind", "basis", "effective_from", "ended_at"]
    list_select_related = ["platform"]
    list_filter = ["kind", ("ended_at", admin.EmptyFieldListFilter)]
    shown: ClassVar[list[str]] = [
        "platform",
        "kind",
        "basis",
        "user_count",
        "user_count_as_of",
        "decision_reference",
        "effective_from",
        "recorded_at",
        "recorded_by_label",
        "ended_at",
        "end_reason",
    ]
    fields = readonly_fields = tuple(shown)
    transition_services = {}
    object_actions = {
        "end": ObjectAction(
            gettext_lazy("End the designation"),
            ReasonForm,
            lambda designation, actor, data: standing.designation_end(
                designation=designation, actor=actor, reason=data["reason"]
            ),
            lambda designation, actor: standing.designation_end_check(
                designation=designation, actor=actor
            ),
        )
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(TransitionAdmin):
    list_display = ["name", "platform", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["platform"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "platform__name"]
    readonly_fields = [
        "platform",
        "name",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    transition_services = {}
    object_actions = {
        "revoke": ObjectAction(
            gettext_lazy("Revoke"),
            ReasonForm,
            lambda key, actor, data: services.api_key_revoke(api_key=key, actor=actor),
            lambda key, actor: services.api_key_revoke_check(api_key=key, actor=actor),
        )
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AcceptForm(ObjectActionForm):
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        label=gettext_lazy("Note"),
    )


@admin.register(RegistrationChange)
class RegistrationChangeAdmin(TransitionAdmin):
    """A platform's declared change and the corrected record it submitted: accept it (it
    replaces the registered record) or ask for more (the correction period runs again)."""

    list_display = ["__str__", "platform", "status", "declared_at", "submitted_at", "submissions"]
    list_select_related = ["platform"]
    list_filter = ["status"]
    search_fields = ["platform__name", "description"]
    shown: ClassVar[list[str]] = [
        "platform",
        "description",
        "status",
        "submitted_record",
        "declared_at",
        "submitted_at",
        "submissions",
        "decided_at",
        "decided_by_label",
        "officer_reason",
        "decision_history_table",
    ]
    fields = readonly_fields = tuple(shown)
    transition_services = {}
    object_actions = {
        "accept": ObjectAction(
            gettext_lazy("Accept the record"),
            AcceptForm,
            lambda change, actor, data: changes.registration_change_accept(
                change=change, actor=actor, reason=data["reason"]
            ),
            lambda change, actor: changes.registration_change_decide_check(
                change=change, actor=actor
            ),
        ),
        "return": ObjectAction(
            gettext_lazy("Ask for more"),
            ReasonForm,
            lambda change, actor, data: changes.registration_change_return(
                change=change, actor=actor, reason=data["reason"]
            ),
            lambda change, actor: changes.registration_change_decide_check(
                change=change, actor=actor
            ),
        ),
    }

    @admin.display(description=gettext_lazy("Corrected record"))
    def submitted_record(self, change: RegistrationChange) -> str:
        """Each submitted field beside the registered value it would replace."""
        platform = change.platform
        registered: dict[str, Any] = {
            "domains": list(platform.domains.values_list("domain", flat=True)),
            "contacts": [
                f"{c.name} ({c.role}) {c.email} {c.phone}" for c in platform.contacts.all()
            ],
        }
        rows = []
        for name, value in change.record.items():
            now = registered.get(name, getattr(platform, name, ""))
            if name == "contacts":
                value = [f"{c['name']} ({c['role']}) {c['email']} {c['phone']}" for c in value]
            rows.append((name, _listed(now), _listed(value)))
        if not rows:
            return "-"
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            gettext("Field"),
            gettext("Registered"),
            gettext("Submitted"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _listed(value: Any) -> str:
    return "; ".join(str(v) for v in value) if isinstance(value, list) else str(value)


class DirectBlockForm(ObjectActionForm):
    domains = forms.ModelMultipleChoiceField(
        queryset=PlatformDomain.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these go on the ISPs' feed (the service's own, not its parent's).",
    )
    legal_basis = forms.CharField(max_length=300, initial=citations.DIRECT_BLOCK)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domains"].queryset = self.obj.domains.all()  # type: ignore[attr-defined]


@admin.action(description="Notify every unregistered platform (one notice, the policy's period)")
def notify_every_unregistered(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Platform]
) -> None:
    notified = services.platforms_notify_unregistered(
        actor=staff_actor(request),
        reason="Operating without registration: register within the period (MR5 Art. 7).",
    )
    modeladmin.message_user(request, f"{len(notified)} unregistered platforms notified.")


@admin.register(Platform)
class PlatformAdmin(TransitionAdmin):
    actions = [notify_every_unregistered]
    list_display = [
        "name",
        "status",
        "registration_number",
        "sector",
        "is_ugc",
        "is_foreign",
        "times_blocked",
    ]
    list_filter = ["status", "sector", "is_ugc", "is_foreign"]
    search_fields = ["name", "legal_name", "registration_number", "domains__domain"]
    inlines = [
        DomainInline,
        ContactInline,
        AppInline,
        ApiKeyInline,
        TurnoverInline,
        DesignationInline,
    ]
    readonly_fields = [
        "status",
        "registration_number",
        "registered_at",
        "times_blocked",
        "case_file",
        "scorecard",
        "decision_history_table",
    ]
    fieldsets = [
        (None, {"fields": ["name", "legal_name", "sector", "business_model", "is_ugc"]}),
        (
            gettext_lazy("Registration"),
            {"fields": ["status", "registration_number", "registered_at", "times_blocked"]},
        ),
        (
            gettext_lazy("Foreign operator"),
            {
                "fields": [
                    "is_foreign",
                    "country",
                    "leadership",
                    "incorporation_number",
                    "incorporation_date",
                ]
            },
        ),
        (
            gettext_lazy("Users and data"),
            {"fields": ["user_count", "personal_data_processed", "data_location"]},
        ),
        (
            gettext_lazy("Enforcement policies"),
            {"fields": ["escalation_policy", "profiles"]},
        ),
        (gettext_lazy("Case file (newest first)"), {"fields": ["case_file"]}),
        (gettext_lazy("Scorecard (latest published month)"), {"fields": ["scorecard"]}),
        (gettext_lazy("Decision history"), {"fields": ["decision_history_table"]}),
    ]
    transition_object_arg = "platform"
    transition_services = services.TRANSITION_SERVICES
    transitions_requiring_reason = services.REASON_REQUIRED

    @admin.display(description=gettext_lazy("Case file"))
    def case_file(self, platform: Platform) -> str:
        """Everything the regulator did with this platform, newest first, each linking to its
        page: orders, letters, fines, blocks, normalization requests and risk assessments."""
        if platform.pk is None:
            return "-"
        sections = [
            (
                gettext_lazy("Orders"),
                "notices_removalorder",
                platform.orders.order_by("-created_at").values_list(
                    "pk", "reference", "status", "created_at"
                ),
            ),
            (
                gettext_lazy("Official letters (PDF)"),
                "compliance_officialletter",
                platform.official_letters.order_by("-issued_at").values_list(
                    "pk", "number", "kind", "issued_at"
                ),
            ),
            (
                gettext_lazy("Warning letters"),
                "compliance_warningletter",
                platform.letters.order_by("-issued_at").values_list(
                    "pk", "number", "level", "issued_at"
                ),
            ),
            (
                gettext_lazy("Fines"),
                "compliance_fine",
                platform.fines.order_by("-assessed_at").values_list(
                    "pk", "number", "status", "assessed_at"
                ),
            ),
            (
                gettext_lazy("Access blocks"),
                "compliance_accessblock",
                platform.blocks.order_by("-proposed_at").values_list(
                    "pk", "number", "status", "proposed_at"
                ),
            ),
            (
                gettext_lazy("Normalization requests"),
                "compliance_normalizationrequest",
                platform.normalization_requests.order_by("-proposed_at").values_list(
                    "pk", "pk", "status", "proposed_at"
                ),
            ),
            (
                gettext_lazy("Risk assessments"),
                "assessments_riskassessment",
                platform.risk_assessments.order_by("-opened_at").values_list(
                    "pk", "cycle", "status", "opened_at"
                ),
            ),
        ]
        parts = []
        for title, name, rows in sections:
            items = format_html_join(
                "",
                '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td></tr>',
                (
                    (
                        reverse(f"admin:{name}_change", args=[pk]),
                        label,
                        state,
                        moment_text(when),
                    )
                    for pk, label, state, when in rows[:50]
                ),
            )
            parts.append(
                format_html(
                    "<h3>{} ({})</h3><table><tbody>{}</tbody></table>",
                    title,
                    rows.count(),
                    items or format_html("<tr><td>{}</td></tr>", gettext("None")),
                )
            )
        return format_html_join("", "{}", ((p,) for p in parts))

    @admin.display(description=gettext_lazy("Scorecard"))
    def scorecard(self, platform: Platform) -> str:
        """Its figures (its own small counts too: staff see them) beside the median platform,
        and its gender safety index, for the latest published month."""
        if platform.pk is None:
            return "-"
        try:
            period, _ = period_published(key=None)
        except UnknownPeriod:
            return "No figures are published yet."
        lines = [
            line
            for line in transparency_scorecard(platform=platform, period=period)
            if line.own.value is not None or line.median is not None
        ]
        score = safety_score_of(platform=platform, period=period)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    line.metric.label,
                    # Staff see the platform's own small counts (withheld only publicly).
                    amount_text(line.own.value, line.metric.unit),
                    amount_text(line.median, line.metric.unit),
                )
                for line in lines
            ),
        )
        index = (
            f"Gender safety index {score.score} (methodology version {score.methodology.version})"
            if score
            else "No gender safety index for this month."
        )
        return format_html(
            "<p>{}: {}</p><table><thead><tr><th>Figure</th><th>This platform</th>"
            "<th>Median platform</th></tr></thead><tbody>{}</tbody></table>",
            period.label(),
            index,
            rows,
        )

    object_actions = {
        "notify_unregistered": ObjectAction(
            gettext_lazy("Notify to register"),
            ReasonForm,
            lambda platform, actor, data: services.platform_notify_unregistered(
                platform=platform, actor=actor, reason=data["reason"]
            ),
            lambda platform, actor: services.platform_notify_unregistered_check(
                platform=platform, actor=actor
            ),
        ),
        "create_api_key": ObjectAction(
            gettext_lazy("Create API key"),
            NameForm,
            _create_api_key,
            lambda platform, actor: services.api_key_create_check(platform=platform, actor=actor),
        ),
        "propose_direct_block": ObjectAction(
            gettext_lazy("Block chosen domains now (Art. 9)"),
            DirectBlockForm,
            lambda platform, actor, data: access_block_propose_direct(
                platform=platform,
                actor=actor,
                domains=[d.domain for d in data["domains"]],
                legal_basis=data["legal_basis"],
                reason=data["reason"],
            ),
            lambda platform, actor: access_block_propose_direct_check(
                platform=platform, actor=actor
            ),
        ),
        "declare_turnover": ObjectAction(
            gettext_lazy("Declare turnover"),
            TurnoverForm,
            _declare_turnover,
            lambda platform, actor: actor.require_perm("registry.change_platform"),
        ),
        "designate": ObjectAction(
            gettext_lazy("Designate"),
            DesignationForm,
            _designate,
            lambda platform, actor: actor.require_perm(standing.DESIGNATE),
        ),
        "propose_block": ObjectAction(
            gettext_lazy("Propose access block"),
            ReasonForm,
            lambda platform, actor, data: access_block_propose(
                platform=platform, actor=actor, reason=data["reason"]
            ),
            lambda platform, actor: access_block_propose_check(platform=platform, actor=actor),
        ),
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[Platform]:
        return super().get_queryset(request).distinct()

    def save_model(
        self, request: HttpRequest, obj: Platform, form: ModelForm, change: bool
    ) -> None:
        """Nothing yet: the record and its inline rows are saved together by one service in
        save_related, once every form is read."""

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm,
        formsets: list[BaseInlineFormSet],
        change: bool,
    ) -> None:
        # API keys' rows are read-only here: nothing to save in theirs.
        related = [
            services.RelatedChanges(
                saved=formset.save(commit=False), removed=formset.deleted_objects
            )
            for formset in formsets
        ]
        fields = form.changed_data if change else form.cleaned_data
        saved = services.platform_record_save(
            platform=Platform.objects.get(pk=form.instance.pk) if change else None,
            actor=staff_actor(request),
            record={
                f: form.cleaned_data[f]
                for f in fields
                if f in services.RECORD_FIELDS or f == services.PROFILES
            },
            related=related,
        )
        # The admin names the saved object in its message and log entry.
        form.instance.pk, form.instance._state.adding = saved.pk, False
