"""Periods as the regulator counts them: hours, calendar days, or working days that end at
the end of the day in the regulator's zone, skipping weekends and public holidays (data:
`PublicHoliday`, decreed yearly, editable in the admin).

Pure: the calendar is handed in (loaded once per sweep batch), so the arithmetic is tested
without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Unit(StrEnum):
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Calendar:
    zone: ZoneInfo
    holidays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def end_of_day(self, day: date) -> datetime:
        """The day's last instant in the regulator's zone ("until 29 July 23:59 WIB")."""
        return datetime.combine(day, time.max, tzinfo=self.zone)

    def working_days_after(self, moment: datetime, count: int) -> datetime:
        """The end of the `count`-th working day after the day of `moment` (the day itself is
        not counted, whatever the hour: a letter sent on Friday gives Monday as day 1)."""
        if count < 1:
            raise ValueError("count at least 1 working day")
        day = moment.astimezone(self.zone).date()
        counted = 0
        while counted < count:
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        return self.end_of_day(day)


@dataclass(frozen=True)
class Span:
    """A policy's period: so many hours, calendar days or working days."""

    amount: int
    unit: Unit = Unit.HOURS

    def after(self, moment: datetime, calendar: Calendar) -> datetime:
        if self.unit == Unit.WORKING_DAYS:
            return calendar.working_days_after(moment, self.amount)
        if self.unit == Unit.DAYS:
            return moment + timedelta(days=self.amount)
        return moment + timedelta(hours=self.amount)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value.replace('_', ' ')}"
