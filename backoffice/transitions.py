"""Admin buttons for state transitions that go through the same services as everything else.

A button appears only when the transition is allowed from the object's state and the user has
its permission; the POST calls the service, which checks both again, so a forged request gets
the same refusal. django-fsm's own admin buttons are not used: they skip `permission=`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.kernel.actors import Actor

if TYPE_CHECKING:
    from django.template.response import _TemplateForResponseT
    from django_stubs_ext import StrOrPromise
from agencies.models import AgencyMember
from compliance.kernel.errors import DomainError, FourEyesViolation, RoleForbidden
from compliance.kernel.formats import moment_text
from compliance.kernel.selectors import decision_history
from compliance.kernel.transitions import transition_label, transitions_available
from compliance.sanctions.four_eyes import four_eyes_check
from compliance.sanctions.models import ProposedBy


def staff_actor(request: HttpRequest) -> Actor:
    """The signed-in staff member: every admin view requires one. An agency's staff act as
    their agency, never with the regulator's powers."""
    user = request.user
    assert isinstance(user, User), "admin views are for signed-in staff"
    agency_id = member_agency_id(user)
    return Actor.of_agency(agency_id, user=user) if agency_id else Actor.staff(user)


def member_agency_id(user: Any) -> int | None:
    """The agency a staff user works for, if any (cached on the user for the request)."""
    if not hasattr(user, "_agency_id"):
        user._agency_id = (
            AgencyMember.objects.filter(user_id=user.pk).values_list("agency_id", flat=True).first()
        )
    found: int | None = user._agency_id
    return found


class TransitionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False)

    def __init__(self, *args: Any, reason_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class ObjectActionForm(forms.Form):
    """Base of an object action's form; it knows the object it acts on."""

    def __init__(self, *args: Any, obj: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.obj = obj


class PastedOrUploadedForm(ObjectActionForm):
    """Lines pasted in `text`, or a UTF-8 file in their place; `missing` says what to give."""

    missing = "Paste the lines or choose a file."
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 10, "cols": 80}))
    file = forms.FileField(required=False, help_text="Or a CSV file (UTF-8).")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload:
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError("The file is not UTF-8 text.") from None
        if not data.get("text", "").strip():
            raise ValidationError(self.missing)
        return data


class ReasonForm(ObjectActionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


@dataclass(frozen=True)
class ObjectAction:
    """An admin button that is not a state transition: a form, then a service call.

    `run(obj, actor, cleaned_data)` calls the service; a ValidationError it raises is shown on
    the form. `check(obj, actor)` is the service's own check (raising when the action is not
    open to this actor on this object now): the button shows when it passes, so the admin
    never re-encodes a rule.
    """

    label: StrOrPromise
    form_class: type[ObjectActionForm]
    run: Callable[[Any, Actor, dict[str, Any]], Any]
    check: Callable[[Any, Actor], Any]

    def available(self, obj: Any, actor: Actor) -> bool:
        try:
            self.check(obj, actor)
        except (DomainError, PermissionDenied, ValidationError):
            return False
        return True


class ServiceAddForm(forms.Form):
    """The form of an admin "Add" page that a service fills (`AddService`); it knows who is
    adding, to offer only what they may choose (an agency's staff send in their agency's name)."""

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor


@dataclass(frozen=True)
class AddService:
    """An admin "Add" page that calls a service instead of saving a model form: `run(actor,
    form)` (the form valid) returns the object made; the errors it raises are shown on it."""

    form_class: type[ServiceAddForm]
    run: Callable[[Actor, Any], models.Model]


def form_errors_add(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal on the form: each message under its field, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


class DecisionHistoryAdmin(admin.ModelAdmin):
    """Shows an object's decision records, read-only, on its change page."""

    @admin.display(description=gettext_lazy("Decision history"))
    def decision_history_table(self, obj: models.Model) -> str:
        if obj.pk is None:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} &rarr; {}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r.seq,
                    moment_text(r.created_at),
                    r.actor_label,
                    r.from_state or "-",
                    r.to_state or "-",
                    r.legal_basis,
                    r.reason,
                )
                for r in decision_history(subject=obj)
            ),
        )
        return format_html(
            "<table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            _("When"),
            _("Who"),
            _("State"),
            _("Legal basis"),
            _("Reason"),
            rows,
        )


