"""Official letters: read-only, each downloadable as its PDF; a letter given up may be put back
in the rendering queue once its cause is mended."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.admin.compliance import ReadOnlyAdmin
from backoffice.transitions import DecisionHistoryAdmin, staff_actor
from compliance.documents.render import letter_render_retry
from compliance.kernel.errors import DomainError
from compliance.kernel.formats import moment_text
from compliance.kernel.models import OfficialLetter


@admin.action(description=gettext_lazy("Render the selected failed letters again"))
def render_again(
    modeladmin: OfficialLetterAdmin, request: HttpRequest, queryset: QuerySet[OfficialLetter]
) -> None:
    actor = staff_actor(request)
    for letter in queryset.order_by("pk"):
        try:
            letter_render_retry(letter=letter, actor=actor)
        except (DomainError, PermissionDenied) as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
        else:
            modeladmin.message_user(
                request, _("Letter %(number)s queued again.") % {"number": letter.number}
            )


@admin.register(OfficialLetter)
class OfficialLetterAdmin(DecisionHistoryAdmin, ReadOnlyAdmin):
    actions = [render_again]
    list_display = ["number", "kind", "platform", "issued", "status", "download"]
    list_filter = ["kind", "status"]
    list_select_related = ["platform"]
    search_fields = ["number", "platform__name"]
    date_hierarchy = "issued_at"
    shown: ClassVar[list[str]] = [
        "number",
        "kind",
        "platform",
        "issued",
        "signatory",
        "status",
        "attempts",
        "last_error",
        "download",
        "sha256",
        "size",
        "rendered_at",
        "decision_history_table",
    ]
    fields = readonly_fields = tuple(shown)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("compliance.change_officialletter"):
            actions.pop("render_again", None)
        return actions

    @admin.display(description=gettext_lazy("Issued"), ordering="issued_at")
    def issued(self, letter: OfficialLetter) -> str:
        return moment_text(letter.issued_at)

    @admin.display(description=gettext_lazy("PDF"))
    def download(self, letter: OfficialLetter) -> str:
        if letter.status != OfficialLetter.Status.RENDERED:
            return letter.get_status_display()
        url = reverse("admin:compliance_officialletter_pdf", args=[letter.pk])
        return format_html('<a href="{}">{}.pdf</a>', url, letter.number)

    def get_urls(self) -> list[URLPattern]:
        pdf = path(
            "<int:pk>/pdf/",
            self.admin_site.admin_view(self.pdf_view),
            name="compliance_officialletter_pdf",
        )
        return [pdf, *super().get_urls()]

    def pdf_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(OfficialLetter, pk=pk)
        if letter.status != OfficialLetter.Status.RENDERED:
            raise Http404(_("The letter is not rendered yet."))
        return FileResponse(
            letter.file.open("rb"),
            as_attachment=True,
            filename=f"{letter.number}.pdf",
            content_type="application/pdf",
        )
