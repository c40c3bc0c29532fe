"""Working days: the end of the N-th working day after the day of a moment, in the regulator's
zone, skipping weekends and the holidays on record."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.kernel.actors import Actor
from compliance.kernel.errors import ActionForbidden
from compliance.models import DecisionRecord
from compliance.policies.calendar import Calendar, Span, Unit
from compliance.policies.models import PublicHoliday
from compliance.policies.selectors import calendar_current
from compliance.policies.services import holiday_save, holidays_add, ladder_validate

WIB = ZoneInfo("Asia/Jakarta")
HOLIDAYS = frozenset(
    date.fromisoformat(d)
    for d in ("2022-07-30", "2022-08-17", "2026-12-25", "2026-12-24", "2027-01-01")
)
CALENDAR = Calendar(zone=WIB, holidays=HOLIDAYS)


def test_the_july_2022_letters_gave_until_the_end_of_friday_29_july():
    letter = datetime(2022, 7, 22, 14, 0, tzinfo=WIB)  # a Friday
    due = CALENDAR.working_days_after(letter, 5)
    assert due == datetime.combine(date(2022, 7, 29), time.max, tzinfo=WIB)
    assert due.astimezone(UTC) == datetime(2022, 7, 29, 16, 59, 59, 999999, tzinfo=UTC)
    assert Span(5, Unit.WORKING_DAYS).after(letter, CALENDAR) == due


def test_weekends_holidays_and_the_year_end_are_skipped():
    christmas_eve = datetime(2026, 12, 23, 9, 0, tzinfo=WIB)  # Wednesday
    # 24, 25 Dec holidays, 26-27 weekend, 28-31 Dec working, 1 Jan holiday, 2-3 weekend.
    assert CALENDAR.working_days_after(christmas_eve, 4).date() == date(2026, 12, 31)
    assert CALENDAR.working_days_after(christmas_eve, 5).date() == date(2027, 1, 4)


def test_the_day_is_the_regulators_not_utcs():
    # 23:30 UTC on Thursday is already Friday in Jakarta: day 1 is Monday.
    late = datetime(2022, 7, 21, 23, 30, tzinfo=UTC)
    assert CALENDAR.working_days_after(late, 1).date() == date(2022, 7, 25)


def test_other_units():
    start = datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert Span(24, Unit.HOURS).after(start, CALENDAR) == start + timedelta(hours=24)
    assert Span(5, Unit.DAYS).after(start, CALENDAR) == start + timedelta(days=5)
    with pytest.raises(ValueError, match="at least 1"):
        CALENDAR.working_days_after(start, 0)


def _working_days_between(first: date, last: date, calendar: Calendar) -> int:
    """Working days in (first, last]."""
    return sum(
        calendar.is_working_day(first + timedelta(days=n))
        for n in range(1, (last - first).days + 1)
    )


holiday_sets = st.frozensets(st.dates(date(2021, 12, 1), date(2028, 2, 1)), max_size=60)
moments = st.datetimes(datetime(2022, 1, 1), datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)


@settings(max_examples=300, deadline=None)
@given(moment=moments, count=st.integers(1, 40), holidays=holiday_sets)
def test_the_deadline_is_the_end_of_exactly_the_nth_working_day(moment, count, holidays):
    calendar = Calendar(zone=WIB, holidays=holidays)
    due = calendar.working_days_after(moment, count)
    start_day = moment.astimezone(WIB).date()
    assert calendar.is_working_day(due.date())
    assert due.timetz() == time.max.replace(tzinfo=WIB)
    assert _working_days_between(start_day, due.date(), calendar) == count
    assert due > moment


@settings(max_examples=200, deadline=None)
@given(moment=moments, count=st.integers(1, 30), holidays=holiday_sets)
def test_one_more_working_day_is_the_next_working_day(moment, count, holidays):
    calendar = Calendar(zone=WIB, holidays=holidays)
    this = calendar.working_days_after(moment, count)
    following = calendar.working_days_after(moment, count + 1)
    assert following > this
    between = [this.date() + timedelta(days=n) for n in range(1, (following - this).days + 1)]
    assert [d for d in between if calendar.is_working_day(d)] == [following.date()]


@pytest.mark.django_db
def test_indonesias_calendar_ships_for_2022_to_2027():
    calendar = calendar_current()
    assert date(2022, 8, 17) in calendar.holidays  # Independence Day
    assert PublicHoliday.objects.get(date="2022-05-04").kind == "collective_leave"
    assert PublicHoliday.objects.filter(date__year=2027).exists()


@pytest.mark.django_db
def test_a_supervisor_keeps_the_calendar_and_every_change_is_recorded(supervisor, officer):
    staff = Actor.staff(supervisor)
    added = holiday_save(
        actor=staff,
        holiday=PublicHoliday(date=date(2028, 3, 3), name="Decreed leave", kind="collective_leave"),
    )
    assert DecisionRecord.objects.filter(
        action="publicholiday.save", object_id=str(added.pk)
    ).exists()
    with pytest.raises(ValidationError, match="2028-03-03 is in the list twice"):
        holidays_add(
            actor=staff,
            entries=[(date(2028, 3, 3), "A", "public"), (date(2028, 3, 3), "A", "public")],
        )
    with pytest.raises(ValidationError, match="2022-08-17 is already on the calendar"):
        holidays_add(
            actor=staff,
            entries=[(date(2028, 4, 4), "New", "public"), (date(2022, 8, 17), "Dup", "public")],
        )
    assert not PublicHoliday.objects.filter(date="2028-04-04").exists()
    with pytest.raises(ActionForbidden):
        holiday_save(
            actor=Actor.staff(officer),
            holiday=PublicHoliday(date=date(2028, 5, 5), name="x"),
        )


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"action": "warning", "period_working_days": 5}, None),
        ({"action": "warning", "period_hours": 24, "period_days": 1}, "give its period once"),
        (
            {"action": "warning", "period_days": 2, "urgent_period_hours": 4},
            "must be in one unit",
        ),
        ({"action": "warning", "period_working_days": 0}, "at least 1"),
        ({"action": "warning", "period_hours": 24, "legal_basis": "x" * 301}, "at most 300"),
    ],
)
def test_a_rungs_period_is_in_one_unit(step, message):
    if message is None:
        ladder_validate([step])
        return
    with pytest.raises(ValidationError, match=message):
        ladder_validate([step])
