"""Hash lists in the back office: lists and their imports, entries (withdraw, review, open a
re-upload order), the allow list, matches, and which platforms use the lists."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from backoffice.display import COPY_SCRIPT, reported_url
from backoffice.transitions import (
    ObjectAction,
    ObjectActionForm,
    PastedOrUploadedForm,
    TransitionAdmin,
    staff_actor,
)
from compliance.kernel.actors import Actor
from fingerprints import services
from fingerprints.models import (
    MANAGE,
    AllowedHash,
    EntryStatus,
    HashEntry,
    HashList,
    Match,
    PlatformHashUse,
)
from registry.models import Platform, RegistrationStatus


class ImportHashesForm(PastedOrUploadedForm):
    missing = "Paste hashes or choose a file."
    text = forms.CharField(
        label="Hashes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text="CSV lines: type,hash[,quality] (types: sha256, md5, pdq). A header is allowed.",
    )


class RestrictForm(ObjectActionForm):
    everyone = forms.BooleanField(
        required=False, label="Open to every registered platform", initial=True
    )
    platforms = forms.ModelMultipleChoiceField(
        queryset=Platform.objects.order_by("name"),
        required=False,
        help_text="Otherwise, only these platforms may match against and download the list.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["everyone"].initial = not self.obj.restricted
            self.fields["platforms"].initial = list(self.obj.platforms.all())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("everyone") and not data.get("platforms"):
            raise ValidationError("Choose the platforms, or open the list to every platform.")
        return data


def _import(hash_list: HashList, actor: Actor, data: dict[str, Any]) -> str:
    added = services.hash_entries_import(actor=actor, hash_list=hash_list, text=data["text"])
    return f"{len(added)} hashes added to {hash_list}."


def _restrict(hash_list: HashList, actor: Actor, data: dict[str, Any]) -> None:
    chosen = None if data["everyone"] else list(data["platforms"])
    services.hash_list_restrict(actor=actor, hash_list=hash_list, platforms=chosen)


def _may_manage(_obj: Any, actor: Actor) -> None:
    actor.require_perm(MANAGE)


class HashListForm(forms.ModelForm):
    class Meta:
        model = HashList
        fields = ["name", "category", "description", "pdq_threshold"]


@admin.register(HashList)
class HashListAdmin(TransitionAdmin):
    form = HashListForm
    list_display = ["name", "category", "pdq_threshold", "restricted", "active", "withdrawn"]
    list_select_related = ["category"]
    list_filter = ["category", "restricted"]
    search_fields = ["name"]
    readonly_fields = ["restricted", "open_to", "created_at", "decision_history_table"]
    transition_services = {}
    object_actions = {
        "import": ObjectAction(
            gettext_lazy("Import hashes"), ImportHashesForm, _import, _may_manage
        ),
        "restrict": ObjectAction(
            gettext_lazy("Choose platforms"), RestrictForm, _restrict, _may_manage
        ),
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[HashList]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_count=Count("entries", filter=Q(entries__status=EntryStatus.ACTIVE)),
                withdrawn_count=Count("entries", filter=Q(entries__status=EntryStatus.WITHDRAWN)),
            )
        )

    @admin.display(description=gettext_lazy("active"), ordering="active_count")
    def active(self, hash_list: Any) -> int:
        return int(hash_list.active_count)

    @admin.display(description=gettext_lazy("withdrawn"), ordering="withdrawn_count")
    def withdrawn(self, hash_list: Any) -> int:
        return int(hash_list.withdrawn_count)

    @admin.display(description=gettext_lazy("open to"))
    def open_to(self, hash_list: HashList) -> str:
        if not hash_list.restricted:
            return "Every registered platform"
        return ", ".join(str(p) for p in hash_list.platforms.all()) or "No platform"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        # A list's name and threshold are what platforms were told: fixed once created.
        return [*self.readonly_fields, "name", "category", "description", "pdq_threshold"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # restricted and filled through the buttons, which record decisions

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE)

    def save_model(
        self, request: HttpRequest, obj: HashList, form: ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        created = services.hash_list_create(
            actor=staff_actor(request),
            name=data["name"],
            category=data["category"],
            description=data["description"],
            pdq_threshold=data["pdq_threshold"],
        )
        obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db


class ReuploadForm(ObjectActionForm):
    platform = forms.ModelChoiceField(queryset=Platform.objects.order_by("name"))
    url = forms.URLField(
        max_length=2000, assume_scheme="https", help_text="Where the content was found again."
    )


def _reupload(entry: HashEntry, actor: Actor, data: dict[str, Any]) -> str:
    order = services.reupload_order_open(
        actor=actor, entry=entry, platform=data["platform"], url=data["url"]
    )
    return f"Draft re-upload order {order.reference} opened; issue it from its page."


@admin.register(HashEntry)
class HashEntryAdmin(TransitionAdmin):
    list_display = [
        "__str__",
        "hash_list",
        "hash_type",
        "status",
        "quality",
        "source",
        "created_at",
    ]
    list_select_related = ["hash_list", "order"]
    list_filter = ["status", "hash_type", "hash_list"]
    search_fields = ["value"]
    shown: ClassVar[list[str]] = [
        "hash_list",
        "hash_type",
        "value",
        "quality",
        "frames",
        "status",
        "evidence",
        "order",
        "submitted_by_label",
        "note",
        "change_seq",
        "matches",
        "false_positive_reports",
        "created_at",
        "decision_history_table",
    ]
    fields = readonly_fields = tuple(shown)
    transition_object_arg = "entry"
    transition_services = {
        "withdraw": services.hash_entry_withdraw,
        "release": services.hash_entry_release,
    }
    transitions_requiring_reason = {"withdraw", "release"}
    object_actions = {
        "reupload": ObjectAction(
            gettext_lazy("Re-upload found"), ReuploadForm, _reupload, _may_manage
        ),
    }

    @admin.display(description=gettext_lazy("from"))
    def source(self, entry: HashEntry) -> str:
        if entry.order_id is None:
            return "hash only"
        url = reverse("admin:notices_removalorder_change", args=[entry.order_id])
        return format_html('<a href="{}">{}</a>', url, entry.order)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # added from an order's evidence or by an import, both recorded

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AllowedHashForm(forms.ModelForm):
    class Meta:
        model = AllowedHash
        fields = ["hash_type", "value", "reason"]


@admin.register(AllowedHash)
class AllowedHashAdmin(TransitionAdmin):
    form = AllowedHashForm
    list_display = ["__str__", "hash_type", "reason", "added_by", "added_at"]
    transition_services = {}
    list_filter = ["hash_type"]
    search_fields = ["value", "reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["hash_type", "value", "reason", "added_by", "added_at", "decision_history_table"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: AllowedHash, form: ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        created = services.allowed_hash_add(
            actor=staff_actor(request),
            hash_type=data["hash_type"],
            value=data["value"],
            reason=data["reason"],
        )
        obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = [
        "public_id",
        "platform",
        "entry",
        "hash_type",
        "distance",
        "status",
        "created_at",
    ]
    list_select_related = ["platform", "entry"]
    list_filter = ["status", "hash_type", "platform"]
    search_fields = ["public_id", "query"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "public_id",
        "platform",
        "entry",
        "hash_type",
        "query",
        "distance",
        "status",
        "reported_url",
        "reupload_order",
        "created_at",
    ]

    @admin.display(description=gettext_lazy("URL (defanged)"))
    def reported_url(self, match: Match) -> str:
        return reported_url(match.url) if match.url else "-"

    class Media:
        js = [COPY_SCRIPT]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by platforms' lookups

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Platforms expected to check uploads: registered ones, whatever enforcement they are under.
SERVING = [
    RegistrationStatus.REGISTERED,
    RegistrationStatus.UPDATE_REQUIRED,
    RegistrationStatus.WARNED,
    RegistrationStatus.SUSPENDED,
    RegistrationStatus.BLOCKED,
]


@admin.register(PlatformHashUse)
class PlatformHashUseAdmin(admin.ModelAdmin):
    """Registered platforms, those that never synced nor looked anything up first."""

    list_display = ["name", "status", "last_synced", "lookups", "matched"]
    ordering = [F("hash_usage__last_synced_at").asc(nulls_first=True), "name"]
    list_filter = ["status"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(status__in=SERVING).select_related("hash_usage")

    @admin.display(description=gettext_lazy("last synced"), ordering="hash_usage__last_synced_at")
    def last_synced(self, platform: Platform) -> Any:
        usage = getattr(platform, "hash_usage", None)
        if usage is None or usage.last_synced_at is None:
            return format_html('<strong style="color:#ba2121">{}</strong>', "never")
        return usage.last_synced_at

    @admin.display(description=gettext_lazy("lookups"))
    def lookups(self, platform: Platform) -> int:
        usage = getattr(platform, "hash_usage", None)
        return usage.lookups if usage else 0

    @admin.display(description=gettext_lazy("matched"))
    def matched(self, platform: Platform) -> int:
        usage = getattr(platform, "hash_usage", None)
        return usage.matched if usage else 0

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
