"""Every kind of official letter, issued by the services that decide it, rendered by the
worker to a PDF that is read back with pdftotext (Indonesian and English), its hash in the
decision record, attached to its e-mail, and verifiable at /verify/."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.delivery.email import notifications_deliver
from compliance.documents.render import MAX_ATTEMPTS, letters_render
from compliance.kernel.actors import Actor
from compliance.kernel.models import DecisionRecord, OfficialLetter
from compliance.models import EscalationPolicy, Fine
from compliance.policies.services import policy_save
from compliance.sanctions import services as sanctions
from compliance.sweep.jobs import sweep_all
from registry import services as registry
from tests.conftest import VICTIM_T0

Kind = OfficialLetter.Kind


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PUBLIC_URL = "https://regulator.example"


def pdf_text(letter: OfficialLetter) -> str:
    with letter.file.open("rb") as pdf:
        data = pdf.read()
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())  # lines wrap where the layout wraps them


def rendered(kind: str) -> OfficialLetter:
    letters_render()
    letter = OfficialLetter.objects.filter(kind=kind).latest("pk")
    assert letter.status == OfficialLetter.Status.RENDERED, letter.last_error
    return letter


def versions(text: str) -> tuple[str, str]:
    """The Indonesian text and its English translation (each starts on its own page)."""
    indonesian, english = text.split("English translation; the Indonesian text governs.")
    return indonesian, english


def test_order_notice(make_order):
    with time_machine.travel(VICTIM_T0, tick=False):
        order = make_order()
    letter = rendered(Kind.ORDER_NOTICE)
    assert letter.object_id == str(order.pk)
    indonesian, english = versions(pdf_text(letter))
    domain = order.platform.domains.get().domain.replace(".", "[.]")
    for text in (indonesian, english):
        assert letter.number in text
        assert order.reference in text
        assert f"hxxps://{domain}/v/1" in text
        assert f"hxxps://{domain}/v/2" in text
        assert "https://" + order.platform.domains.get().domain not in text
        assert letter.code in text
    # 24 hours after 07:00 WIB on 1 October 2026.
    assert "2 Oktober 2026 07.00 WIB" in indonesian
    assert "2 October 2026 07:00 WIB" in english
    assert "Perintah penghapusan" in indonesian
    assert "Removal order" in english


def test_warning_with_fine_states_the_amount_in_each_language(victim):
    letters_render()
    fine = Fine.objects.filter(order=victim).latest("assessed_at")
    warnings = OfficialLetter.objects.filter(kind=Kind.WARNING, platform=victim.platform)
    assert set(warnings.values_list("number", flat=True)) == set(
        victim.letters.values_list("number", flat=True)
    )
    with_fine = warnings.get(number=fine.letter.number)
    assert with_fine.status == OfficialLetter.Status.RENDERED
    indonesian, english = versions(pdf_text(with_fine))
    assert f"Rp {fine.amount:,.0f}".replace(",", ".") in indonesian
    assert f"IDR {fine.amount:,.0f}" in english
    assert fine.number in indonesian
    assert fine.number in english
    assert "Teguran tertulis" in indonesian
    assert "hxxps://" in english
    assert "https://" not in english.replace("https://regulator.example", "")


def test_block_order_is_signed_by_the_approving_supervisor(victim, supervisor):
    letter = rendered(Kind.BLOCK_ORDER)
    assert letter.signatory == supervisor
    indonesian, english = versions(pdf_text(letter))
    block = victim.platform.blocks.get()
    domain = victim.platform.domains.get().domain.replace(".", "[.]")
    for text in (indonesian, english):
        assert block.number in text
        assert domain in text
        assert supervisor.get_username() in text
    assert "Internet access service providers" in english
    assert "Supervisor" in english
    assert "Supervisor" not in indonesian


def test_normalization_and_lifting_letters(victim, supervisor):
    platform = victim.platform
    with time_machine.travel(VICTIM_T0 + timedelta(days=5), tick=False):
        from notices import services as notices
        from notices.models import ItemStatus

        notices.order_items_report(
            order=victim,
            actor=Actor.of_platform(platform),
            reports=[notices.ItemReport(i.pk, ItemStatus.REMOVED) for i in victim.items.all()],
        )
        for fine in Fine.objects.filter(platform=platform):
            sanctions.fine_declare_payment(
                fine=fine, actor=Actor.of_platform(platform), payment_reference="TRX-9"
            )
            sanctions.fine_confirm_payment(fine=fine, actor=Actor.staff(supervisor))
        request = sanctions.normalization_request_file(
            platform=platform,
            actor=Actor.of_platform(platform),
            statement="All content removed; fines paid.",
        )
        sanctions.normalization_grant(
            request=request,
            actor=Actor.staff(supervisor),
            reason="Every order complied with.",
            conditions=["Keep the NCII hash list enabled"],
            verify_until=VICTIM_T0 + timedelta(days=60),
        )
    decision = rendered(Kind.NORMALIZATION)
    lifting = rendered(Kind.BLOCK_LIFTING)
    indonesian, english = versions(pdf_text(decision))
    assert "granted" in english
    assert "Keep the NCII hash list enabled" in english
    assert "dikabulkan" in indonesian
    indonesian, english = versions(pdf_text(lifting))
    assert "lifted" in english
    assert "Every order complied with." in english
    assert "30 November 2026" in english  # verified until (WIB)


def test_fine_assessment_after_approval(make_order, make_platform, supervisor):
    policy = EscalationPolicy.objects.get(is_default=True)
    policy.fines_need_approval = True
    policy_save(policy=policy, actor=Actor.staff(supervisor))
    with time_machine.travel(VICTIM_T0, tick=False):
        order = make_order(platform=make_platform(is_ugc=True))
    for day in (1, 2):
        with time_machine.travel(VICTIM_T0 + timedelta(days=day), tick=False):
            sweep_all()
    fine = Fine.objects.get(order=order)
    sanctions.fine_approve(fine=fine, actor=Actor.staff(supervisor))
    letter = rendered(Kind.FINE)
    indonesian, english = versions(pdf_text(letter))
    per_item = next(iter(fine.item_amounts.values()))
    assert f"IDR {fine.amount:,.0f}" in english
    assert f"IDR {float(per_item):,.0f}" in english
    assert f"Rp {fine.amount:,.0f}".replace(",", ".") in indonesian
    assert "hxxps://" in english


def test_registration_decisions(make_platform, officer):
    approved = make_platform()
    letter = rendered(Kind.REGISTRATION)
    indonesian, english = versions(pdf_text(letter))
    assert approved.registration_number in english
    assert approved.registration_number in indonesian
    rejected = make_platform(registered=False)
    rejected = registry.platform_file_application(platform=rejected, actor=Actor.staff(officer))
    registry.platform_reject(
        platform=rejected, actor=Actor.staff(officer), reason="The legal entity does not exist."
    )
    letter = rendered(Kind.REGISTRATION)
    assert letter.platform == rejected
    assert "The legal entity does not exist." in pdf_text(letter)


def test_hash_in_the_decision_record_and_the_pdf_attached(make_order):
    order = make_order()
    letter = rendered(Kind.ORDER_NOTICE)
    with letter.file.open("rb") as pdf:
        data = pdf.read()
    assert letter.sha256 == hashlib.sha256(data).hexdigest()
    record = DecisionRecord.objects.get(action="officialletter.render", object_id=str(letter.pk))
    assert letter.sha256 in record.reason
    assert notifications_deliver() >= 1
    sent = [m for m in mail.outbox if order.reference in m.subject]
    assert [a[0] for a in sent[0].attachments] == [f"{letter.number}.pdf"]
    assert sent[0].attachments[0][1] == data


def test_the_email_waits_for_its_letter(make_order):
    order = make_order()
    assert notifications_deliver() == 0  # nothing goes before its letter is rendered
    assert not [m for m in mail.outbox if order.reference in m.subject]
    letters_render()
    notifications_deliver()
    assert [m for m in mail.outbox if order.reference in m.subject]


def test_a_letter_that_cannot_be_rendered_keeps_its_error_and_its_email(make_order, settings):
    order = make_order()
    settings.LETTER_FONT_DIR = "/nonexistent"
    from compliance.documents import pdf

    pdf._fonts.cache_clear()
    pdf._styles.cache_clear()
    try:
        assert letters_render() == 0
    finally:
        pdf._fonts.cache_clear()
        pdf._styles.cache_clear()
    letter = OfficialLetter.objects.get(kind=Kind.ORDER_NOTICE, object_id=order.pk)
    assert (letter.status, letter.attempts) == ("pending", 1)
    assert "nonexistent" in letter.last_error
    assert not letter.file
    notifications_deliver()
    assert not [m for m in mail.outbox if order.reference in m.subject]
    OfficialLetter.objects.filter(pk=letter.pk).update(attempts=MAX_ATTEMPTS - 1)
    settings.LETTER_FONT_DIR = "/nonexistent"
    pdf._fonts.cache_clear()
    pdf._styles.cache_clear()
    with time_machine.travel(letter.next_attempt_at + timedelta(seconds=1)):
        letters_render()
    pdf._fonts.cache_clear()
    pdf._styles.cache_clear()
    letter.refresh_from_db()
    assert letter.status == "failed"
    assert DecisionRecord.objects.filter(action="officialletter.render_fail").exists()


def test_a_letter_whose_document_lacks_a_field_is_not_sent(make_order):
    order = make_order()
    # An order notice states the deadline; a row that lost it cannot be rendered.
    from notices.models import RemovalOrder

    RemovalOrder.objects.filter(pk=order.pk).update(legal_basis="")
    letters_render()
    letter = OfficialLetter.objects.get(kind=Kind.ORDER_NOTICE)
    assert letter.status == "pending"
    assert "legal basis" in letter.last_error


def test_the_same_facts_give_the_same_bytes(make_order):
    make_order()
    letter = rendered(Kind.ORDER_NOTICE)
    from compliance.documents.facts import letter_facts
    from compliance.documents.pdf import letter_pdf

    assert hashlib.sha256(letter_pdf(letter_facts(letter=letter))).hexdigest() == letter.sha256


# /verify/


def test_verify_by_number_and_code(client, make_order):
    make_order()
    letter = rendered(Kind.ORDER_NOTICE)
    response = client.get("/verify/", {"number": letter.number, "code": letter.code.lower()})
    assert response.status_code == 200
    page = response.content.decode()
    assert letter.number in page
    assert letter.platform.name in page
    assert letter.sha256 in page
    assert "hxxp" not in page
    assert "/v/1" not in page
    wrong = client.get("/verify/", {"number": letter.number, "code": "AAAA-AAAA"})
    assert wrong.status_code == 404
    assert letter.platform.name not in wrong.content.decode()


def test_the_qr_code_leads_to_the_check(make_order, tmp_path):
    make_order()
    letter = rendered(Kind.ORDER_NOTICE)
    with letter.file.open("rb") as pdf:
        (tmp_path / "letter.pdf").write_bytes(pdf.read())
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "letter.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    [page] = tmp_path.glob("page*.png")
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, check=True, text=True
    ).stdout.strip()
    assert decoded == (
        f"https://regulator.example/verify/?number={letter.number}&code={letter.code}"
    )


def test_a_tampered_pdf_fails_verification(client, make_order):
    make_order()
    letter = rendered(Kind.ORDER_NOTICE)
    with letter.file.open("rb") as pdf:
        data = pdf.read()
    form = {"number": letter.number, "code": letter.code}
    same = client.post("/verify/", {**form, "file": SimpleUploadedFile("l.pdf", data)})
    assert "The file is this letter, unaltered." in same.content.decode()
    tampered = data.replace(b"Rp ", b"Rp 1", 1) if b"Rp " in data else data + b"%"
    altered = client.post("/verify/", {**form, "file": SimpleUploadedFile("l.pdf", tampered)})
    assert "The file is NOT the letter as issued" in altered.content.decode()
