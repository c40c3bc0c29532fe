"""Argument types the management commands share."""

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def moment(value: str) -> datetime:
    """An ISO-8601 date and time; without a zone, the regulator's (TIME_ZONE)."""
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"--now must be an ISO-8601 date and time, not {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
