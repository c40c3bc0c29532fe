from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.kernel.actors import Actor
from registry.models import Platform
from registry.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for a platform and print it once (only its digest is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("platform", help="The platform's registration number, name or id.")
        parser.add_argument("--name", required=True, help="What the key is for, e.g. 'prod'.")
        parser.add_argument(
            "--as-user", required=True, help="The staff username creating it (recorded)."
        )

    def handle(
        self, *args: object, platform: str, name: str, as_user: str, **options: object
    ) -> None:
        found = (
            Platform.objects.filter(registration_number=platform).first()
            or Platform.objects.filter(name=platform).first()
            or (Platform.objects.filter(pk=platform).first() if platform.isdigit() else None)
        )
        if found is None:
            raise CommandError(f"No platform {platform!r}.")
        user = User.objects.filter(username=as_user, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {as_user!r}.")
        try:
            api_key, key = api_key_create(platform=found, actor=Actor.staff(user), name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(f"Created {api_key} for {found}. It is shown once; store it now:")
        self.stdout.write(key)
