"""A platform reads its official letters: the list, and each PDF as issued (its bytes match
the SHA-256 the list and the decision record give)."""

from __future__ import annotations

import hashlib

from compliance.documents.render import letters_render
from compliance.kernel.models import OfficialLetter


def test_the_list_shows_own_letters_only(api, order, make_order):
    make_order()  # another platform's order and letters
    letters_render()
    response = api.get("/api/v1/letters/")
    assert response.status_code == 200
    numbers = {row["number"] for row in response.json()["results"]}
    assert numbers == set(
        OfficialLetter.objects.filter(platform=order.platform).values_list("number", flat=True)
    )
    notice = next(row for row in response.json()["results"] if row["kind"] == "order_notice")
    assert notice["status"] == "rendered"
    assert len(notice["sha256"]) == 64


def test_the_pdf_as_issued(api, order):
    letters_render()
    letter = OfficialLetter.objects.get(platform=order.platform, kind="order_notice")
    response = api.get(f"/api/v1/letters/{letter.number}.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() == letter.sha256


def test_a_letter_not_yet_rendered_is_a_conflict(api, order):
    letter = OfficialLetter.objects.get(platform=order.platform, kind="order_notice")
    response = api.get(f"/api/v1/letters/{letter.number}.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["current_state"] == "pending"


def test_another_platforms_letter_is_not_found(api, make_order):
    other = make_order()
    letters_render()
    letter = OfficialLetter.objects.get(platform=other.platform, kind="order_notice")
    response = api.get(f"/api/v1/letters/{letter.number}.pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
