"""Reporting periods: calendar months, quarters and years in the regulator's zone.

A period is named by a key that reads as what it is and sorts in time order: `2026-10`
(a month), `2026-Q4` (a quarter), `2026` (a year). Its bounds are midnight in the regulator's
zone (Asia/Jakarta), so "October" means October as the regulator's staff live it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings

KEY = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")
FIRST_YEAR, LAST_YEAR = 2000, 2099


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    kind: PeriodKind

    @classmethod
    def parse(cls, key: str) -> Period:
        """`2026-10`, `2026-Q4` or `2026`; ValueError saying what is wrong otherwise."""
        found = KEY.match(key.strip()) if isinstance(key, str) else None
        if found is None:
            raise ValueError(f"{key!r} is not a period: use 2026-10, 2026-Q4 or 2026")
        year = int(found["year"])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"{year} is outside {FIRST_YEAR}-{LAST_YEAR}")
        if found["month"]:
            month = int(found["month"])
            if not 1 <= month <= 12:
                raise ValueError(f"{key!r}: there is no month {month}")
            return cls(date(year, month, 1), PeriodKind.MONTH)
        if found["quarter"]:
            return cls(date(year, 3 * int(found["quarter"]) - 2, 1), PeriodKind.QUARTER)
        return cls(date(year, 1, 1), PeriodKind.YEAR)

    @classmethod
    def containing(cls, moment: datetime, kind: PeriodKind) -> Period:
        local = moment.astimezone(zone()).date()
        first_month = (local.month - 1) // MONTHS[kind] * MONTHS[kind] + 1
        return cls(date(local.year, first_month, 1), kind)

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def end(self) -> date:
        """The first day after the period."""
        months = self.start.month - 1 + MONTHS[self.kind]
        return date(self.start.year + months // 12, months % 12 + 1, 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """Start (inclusive) and end (exclusive) as aware datetimes."""
        return (
            datetime.combine(self.start, time(), tzinfo=zone()),
            datetime.combine(self.end, time(), tzinfo=zone()),
        )

    def previous(self) -> Period:
        months = self.start.year * 12 + self.start.month - 1 - MONTHS[self.kind]
        return Period(date(months // 12, months % 12 + 1, 1), self.kind)

    def months(self) -> Iterator[Period]:
        month = Period(self.start, PeriodKind.MONTH)
        while month.start < self.end:
            yield month
            month = Period(month.end, PeriodKind.MONTH)

    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%B %Y}"
        return self.key.replace("-", " ")

    def __str__(self) -> str:
        return self.key
