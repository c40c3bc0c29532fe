"""Import a CSV of hashes into a hash list (created when missing), for operators.

    python manage.py hashes_import --list NAME --category CODE FILE.csv

Columns `type,hash` (an optional third: PDQ quality); every row is checked before any is
written, and a bad row refuses the whole file, naming its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from compliance.kernel.actors import Actor
from fingerprints.models import HashList
from fingerprints.services import hash_entries_import, hash_list_create
from notices.models import ContentCategory


class Command(BaseCommand):
    help = "Import a CSV of hashes (type,hash) into a hash list, creating the list if missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--list", required=True, dest="list_name", help="The list's name.")
        parser.add_argument("--category", required=True, help="The content category's code.")
        parser.add_argument(
            "--as",
            dest="username",
            default="",
            help="The officer the decisions are recorded under (default: an operator job).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["username"])
        try:
            category = ContentCategory.objects.get(code=options["category"])
        except ContentCategory.DoesNotExist:
            raise CommandError(
                f"No content category with the code {options['category']!r}."
            ) from None
        try:
            text = options["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        try:
            with transaction.atomic():
                hash_list = HashList.objects.filter(name=options["list_name"]).first()
                if hash_list is None:
                    hash_list = hash_list_create(
                        actor=actor, name=options["list_name"], category=category
                    )
                elif hash_list.category_id != category.pk:
                    raise CommandError(
                        f"The list {hash_list} holds {hash_list.category.code}, "
                        f"not {category.code}."
                    )
                added = hash_entries_import(actor=actor, hash_list=hash_list, text=text)
        except ValidationError as error:
            raise CommandError("Nothing imported. " + " ".join(error.messages)) from None
        self.stdout.write(f"{len(added)} hashes added to {hash_list}.")

    def _actor(self, username: str) -> Actor:
        if not username:
            # Whoever runs commands on the server already holds every power; the record
            # names the command.
            return Actor.scheduled_job("hashes_import")
        User = get_user_model()
        try:
            return Actor.staff(User.objects.get(username=username, is_active=True))
        except User.DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None
