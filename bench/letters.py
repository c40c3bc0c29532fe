"""Benchmark of rendering official letters to PDF (`make bench`; not a test, no database).

One warning letter with a fine and three items, both language versions, rendered 200 times
after a warm-up, median per letter; beside it, in the same run, the same letter with the QR
code drawn by ReportLab's own widget (the baseline our path replaced). Prints each, the ratio,
and the letters a worker process renders in an hour. Results: docs/performance.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ROUNDS = int(os.environ.get("BENCH_LETTERS", "200"))


def _timed(render, facts) -> float:
    render(facts)
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        render(facts)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    import django

    django.setup()
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    from compliance.documents import pdf
    from compliance.documents.facts import Facts, Item

    now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    facts = Facts(
        number="WL-2026-000123",
        kind="warning",
        issued_at=now,
        code="7K2M-QX4P",
        addressee="KilatVideo",
        addressee_detail="PT Kilat Video Indonesia (REG-2026-000042)",
        reference="RO-2026-000777",
        legal_basis="MR5 Art. 15(10)-(11) (second warning letter, administrative fine)",
        signatory="Direktur Pengendalian Ruang Digital",
        signatory_is_supervisor=False,
        items=[Item(url=f"https://kilat.example/v/{n}") for n in range(3)],
        deadline=now,
        amount=Decimal("300000000"),
        details={"level": 2, "count": 3, "fine": "FN-2026-000045", "fine_due": now},
    )
    ours = _timed(pdf.letter_pdf, facts)

    def widget(value: str, size: float = pdf.QrFlowable(facts.verify_url).width) -> Drawing:
        drawing = Drawing(size, size)
        drawing.add(QrCodeWidget(value, barWidth=size, barHeight=size, barBorder=0))
        return drawing

    original = pdf.QrFlowable
    pdf.QrFlowable = widget  # the baseline's QR
    try:
        stock = _timed(pdf.letter_pdf, facts)
    finally:
        pdf.QrFlowable = original
    print(f"letter PDF (2 languages, QR): {ours:.1f} ms per letter (median of {ROUNDS})")
    print(f"  baseline, ReportLab's QR widget: {stock:.1f} ms ({ours / stock:.2f}x of it)")
    print(f"  one worker process: {3600_000 / ours:,.0f} letters an hour")


if __name__ == "__main__":
    main()
