from datetime import timedelta
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from agencies.services import referral_create, referral_create_check
from backoffice.display import COPY_SCRIPT, addressees_table, reported_url
from backoffice.transitions import (
    ObjectAction,
    ObjectActionForm,
    PastedOrUploadedForm,
    ReasonForm,
    TransitionAdmin,
    staff_actor,
)
from compliance.kernel.actors import Actor
from fingerprints import services as fingerprints
from fingerprints.models import HashList
from notices import services
from notices.models import (
    CLOCK_STATES,
    Agency,
    ClockPause,
    ContentCategory,
    Evidence,
    Objection,
    OrderItem,
    RemovalOrder,
)

ORDER_FIELDS = [
    "platform",
    "agency",
    "category",
    "legal_basis",
    "description",
    "urgent",
    "escalation_policy",
]


class ImportItemsForm(PastedOrUploadedForm):
    missing = "Paste URLs or choose a file."
    text = forms.CharField(
        label="URLs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text="One URL a line, or CSV lines: url,content_id.",
    )
    off_platform_reason = forms.CharField(
        required=False,
        max_length=300,
        help_text="Needed if some URLs are on domains not registered to the platform.",
    )


class ReferForm(ObjectActionForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_active=True))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
    acknowledge_hours = forms.IntegerField(
        min_value=1, max_value=720, initial=48, help_text="Hours the agency has to acknowledge."
    )


