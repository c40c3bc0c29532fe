"""Agencies, their API keys and their takedown requests: the regulator's triage desk."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext, gettext_lazy

from agencies import services
from agencies.models import AgencyKey, Referral, TakedownRequest
from backoffice.transitions import ObjectAction, ObjectActionForm, ReasonForm, TransitionAdmin
from compliance.kernel.actors import Actor
from notices.models import Agency


class KeyNameForm(ObjectActionForm):
    name = forms.CharField(max_length=100, help_text="What the key is for, e.g. 'production'.")


class NoteForm(ObjectActionForm):
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        label=gettext_lazy("Note"),
    )


def _create_key(agency: Agency, actor: Actor, data: dict[str, Any]) -> str:
    _, key = services.agency_key_create(agency=agency, actor=actor, name=data["name"])
    return gettext("API key created. Copy it now, it is not shown again: %(key)s") % {"key": key}


class AgencyKeyInline(admin.TabularInline):
    model = AgencyKey
    extra = 0
    shown: ClassVar[list[str]] = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = readonly_fields = tuple(shown)
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # made with the "Create API key" button, which shows the key once


@admin.register(Agency)
class AgencyAdmin(TransitionAdmin):
    list_display = ["name", "kind", "email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [AgencyKeyInline]
    transition_services = {}
    object_actions = {
        "create_api_key": ObjectAction(
            gettext_lazy("Create API key"),
            KeyNameForm,
            _create_key,
            lambda agency, actor: actor.require_perm("agencies.add_agencykey"),
        )
    }


@admin.register(AgencyKey)
class AgencyKeyAdmin(TransitionAdmin):
    list_display = ["name", "agency", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["agency"]
    readonly_fields = ["agency", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    transition_services = {}
    object_actions = {
        "revoke": ObjectAction(
            gettext_lazy("Revoke"),
            ReasonForm,
            lambda key, actor, data: services.agency_key_revoke(agency_key=key, actor=actor),
            lambda key, actor: services.agency_key_revoke_check(agency_key=key, actor=actor),
        )
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TakedownRequest)
class TakedownRequestAdmin(TransitionAdmin):
    """Triage: accept a request into draft orders (one per platform) or decline it."""

    list_display = ["__str__", "agency", "category", "status", "submitted_at"]
    list_select_related = ["agency", "category"]
    list_filter = ["status", "agency"]
    shown: ClassVar[list[str]] = [
        "agency",
        "category",
        "legal_basis",
        "description",
        "status",
        "submitted_at",
        "triaged_at",
        "triaged_by_label",
        "decline_reason",
        "requested_urls",
        "decision_history_table",
    ]
    fields = readonly_fields = tuple(shown)
    transition_services = {}
    object_actions = {
        "accept": ObjectAction(
            gettext_lazy("Accept into draft orders"),
            NoteForm,
            lambda request, actor, data: services.takedown_request_accept(
                request=request, actor=actor, reason=data["reason"]
            ),
            lambda request, actor: services.takedown_request_triage_check(
                request=request, actor=actor
            ),
        ),
        "decline": ObjectAction(
            gettext_lazy("Decline"),
            ReasonForm,
            lambda request, actor, data: services.takedown_request_decline(
                request=request, actor=actor, reason=data["reason"]
            ),
            lambda request, actor: services.takedown_request_triage_check(
                request=request, actor=actor
            ),
        ),
    }

    @admin.display(description=gettext_lazy("URLs"))
    def requested_urls(self, request: TakedownRequest) -> str:
        rows = [
            (
                item.url,
                item.platform or "-",
                item.order_item.order.reference if item.order_item else "-",
                gettext("already under an order") if item.already_ordered else "",
            )
            for item in request.items.select_related("platform", "order_item__order")
        ]
        return format_html_join("", "<div>{} | {} | {} {}</div>", rows) or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Cases referred to agencies; late acknowledgements stand out. Made from an order's page
    ("Refer to an agency"), answered by the agency through its API."""

    list_display = [
        "__str__",
        "agency",
        "order",
        "status",
        "acknowledge_by",
        "acknowledged_at",
        "late",
    ]
    list_select_related = ["agency", "order"]
    list_filter = ["status", "agency"]
    shown: ClassVar[list[str]] = [
        "agency",
        "order",
        "reason",
        "status",
        "referred_at",
        "referred_by_label",
        "acknowledge_by",
        "acknowledged_at",
        "outcome",
        "outcome_at",
    ]
    fields = readonly_fields = tuple(shown)

    @admin.display(description=gettext_lazy("late"), boolean=True)
    def late(self, referral: Referral) -> bool:
        return referral.acknowledged_late(timezone.now())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
