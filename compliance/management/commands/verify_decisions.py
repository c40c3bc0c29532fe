from django.core.management.base import BaseCommand, CommandError

from compliance.decisions import decision_chain_verify


class Command(BaseCommand):
    help = "Recompute the decision record's hash chain and name the first broken link."

    def handle(self, *args: object, **options: object) -> None:
        report = decision_chain_verify()
        if not report.ok:
            raise CommandError(
                f"Chain broken at record #{report.broken_at}: {report.problem} "
                f"({report.checked} records before it verified)."
            )
        self.stdout.write(self.style.SUCCESS(f"Decision chain intact: {report.checked} records."))
