"""Refresh the published figures by hand: what beat runs, or named periods (a backfill)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from transparency.periods import Period, PeriodKind
from transparency.services import Refreshed, transparency_refresh, transparency_refresh_due


class Command(BaseCommand):
    help = (
        "Refresh the transparency figures: without arguments the current and just-ended "
        "periods (as beat does); --since 2025-01 every month, quarter and year from then."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("periods", nargs="*", help="Periods: 2026-10, 2026-Q4, 2026.")
        parser.add_argument("--since", help="Every period from this month (2025-01) to now.")

    def handle(self, *args: Any, periods: list[str], since: str | None, **options: Any) -> None:
        try:
            chosen = [Period.parse(key) for key in periods]
            if since:
                chosen += _since(Period.parse(since))
        except ValueError as error:
            raise CommandError(str(error)) from error
        done = (
            [transparency_refresh(period=p) for p in chosen]
            if chosen
            else transparency_refresh_due()
        )
        for refreshed in done:
            self.stdout.write(_line(refreshed))


def _since(first: Period) -> list[Period]:
    from django.utils import timezone

    if first.kind != PeriodKind.MONTH:
        raise ValueError("--since takes a month: 2025-01")
    now = timezone.now()
    periods: list[Period] = []
    for kind in PeriodKind:
        period = Period.containing(first.bounds()[0], kind)
        while period.start <= Period.containing(now, kind).start:
            periods.append(period)
            period = Period(period.end, kind)
    return periods


def _line(r: Refreshed) -> str:
    if r.final and not r.figures:
        return f"{r.period.key}: final already, unchanged"
    state = "final" if r.final else "provisional"
    return f"{r.period.key}: {r.figures} figures ({r.hidden} withheld), {r.scores} scores, {state}"
