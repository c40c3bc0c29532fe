"""Official letters in the admin: each PDF downloadable by staff who may read letters, a
letter given up rendered again by an officer (recorded), never by an auditor."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from compliance.documents.render import letters_render
from compliance.kernel.models import DecisionRecord, OfficialLetter

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_download_the_pdf_as_issued(make_order, officer, auditor):
    order = make_order()
    letters_render()
    letter = OfficialLetter.objects.get(kind="order_notice", object_id=order.pk)
    url = reverse("admin:compliance_officialletter_pdf", args=[letter.pk])
    for user in (officer, auditor):
        response = signed_in(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == letter.sha256
    page = signed_in(officer).get(
        reverse("admin:compliance_officialletter_change", args=[letter.pk])
    )
    assert f"{letter.number}.pdf" in page.content.decode()


def test_a_letter_not_rendered_is_not_found(make_order, officer):
    order = make_order()
    letter = OfficialLetter.objects.get(kind="order_notice", object_id=order.pk)
    url = reverse("admin:compliance_officialletter_pdf", args=[letter.pk])
    assert signed_in(officer).get(url).status_code == 404


def test_officers_render_a_failed_letter_again_auditors_cannot(make_order, officer, auditor):
    order = make_order()
    letter = OfficialLetter.objects.get(kind="order_notice", object_id=order.pk)
    OfficialLetter.objects.filter(pk=letter.pk).update(status="failed", last_error="font")
    changelist = reverse("admin:compliance_officialletter_changelist")
    form = {"action": "render_again", "_selected_action": [letter.pk]}
    signed_in(auditor).post(changelist, form)
    letter.refresh_from_db()
    assert letter.status == "failed"
    signed_in(officer).post(changelist, form)
    letter.refresh_from_db()
    assert (letter.status, letter.attempts) == ("pending", 0)
    assert DecisionRecord.objects.filter(
        action="officialletter.render_retry", object_id=str(letter.pk)
    ).exists()
