"""A letter laid out as a PDF (ReportLab, with Debian's DejaVu fonts): Indonesian, then its
English translation, each with the letterhead, number, date (WIB), addressee, legal basis,
the items (URLs defanged, never links), deadline, amount, signatory, and a QR code with the
short code that /verify/ checks. The same facts give the same bytes (ReportLab's invariant
mode: no creation time or random id in the file)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from io import BytesIO
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from compliance.documents.facts import Facts
from compliance.documents.text import letter_text
from compliance.kernel.formats import defanged, moment_text, money_text

# The governing text first, then its translation.
LANGUAGES = ("id", "en")


@cache
def _fonts() -> tuple[str, str]:
    folder = Path(settings.LETTER_FONT_DIR)
    pdfmetrics.registerFont(TTFont("Letter", folder / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont("Letter-Bold", folder / "DejaVuSans-Bold.ttf"))
    return "Letter", "Letter-Bold"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, spaceAfter=6)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "head": ParagraphStyle("head", parent=body, fontName=bold, fontSize=13, leading=16),
        "bold": ParagraphStyle("bold", parent=body, fontName=bold),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


class QrFlowable(Flowable):
    """A QR code drawn as one filled path of its dark runs: encoded once a letter, and an
    order of magnitude quicker to draw than ReportLab's widget, whose every run is a shape."""

    def __init__(self, value: str, size: float = 28 * mm) -> None:
        super().__init__()
        code = QRCode(None, QRErrorCorrectLevel.M)
        code.addData(value)
        code.make()
        count = code.getModuleCount()
        self.width = self.height = size
        self.module = size / count
        self.runs: list[tuple[int, int, int]] = []  # row, first column, length
        for row, modules in enumerate(code.modules):
            column = 0
            for dark, run in groupby(bool(m) for m in modules):
                length = len(list(run))
                if dark:
                    self.runs.append((row, column, length))
                column += length

    def draw(self) -> None:
        path = self.canv.beginPath()
        m = self.module
        for row, column, length in self.runs:
            path.rect(column * m, self.height - (row + 1) * m, length * m, m)
        self.canv.drawPath(path, stroke=0, fill=1)


# A table cell: one flowable, or several stacked.
Cell = Flowable | Sequence[Flowable]


def _grid(rows: Sequence[list[Cell]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _items(facts: Facts, heading: str) -> list[Flowable]:
    if not facts.items:
        return []
    with_amounts = any(item.amount is not None for item in facts.items)
    header: list[Flowable] = [_p(_("No."), "bold"), _p(heading, "bold")]
    if with_amounts:
        header.append(_p(_("Amount"), "bold"))
    rows = [header]
    for n, item in enumerate(facts.items, start=1):
        row: list[Flowable] = [_p(str(n)), _p(defanged(item.url))]
        if with_amounts:
            row.append(_p(money_text(item.amount, facts.currency)))
        rows.append(row)
    widths = [12 * mm, 118 * mm, 40 * mm] if with_amounts else [12 * mm, 158 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    return [Spacer(1, 4), table, Spacer(1, 8)]


def _version(facts: Facts, language: str, qr: QrFlowable) -> list[Flowable]:
    with translation.override(language):
        words = letter_text(facts)
        label = 32 * mm
        story: list[Flowable] = [
            _p(settings.REGULATOR_NAME, "head"),
            _p(settings.REGULATOR_ADDRESS, "small"),
            HRFlowable(width="100%", thickness=1, color=colors.black, spaceAfter=8),
        ]
        if language != LANGUAGES[0]:
            story.append(_p(_("English translation; the Indonesian text governs."), "small"))
        story.append(
            _grid(
                [
                    [_p(_("Number")), _p(facts.number, "bold")],
                    [_p(_("Date")), _p(moment_text(facts.issued_at))],
                    [_p(_("Type")), _p(words.title)],
                    [_p(_("To")), [_p(facts.addressee), _p(facts.addressee_detail, "small")]],
                    [_p(_("Reference")), _p(facts.reference)],
                    [_p(_("Legal basis")), _p(facts.legal_basis)],
                ],
                [label, 170 * mm - label],
            )
        )
        story += [Spacer(1, 8), _p(words.subject, "bold")]
        story += [_p(paragraph) for paragraph in words.paragraphs]
        story += _items(facts, words.items_heading)
        terms: list[list[Cell]] = []
        if facts.deadline is not None:
            terms.append([_p(_("Deadline"), "bold"), _p(moment_text(facts.deadline), "bold")])
        if facts.amount is not None:
            terms.append(
                [_p(_("Amount"), "bold"), _p(money_text(facts.amount, facts.currency), "bold")]
            )
        if terms:
            story.append(_grid(terms, [label, 170 * mm - label]))
        issued = facts.issued_at
        title = (
            _("Supervisor") if facts.signatory_is_supervisor else settings.LETTER_SIGNATORY_TITLE
        )
        verify = _(
            "Verify this letter at %(url)s/verify/ with its number and the code %(code)s, or "
            "scan the QR code."
        ) % {"url": settings.PUBLIC_URL, "code": facts.code}
        story.append(
            KeepTogether(
                [
                    Spacer(1, 12),
                    _p(f"{settings.REGULATOR_CITY}, {moment_text(issued, with_time=False)}"),
                    _p(title),
                    Spacer(1, 6),
                    _p(facts.signatory, "bold"),
                    Spacer(1, 10),
                    _grid([[qr, _p(verify, "small")]], [34 * mm, 136 * mm]),
                ]
            )
        )
    return story


def letter_pdf(facts: Facts) -> bytes:
    """The letter's PDF: every language version, the governing one first."""
    story: list[Flowable] = []
    qr = QrFlowable(facts.verify_url)
    for n, language in enumerate(LANGUAGES):
        if n:
            story.append(PageBreak())
        story += _version(facts, language, qr)
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=facts.number,
        author=settings.REGULATOR_NAME,
        invariant=True,
    ).build(story)
    return buffer.getvalue()
