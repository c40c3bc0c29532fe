"""`/verify/`: anyone holding a letter checks it is authentic (its number and short code, or
its QR code) and, given the file, that it is the letter as issued (its SHA-256). Shown: only
the letter's number, date, addressee and type; never its content."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from compliance.kernel.letters import letter_verified
from compliance.kernel.ratelimits import attempt_count
from notices.filetypes import file_sha256

CHECKS_PER_HOUR = 60
FILE_MAX_BYTES = 10 * 1024 * 1024


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Letter number"), max_length=32)
    code = forms.CharField(label=_("Verification code"), max_length=12)
    file = forms.FileField(
        label=_("The letter's PDF (optional, to check it is unaltered)"), required=False
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > FILE_MAX_BYTES:
            raise forms.ValidationError(_("A letter's PDF is smaller than 10 MB."))
        return upload


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    asked = "number" in data or "code" in data
    form = VerifyForm(data if asked else None, request.FILES or None)
    context: dict[str, object] = {"form": form, "asked": asked}
    if not (asked and form.is_valid()):
        return render(request, "public/verify.html", context)
    client = request.META.get("REMOTE_ADDR", "")
    admission = attempt_count(key=f"verify:{client}", limit=CHECKS_PER_HOUR, window=3600)
    if not admission.allowed:
        response = render(request, "public/verify.html", {**context, "limited": True}, status=429)
        response["Retry-After"] = str(admission.retry_after)
        return response
    letter = letter_verified(number=form.cleaned_data["number"], code=form.cleaned_data["code"])
    context["letter"] = letter
    upload = form.cleaned_data.get("file")
    if letter is not None and upload is not None:
        context["file_checked"] = True
        context["file_matches"] = bool(letter.sha256) and file_sha256(upload) == letter.sha256
    return render(request, "public/verify.html", context, status=200 if letter else 404)
