"""Reads of policy data."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings

from compliance.policies.calendar import Calendar
from compliance.policies.models import PublicHoliday


def calendar_current() -> Calendar:
    """The regulator's calendar as it stands: its zone and every holiday on record."""
    return Calendar(
        zone=ZoneInfo(settings.TIME_ZONE),
        holidays=frozenset(PublicHoliday.objects.values_list("date", flat=True)),
    )
