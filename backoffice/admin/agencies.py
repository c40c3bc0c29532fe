"""Agencies and their staff and API keys; their takedown requests, referrals and data-access
requests: the regulator's triage desk, and each agency's own view of its requests."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy

from agencies import data_requests, services
from agencies.models import (
    AgencyKey,
    AgencyMember,
    DataRequest,
    DataRequestFile,
    Referral,
    TakedownRequest,
)
from agencies.selectors import CooperationRow, cooperation_report
from backoffice.transitions import (
    AddService,
    ObjectAction,
    ObjectActionForm,
    ReasonForm,
    ServiceAddForm,
    TransitionAdmin,
    member_agency_id,
    staff_actor,
)
from compliance.kernel.actors import Actor
from compliance.kernel.errors import DomainError
from fingerprints.services import HashInput
from notices.models import Agency, ContentCategory, OrderStatus, RemovalOrder
from registry.models import Platform


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
    change_list_template = "admin/agencies/agency_changelist.html"
    transition_services = {}
    object_actions = {
        "create_api_key": ObjectAction(
            gettext_lazy("Create API key"),
            KeyNameForm,
            _create_key,
            lambda agency, actor: actor.require_perm("agencies.add_agencykey"),
        )
    }

    def get_urls(self) -> list[Any]:
        return [
            path(
                "cooperation/",
                self.admin_site.admin_view(self.cooperation_view),
                name="agencies_cooperation",
            ),
            *super().get_urls(),
        ]

    def cooperation_view(self, request: HttpRequest) -> HttpResponse:
        """Per agency, for a period: takedown requests made and how triage answered them,
        referrals acknowledged on time or late, data-access requests; as a table or CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        form = PeriodForm(request.GET or {"start": today.replace(day=1), "end": today})
        rows: list[CooperationRow] = []
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            rows = cooperation_report(
                start=_midnight(start), end=_midnight(end + timedelta(days=1)), now=timezone.now()
            )
            if request.GET.get("format") == "csv":
                response = HttpResponse(content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = (
                    f'attachment; filename="agency-cooperation-{start}-{end}.csv"'
                )
                writer = csv.writer(response)
                writer.writerow(CooperationRow.COLUMNS)
                writer.writerows(row.values() for row in rows)
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Agency cooperation"),
            "form": form,
            "rows": rows,
            "csv_query": request.GET.urlencode(),
        }
        return TemplateResponse(request, "admin/agencies/cooperation.html", context)


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"))
    end = forms.DateField(label=gettext_lazy("To (inclusive)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(gettext("The period ends before it starts."))
        return data


def _midnight(day: date) -> datetime:
    """The start of `day` in the regulator's zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


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


class AgencyScoped(admin.ModelAdmin):
    """An agency's staff see their agency's rows only (and no agency filter)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        found = super().get_queryset(request)
        agency_id = member_agency_id(request.user)
        return found.filter(agency_id=agency_id) if agency_id else found

    def get_list_filter(self, request: HttpRequest) -> Any:
        listed = super().get_list_filter(request)
        if member_agency_id(request.user):
            return [f for f in listed if f != "agency"]
        return listed


def _agency_of(actor: Actor) -> Agency:
    assert actor.agency_id is not None
    return Agency.objects.get(pk=actor.agency_id)


class AgencyChoiceForm(ServiceAddForm):
    """Staff of the regulator choose the agency; an agency's staff send in their own name."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_active=True))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        if actor.kind == "agency":
            del self.fields["agency"]

    def agency_chosen(self) -> Agency:
        if self.actor.kind == "agency":
            return _agency_of(self.actor)
        chosen: Agency = self.cleaned_data["agency"]
        return chosen


class TakedownAddForm(AgencyChoiceForm):
    category = forms.ModelChoiceField(
        queryset=ContentCategory.objects.all(), to_field_name="code", label=gettext_lazy("Category")
    )
    legal_basis = forms.CharField(max_length=300, label=gettext_lazy("Legal basis"))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Description")
    )
    urls = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        label=gettext_lazy("URLs"),
        help_text=gettext_lazy("One a line."),
    )
    hashes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        label=gettext_lazy("Fingerprints"),
        help_text=gettext_lazy(
            "Hashes only, one a line as type,hex (sha256, md5 or pdq): for content you do not "
            "send as a file."
        ),
    )

    def clean_hashes(self) -> list[HashInput]:
        found = []
        for number, line in enumerate(self.cleaned_data["hashes"].splitlines(), start=1):
            if not line.strip():
                continue
            hash_type, _, value = line.partition(",")
            if not value:
                raise forms.ValidationError(gettext("Line %(n)d: write type,hex.") % {"n": number})
            found.append(HashInput(hash_type.strip().lower(), value.strip()))
        return found


def _takedown_add(actor: Actor, form: TakedownAddForm) -> TakedownRequest:
    data = form.cleaned_data
    return services.takedown_request_submit(
        agency=form.agency_chosen(),
        actor=actor,
        category=data["category"].code,
        legal_basis=data["legal_basis"],
        description=data["description"],
        urls=[line.strip() for line in data["urls"].splitlines() if line.strip()],
        hashes=data["hashes"],
    )


class MergeForm(ObjectActionForm):
    order = forms.ModelChoiceField(
        queryset=RemovalOrder.objects.filter(status=OrderStatus.DRAFT).select_related("platform"),
        help_text=gettext_lazy("A draft order on the same platform."),
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        label=gettext_lazy("Note"),
    )


@admin.register(TakedownRequest)
class TakedownRequestAdmin(AgencyScoped, TransitionAdmin):
    """Triage: accept a request into draft orders (one per platform), merge it into a draft
    order, or decline it. An agency's staff send requests here too, and follow theirs."""

    list_display = ["__str__", "agency", "category", "status", "submitted_at"]
    list_select_related = ["agency", "category"]
    list_filter = ["status", "agency"]
    add_service = AddService(TakedownAddForm, _takedown_add)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """An agency's staff send requests; officers enter one an agency sent on paper."""
        user = request.user
        return user.has_perm("agencies.add_takedownrequest") or user.has_perm(services.TRIAGE)

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
        "requested_fingerprints",
        "decision_history_table",
    ]
    fields = readonly_fields = tuple(shown)
    transition_services = {}
    object_actions = {
        "merge": ObjectAction(
            gettext_lazy("Merge into a draft order"),
            MergeForm,
            lambda request, actor, data: services.takedown_request_merge(
                request=request, order=data["order"], actor=actor, reason=data["reason"]
            ),
            lambda request, actor: services.takedown_request_triage_check(
                request=request, actor=actor
            ),
        ),
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

    @admin.display(description=gettext_lazy("Fingerprints"))
    def requested_fingerprints(self, request: TakedownRequest) -> str:
        rows = [
            (
                f"{kept.hash_type}:{kept.value}",
                gettext("evidence file") if kept.file else gettext("hash only"),
                kept.order.reference if kept.order else "-",
                gettext("already under an order") if kept.already_ordered else "",
            )
            for kept in request.hashes.select_related("order")
        ]
        return format_html_join("", "<div>{} | {} | {} {}</div>", rows) or "-"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OutcomeForm(ObjectActionForm):
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=5000,
        label=gettext_lazy("Outcome"),
        help_text=gettext_lazy("How the case ended: charges brought, content preserved, ..."),
    )


@admin.register(Referral)
class ReferralAdmin(AgencyScoped, TransitionAdmin):
    """Cases referred to agencies; late acknowledgements stand out. Made from an order's page
    ("Refer to an agency"); the agency answers through its API, or its staff here."""

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
        "decision_history_table",
    ]
    fields = readonly_fields = tuple(shown)
    transition_services = {}
    object_actions = {
        "acknowledge": ObjectAction(
            gettext_lazy("Acknowledge"),
            ObjectActionForm,
            lambda referral, actor, data: services.referral_acknowledge(
                referral=referral, actor=actor
            ),
            lambda referral, actor: services.referral_acknowledge_check(
                referral=referral, actor=actor
            ),
        ),
        "outcome": ObjectAction(
            gettext_lazy("Report the outcome"),
            OutcomeForm,
            lambda referral, actor, data: services.referral_report_outcome(
                referral=referral, actor=actor, outcome=data["outcome"]
            ),
            lambda referral, actor: services.referral_outcome_check(referral=referral, actor=actor),
        ),
    }

    @admin.display(description=gettext_lazy("late"), boolean=True)
    def late(self, referral: Referral) -> bool:
        return referral.acknowledged_late(timezone.now())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # answered through the buttons, which record decisions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DataRequestAddForm(ServiceAddForm):
    platform = forms.ModelChoiceField(
        queryset=Platform.objects.order_by("name"), label=gettext_lazy("Platform")
    )
    kind = forms.ChoiceField(choices=DataRequest.Kind.choices, label=gettext_lazy("Kind"))
    legal_basis = forms.CharField(max_length=300, label=gettext_lazy("Legal basis"))
    description = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        label=gettext_lazy("Description"),
        help_text=gettext_lazy("What data, of whom, for which period."),
    )
    court_order = forms.FileField(
        required=False,
        label=gettext_lazy("Court order"),
        help_text=gettext_lazy("Required for content and specific personal data (PDF or image)."),
    )


