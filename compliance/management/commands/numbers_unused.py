from django.core.management.base import BaseCommand

from compliance.kernel.counters import numbers_unused
from compliance.sanctions.models import Fine, WarningLetter

# Each running count and the documents that carry its numbers.
DOCUMENTS = {"letter": WarningLetter, "fine": Fine}


class Command(BaseCommand):
    help = (
        "List the letter and fine numbers that were drawn but are on no document (left by sweep "
        "batches that rolled back; nothing was sent with them)."
    )

    def handle(self, *args: object, **options: object) -> None:
        for name in DOCUMENTS:
            unused = numbers_unused(name=name, documents=DOCUMENTS[name])
            listed = ", ".join(f"{n:06d}" for n in unused) or "none"
            self.stdout.write(f"{name} numbers unused: {len(unused)} ({listed})")