class EvidenceForm(ObjectActionForm):
    file = forms.FileField()
    captured_at = forms.DateTimeField(help_text="When the capture was taken (regulator's time).")
    item = forms.ModelChoiceField(queryset=OrderItem.objects.none(), required=False)
    description = forms.CharField(required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = self.fields["item"]
        assert isinstance(items, forms.ModelChoiceField)
        items.queryset = self.obj.items.all()


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("due_24h", "Due within 24 h"), ("paused", "Clock paused")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        running = queryset.filter(status__in=CLOCK_STATES, clock_paused_at__isnull=True)
        if self.value() == "overdue":
            return running.filter(due_at__lte=now)
        if self.value() == "due_24h":
            return running.filter(due_at__gt=now, due_at__lte=now + timedelta(hours=24))
        if self.value() == "paused":
            return queryset.filter(clock_paused_at__isnull=False)
        return queryset


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    shown: ClassVar[list[str]] = [
        "reported_url",
        "content_id",
        "status",
        "off_platform_reason",
        "actioned_at",
        "reported_at",
        "note",
    ]
    fields = readonly_fields = tuple(shown)
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # items are added through "Import items", which checks them all

    @admin.display(description=gettext_lazy("URL (defanged)"))
    def reported_url(self, item: OrderItem) -> str:
        return reported_url(item.url)

    class Media:
        js = [COPY_SCRIPT]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    shown: ClassVar[list[str]] = [
        "download",
        "sha256",
        "size",
        "content_type",
        "item",
        "captured_at",
        "captured_by",
        "description",
    ]
    fields = readonly_fields = tuple(shown)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # added through "Add evidence", which hashes and checks the file

    @admin.display(description=gettext_lazy("file"))
    def download(self, evidence: Evidence) -> str:
        url = reverse("admin:notices_removalorder_evidence", args=[evidence.order_id, evidence.pk])
        return format_html('<a href="{}">{}{}</a>', url, evidence.sha256[:12], evidence.extension)


class ObjectionInline(admin.TabularInline):
    model = Objection
    extra = 0
    shown: ClassVar[list[str]] = ["status", "reason", "filed_at", "decided_at", "decision_reason"]
    fields = readonly_fields = tuple(shown)
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClockPauseInline(admin.TabularInline):
    model = ClockPause
    extra = 0
    shown: ClassVar[list[str]] = ["paused_at", "resumed_at", "reason", "paused_by", "resumed_by"]
    fields = readonly_fields = tuple(shown)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderAddForm(forms.ModelForm):
    items_text = forms.CharField(
        label="Items",
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="One URL a line, or CSV lines: url,content_id.",
    )
    off_platform_reason = forms.CharField(
        required=False,
        max_length=300,
        help_text="Needed if some URLs are on domains not registered to the platform.",
    )

    class Meta:
        model = RemovalOrder
        fields = ORDER_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        platform = data.get("platform")
        items = services.items_parse(
            data.get("items_text", ""), off_platform_reason=data.get("off_platform_reason", "")
        )
        if not items:
            self.add_error("items_text", "An order needs at least one URL.")
        elif platform is not None:
            errors, _ = services.items_check(
                items=items,
                domains=set(platform.domains.values_list("domain", flat=True)),
                existing=set(),
            )
            if errors:
                self.add_error("items_text", [f"Line {line}: {msg}" for line, msg in errors])
        data["items"] = items
        policy = data.get("escalation_policy")
        if platform is not None and policy is not None:
            try:
                services.order_policy_check(platform=platform, policy=policy)
            except ValidationError as refused:
                self.add_error(None, refused)
        return data


def _import(order: RemovalOrder, actor: Actor, data: dict[str, Any]) -> None:
    services.order_items_import(
        order=order, actor=actor, text=data["text"], off_platform_reason=data["off_platform_reason"]
    )


def _add_evidence(order: RemovalOrder, actor: Actor, data: dict[str, Any]) -> None:
    services.evidence_add(
        order=order,
        actor=actor,
        file=data["file"],
        captured_at=data["captured_at"],
        description=data["description"],
        item=data.get("item"),
    )


class HashListChoiceForm(ObjectActionForm):
    hash_list = forms.ModelChoiceField(queryset=HashList.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hash_list"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = HashList.objects.filter(category=self.obj.category_id)
        field.help_text = "Lists of this order's category. Platforms match against them."


def _fingerprints_to_list(order: RemovalOrder, actor: Actor, data: dict[str, Any]) -> str:
    added = fingerprints.hash_entries_from_order(
        actor=actor, hash_list=data["hash_list"], order=order
    )
    return f"{len(added)} hashes of this order's evidence added to {data['hash_list']}."


@admin.register(RemovalOrder)
class RemovalOrderAdmin(TransitionAdmin):
    list_display = [
        "reference",
        "platform",
        "category",
        "status",
        "urgent",
        "escalation_level",
        "due_local",
        "time_left",
        "agency",
    ]
    list_filter = ["status", "urgent", OverdueFilter, "category", "platform", "agency"]
    list_select_related = ["platform", "category", "agency"]
    search_fields = ["reference", "items__url"]
    date_hierarchy = "issued_at"
    inlines = [OrderItemInline, EvidenceInline, ObjectionInline, ClockPauseInline]
    readonly_fields = [
        "reference",
        "status",
        "policy_version",
        "issued_at",
        "due_local",
        "time_left",
        "clock_paused_at",
        "escalation_level",
        "addressees_table",
        "created_by",
        "reupload_of",
        "match_to_confirm",
        "match_confirmed_by",
        "decision_history_table",
    ]
    transition_object_arg = "order"
    transition_services = {
        "issue": services.order_issue,
        "acknowledge": services.order_acknowledge,
        "close": services.order_close,
        "reopen": services.order_reopen,
        "withdraw": services.order_withdraw,
    }
    transitions_requiring_reason = {"reopen", "withdraw"}
    object_actions = {
        "refer": ObjectAction(
            gettext_lazy("Refer to an agency"),
            ReferForm,
            lambda order, actor, data: referral_create(
                order=order,
                agency=data["agency"],
                actor=actor,
                reason=data["reason"],
                acknowledge_hours=data["acknowledge_hours"],
            ),
            lambda order, actor: referral_create_check(order=order, actor=actor),
        ),
        "import_items": ObjectAction(
            gettext_lazy("Import items"),
            ImportItemsForm,
            _import,
            lambda order, actor: services.order_items_add_check(order=order, actor=actor),
        ),
        "add_evidence": ObjectAction(
            gettext_lazy("Add evidence"),
            EvidenceForm,
            _add_evidence,
            lambda order, actor: services.evidence_add_check(order=order, actor=actor),
        ),
        "pause_clock": ObjectAction(
            gettext_lazy("Pause clock"),
            ReasonForm,
            lambda order, actor, data: services.order_clock_pause(
                order=order, actor=actor, reason=data["reason"]
            ),
            lambda order, actor: services.order_clock_pause_check(order=order, actor=actor),
        ),
        "confirm_match": ObjectAction(
            gettext_lazy("Confirm match and issue"),
            ReasonForm,
            lambda order, actor, data: services.order_match_confirm_and_issue(
                order=order, actor=actor, reason=data["reason"]
            ),
            lambda order, actor: services.order_match_confirm_check(order=order, actor=actor),
        ),
        "hash_list": ObjectAction(
            gettext_lazy("Add fingerprints to a hash list"),
            HashListChoiceForm,
            _fingerprints_to_list,
            lambda order, actor: fingerprints.hash_entries_from_order_check(
                order=order, actor=actor
            ),
        ),
        "resume_clock": ObjectAction(
            gettext_lazy("Resume clock"),
            ReasonForm,
            lambda order, actor, data: services.order_clock_resume(
                order=order, actor=actor, reason=data["reason"]
            ),
            lambda order, actor: services.order_clock_resume_check(order=order, actor=actor),
        ),
    }

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.evidence_download)
        return [
            path(
                "<path:object_id>/evidence/<int:evidence_id>/",
                view,
                name="notices_removalorder_evidence",
            ),
            *super().get_urls(),
        ]

    def evidence_download(
        self, request: HttpRequest, object_id: str, evidence_id: int
    ) -> FileResponse:
        """Evidence is served only here, to staff who may see it, never from a public URL; the
        type is the one read from the bytes on upload, and it is always an attachment."""
        if not request.user.has_perm("notices.view_evidence"):
            raise PermissionDenied
        evidence = get_object_or_404(Evidence, pk=evidence_id, order_id=object_id)
        response = FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=f"{evidence.sha256}{evidence.extension}",
            content_type=evidence.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # A new order's items come from the add form's list; the inlines only show.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = OrderAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": [*ORDER_FIELDS, "items_text", "off_platform_reason"]})]
        return [
            (None, {"fields": ["reference", "status", *ORDER_FIELDS]}),
            (
                gettext_lazy("Deadline"),
                {
                    "fields": [
                        "issued_at",
                        "due_local",
                        "time_left",
                        "clock_paused_at",
                        "escalation_level",
                        "policy_version",
                        "addressees_table",
                    ]
                },
            ),
            (
                gettext_lazy("Re-upload"),
                {"fields": ["reupload_of", "match_to_confirm", "match_confirmed_by"]},
            ),
            (gettext_lazy("Decision history"), {"fields": ["decision_history_table"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        # The order's terms are fixed once it is created; corrections are a withdrawal and a new
        # order, so the record shows what was served.
        return [*self.readonly_fields, *ORDER_FIELDS]

    def save_model(
        self, request: HttpRequest, obj: RemovalOrder, form: ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        created = services.order_create(
            actor=staff_actor(request),
            platform=data["platform"],
            agency=data["agency"],
            category=data["category"],
            legal_basis=data["legal_basis"],
            description=data["description"],
            urgent=data["urgent"],
            items=data["items"],
            policy=data.get("escalation_policy"),
        )
        obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db
        obj.reference = created.reference

    @admin.display(description=gettext_lazy("addressees"))
    def addressees_table(self, order: RemovalOrder) -> str:
        return addressees_table(order.addressees)

    @admin.display(description=gettext_lazy("due (local time)"), ordering="due_at")
    def due_local(self, order: RemovalOrder) -> Any:
        return timezone.localtime(order.due_at) if order.due_at else "-"

    @admin.display(description=gettext_lazy("time left"))
    def time_left(self, order: RemovalOrder) -> str:
        if order.due_at is None or order.status not in CLOCK_STATES:
            return "-"
        now = order.clock_paused_at or timezone.now()
        left = order.due_at - now
        paused = " (paused)" if order.clock_paused_at else ""
        if left.total_seconds() <= 0:
            return format_html(
                '<strong style="color:#ba2121">overdue by {}</strong>{}', _span(-left), paused
            )
        return f"{_span(left)}{paused}"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h {minutes:02d}m" if days else f"{hours}h {minutes:02d}m"


@admin.register(Objection)
class ObjectionAdmin(TransitionAdmin):
    list_display = ["__str__", "order", "status", "filed_at", "decided_at"]
    list_select_related = ["order"]
    list_filter = ["status"]
    search_fields = ["order__reference", "reason"]
    readonly_fields = [
        "order",
        "items",
        "reason",
        "status",
        "filed_at",
        "decided_at",
        "decision_reason",
        "decision_history_table",
    ]
    transition_object_arg = "objection"
    transition_services = {"uphold": services.objection_uphold, "reject": services.objection_reject}
    transitions_requiring_reason = {"uphold", "reject"}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # filed by the platform (API) or recorded through the services


@admin.register(ContentCategory)
class ContentCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "urgent", "escalation_policy"]
    list_filter = ["urgent"]