class TransitionAdmin(DecisionHistoryAdmin):
    """Mix into a ModelAdmin; set the field, the services and the service's object argument."""

    transition_field = "status"
    transition_object_arg: str
    add_service: AddService | None = None
    transition_services: dict[str, Callable[..., Any]]
    transitions_requiring_reason: set[str] = set()
    object_actions: dict[str, ObjectAction] = {}
    change_form_template: ClassVar[_TemplateForResponseT | None] = (
        "admin/transitions/change_form.html"
    )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if self.add_service is None:
            return super().add_view(request, form_url, extra_context)
        if not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        actor = staff_actor(request)
        form_class = self.add_service.form_class
        if request.method == "POST":
            form = form_class(request.POST, request.FILES, actor=actor)
            if form.is_valid():
                try:
                    made = self.add_service.run(actor, form)
                except ValidationError as error:
                    form_errors_add(form, error)
                except (DomainError, PermissionDenied) as error:
                    form.add_error(None, _error_text(error))
                else:
                    self.message_user(
                        request, _("%(object)s made.") % {"object": made}, messages.SUCCESS
                    )
                    return HttpResponseRedirect(
                        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[made.pk])
                    )
        else:
            form = form_class(actor=actor)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "form": form,
            "title": _("Add %(name)s") % {"name": opts.verbose_name},
        }
        return TemplateResponse(request, "admin/transitions/add.html", context)

    def get_urls(self) -> list[Any]:
        opts = self.model._meta
        view = self.admin_site.admin_view(self.transition_view)
        action_view = self.admin_site.admin_view(self.object_action_view)
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                view,
                name=f"{opts.app_label}_{opts.model_name}_transition",
            ),
            path(
                "<path:object_id>/action/<str:name>/",
                action_view,
                name=f"{opts.app_label}_{opts.model_name}_action",
            ),
            *super().get_urls(),
        ]

    def available_transitions(self, request: HttpRequest, obj: models.Model) -> list[Any]:
        if not self.transition_services:
            return []  # a model with buttons for its object actions only
        actor = staff_actor(request)
        found = transitions_available(obj, field=self.transition_field, actor=actor)
        if isinstance(obj, ProposedBy):
            # A proposal's transitions are its decision: never offered to its proposer.
            try:
                four_eyes_check(obj, actor)
            except FourEyesViolation:
                return []
        return [t for t in found if t.name in self.transition_services]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if obj is not None:
            opts = self.model._meta
            context["transitions"] = [
                {
                    "name": t.name,
                    "label": transition_label(t.name),
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_transition",
                        args=[obj.pk, t.name],
                    ),
                }
                for t in self.available_transitions(request, obj)
            ] + [
                {
                    "name": name,
                    "label": action.label,
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_action", args=[obj.pk, name]
                    ),
                }
                for name, action in self.object_actions.items()
                if action.available(obj, staff_actor(request))
            ]
        return super().change_view(request, object_id, form_url, context)

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None or name not in self.transition_services:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        form = TransitionForm(
            request.POST if request.method == "POST" else None,
            reason_required=name in self.transitions_requiring_reason,
        )
        if request.method == "POST" and form.is_valid():
            service = self.transition_services[name]
            try:
                service(
                    **{self.transition_object_arg: obj},
                    actor=staff_actor(request),
                    reason=form.cleaned_data["reason"],
                )
            except (DomainError, PermissionDenied, ValidationError) as error:
                self.message_user(request, _error_text(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Done: %(action)s %(object)s.")
                    % {"action": transition_label(name).lower(), "object": obj},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "object": obj,
            "form": form,
            "transition": transition_label(name).lower(),
            "change_url": change_url,
            "title": f"{transition_label(name)}: {obj}",
        }
        return TemplateResponse(request, "admin/transitions/confirm.html", context)

    def object_action_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        obj = self.get_object(request, object_id)
        action = self.object_actions.get(name)
        if obj is None or action is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        if request.method == "POST":
            form = action.form_class(request.POST, request.FILES, obj=obj)
            if form.is_valid():
                try:
                    result = action.run(obj, staff_actor(request), form.cleaned_data)
                except ValidationError as error:
                    form.add_error(None, error)
                except (DomainError, PermissionDenied) as error:
                    self.message_user(request, _error_text(error), messages.ERROR)
                    return HttpResponseRedirect(change_url)
                else:
                    # An action may return the text to show (e.g. a key shown only once).
                    text = (
                        result
                        if isinstance(result, str)
                        else _("Done: %(action)s.") % {"action": str(action.label).lower()}
                    )
                    self.message_user(request, text, messages.SUCCESS)
                    return HttpResponseRedirect(change_url)
        else:
            form = action.form_class(obj=obj)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "object": obj,
            "form": form,
            "transition": str(action.label).lower(),
            "change_url": change_url,
            "title": f"{action.label}: {obj}",
            "multipart": True,
        }
        return TemplateResponse(request, "admin/transitions/confirm.html", context)


def _error_text(error: Exception) -> str:
    """A refusal in plain words: the rule that refused, never a permission's code name."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, RoleForbidden) or not str(error):
        return _("Your role does not allow this. A supervisor or an administrator can do it.")
    return str(error)
