from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from compliance.documents.render import letters_render
from compliance.management.arguments import moment


class Command(BaseCommand):
    help = (
        "Render the official letters waiting for their PDF, round by round until a round "
        "renders nothing: the service the Celery task runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", type=moment, help="Render as of this moment (ISO-8601).")

    def handle(self, *args: object, now: datetime | None = None, **options: object) -> None:
        now = now or timezone.now()
        rendered = 0
        while True:
            done = letters_render(now=now)
            rendered += done
            if done == 0:
                break
        self.stdout.write(f"Rendered {rendered} letter(s).")
