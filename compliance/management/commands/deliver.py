from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from compliance.delivery.email import notifications_deliver
from compliance.delivery.webhooks import webhooks_deliver
from compliance.management.arguments import moment


class Command(BaseCommand):
    help = (
        "Deliver what is due of the notifications (letters by e-mail) and the webhooks, round by "
        "round until a round delivers nothing: the same services the Celery tasks run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            type=moment,
            help="Deliver as of this moment (ISO-8601), e.g. past the claims of a dead deliverer.",
        )

    def handle(self, *args: object, now: datetime | None = None, **options: object) -> None:
        now = now or timezone.now()
        letters = hooks = 0
        while True:
            sent = notifications_deliver(now=now)
            delivered = webhooks_deliver(now=now)
            letters, hooks = letters + sent, hooks + delivered
            if sent == delivered == 0:
                break
        self.stdout.write(f"Delivered {letters} letter(s) and {hooks} webhook(s).")