def _data_request_add(actor: Actor, form: DataRequestAddForm) -> DataRequest:
    data = form.cleaned_data
    return data_requests.data_request_create(
        actor=actor,
        platform=data["platform"],
        agency=_agency_of(actor) if actor.kind == "agency" else None,
        kind=data["kind"],
        legal_basis=data["legal_basis"],
        description=data["description"],
        court_order=data.get("court_order"),
    )


@admin.register(DataRequest)
class DataRequestAdmin(AgencyScoped, TransitionAdmin):
    """Data-access requests (MR5 Art. 21-46): made here by the regulator's officers or an
    agency's staff, answered by platforms through the API. The answer's files open only for the
    requester and auditors, and every opening is recorded."""

    list_display = [
        "__str__",
        "platform",
        "agency",
        "kind",
        "status",
        "answer_by",
        "escalation_level",
        "answered_at",
    ]
    list_select_related = ["platform", "agency"]
    list_filter = ["status", "kind", "agency"]
    add_service = AddService(DataRequestAddForm, _data_request_add)
    shown: ClassVar[list[str]] = [
        "platform",
        "agency",
        "requested_by_label",
        "kind",
        "legal_basis",
        "description",
        "court_order_link",
        "status",
        "requested_at",
        "answer_by",
        "escalation_level",
        "referred_to_supervisor_at",
        "answered_at",
        "answer_note",
        "objection",
        "answer_files",
        "decision_history_table",
    ]
    fields = readonly_fields = tuple(shown)
    transition_services = {}
    object_actions = {}

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/file/<int:file_id>/",
                self.admin_site.admin_view(self.file_view),
                name="agencies_datarequest_file",
            ),
            path(
                "<path:object_id>/court-order/",
                self.admin_site.admin_view(self.court_order_view),
                name="agencies_datarequest_court_order",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request: HttpRequest, object_id: str, file_id: int) -> FileResponse:
        found = self.get_object(request, object_id)
        if found is None:
            raise Http404
        file = DataRequestFile.objects.filter(request=found, pk=file_id).first()
        if file is None:
            raise Http404
        try:
            data_requests.data_file_read(file=file, actor=staff_actor(request))
        except DomainError as refused:
            raise PermissionDenied(str(refused)) from None
        return FileResponse(
            file.file.open("rb"),
            as_attachment=True,
            filename=file.name,
            content_type=file.content_type,
        )

    def court_order_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        found = self.get_object(request, object_id)
        if found is None or not found.court_order:
            raise Http404
        return FileResponse(found.court_order.open("rb"), as_attachment=True)

    @admin.display(description=gettext_lazy("court order"))
    def court_order_link(self, request: DataRequest) -> str:
        if not request.court_order:
            return "-"
        return format_html(
            '<a href="{}">{}</a> (SHA-256 {})',
            reverse("admin:agencies_datarequest_court_order", args=[request.pk]),
            gettext("Download"),
            request.court_order_sha256,
        )

    @admin.display(description=gettext_lazy("answer files"))
    def answer_files(self, request: DataRequest) -> str:
        rows = [
            (
                reverse("admin:agencies_datarequest_file", args=[request.pk, f.pk]),
                f.name,
                f.content_type,
                f.size,
                f.sha256,
            )
            for f in request.files.all()
        ]
        return (
            format_html_join("", '<div><a href="{}">{}</a> ({}, {} bytes, SHA-256 {})</div>', rows)
            or "-"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(data_requests.REQUEST)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberForm(forms.ModelForm):
    class Meta:
        model = AgencyMember
        fields = ["user", "agency"]

    def clean_user(self) -> User:
        user: User = self.cleaned_data["user"]
        try:
            services.agency_member_check(user=user)
        except ValidationError as refused:
            raise ValidationError(refused.message_dict["user"]) from None
        return user


@admin.register(AgencyMember)
class AgencyMemberAdmin(admin.ModelAdmin):
    """Who acts for an agency in the admin: administrators decide, each change recorded."""

    form = MemberForm
    list_display = ["user", "agency"]
    list_select_related = ["user", "agency"]
    list_filter = ["agency"]

    def save_model(
        self, request: HttpRequest, obj: AgencyMember, form: forms.ModelForm, change: bool
    ) -> None:
        made = services.agency_member_add(
            actor=staff_actor(request), user=obj.user, agency=obj.agency
        )
        obj.pk, obj._state.adding, obj._state.db = made.pk, False, made._state.db

    def delete_model(self, request: HttpRequest, obj: AgencyMember) -> None:
        services.agency_member_remove(actor=staff_actor(request), member=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AgencyMember]) -> None:
        for member in queryset:
            services.agency_member_remove(actor=staff_actor(request), member=member)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # remove and add again: both are recorded

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
