"""Add a year's public holidays and collective leave days from the `holidays` package."""

from __future__ import annotations

from typing import Any

import holidays
from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.kernel.actors import Actor
from compliance.policies.models import PublicHoliday
from compliance.policies.services import holidays_add

# Python-holidays' categories: "public" (national holidays), "government" (cuti bersama).
KINDS = {"public": PublicHoliday.Kind.PUBLIC, "government": PublicHoliday.Kind.COLLECTIVE_LEAVE}


class Command(BaseCommand):
    help = (
        "Add Indonesia's public holidays and collective leave days for the given years from the "
        "holidays package; days already on the calendar are kept as they are. Check them "
        "against the year's decree in the admin (Public holidays)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="+", type=int)

    def handle(self, *args: Any, years: list[int], **options: Any) -> None:
        if any(not 2000 <= year <= 2100 for year in years):
            raise CommandError("years from 2000 to 2100")
        found: dict[Any, tuple[str, str]] = {}
        for category, kind in KINDS.items():
            for day, name in holidays.country_holidays(
                "ID", years=years, categories=(category,)
            ).items():
                found.setdefault(day, (name, kind))
        known = set(PublicHoliday.objects.filter(date__in=found).values_list("date", flat=True))
        added = holidays_add(
            actor=Actor.scheduled_job("holidays-load"),
            entries=[(day, *found[day]) for day in sorted(found) if day not in known],
        )
        self.stdout.write(f"{len(added)} days added, {len(known)} already on the calendar.")
