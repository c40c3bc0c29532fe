"""The regulator's admin site: Django's, with sign-in attempts limited (see login_limits)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from backoffice.login_limits import login_attempt_admit


class RegulatorAdminSite(admin.AdminSite):
    site_header = _("Platform compliance enforcement")
    site_title = _("Compliance enforcement")
    index_title = _("Today")
    # "View site" leads to the public pages, not to a page that does not exist.
    site_url = "/transparency/"

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """The first page is a work list: what needs the signed-in person today."""
        # This module is loaded with the app registry (INSTALLED_APPS names its AdminConfig),
        # before any model may be imported: the work list's queries come in here.
        from backoffice.worklist import worklist

        assert request.user.is_authenticated
        context = {**(extra_context or {}), "worklist": worklist(user=request.user)}
        return super().index(request, context)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST" and not login_attempt_admit(
            request=request, username=request.POST.get("username", "")
        ):
            response = TemplateResponse(
                request,
                "admin/login_refused.html",
                {
                    **self.each_context(request),
                    "title": "Too many sign-in attempts",
                    "wait_minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60,
                },
                status=429,
            )
            response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
            return response
        return super().login(request, extra_context)


class RegulatorAdminConfig(AdminConfig):
    default_site = "backoffice.site.RegulatorAdminSite"
