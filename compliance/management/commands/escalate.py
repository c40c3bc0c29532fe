from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from compliance.kernel.heap import heap_frozen
from compliance.management.arguments import moment
from compliance.sweep.claim import orders_sweep
from compliance.sweep.jobs import sweep_all


class Command(BaseCommand):
    help = (
        "Run one deadline sweep: overdue fines, due orders up one rung of their ladder, "
        "registration faults, late normalization decisions. The same service beat runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", type=moment, help="Sweep as of this moment (ISO-8601).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due and what each would become."
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Orders claimed and committed at a time."
        )

    def handle(
        self,
        *args: object,
        now: datetime | None = None,
        dry_run: bool = False,
        batch_size: int = 2000,
        **options: object,
    ) -> None:
        now = now or timezone.now()
        with heap_frozen():
            self._sweep(now=now, dry_run=dry_run, batch_size=batch_size)

    def _sweep(self, *, now: datetime, dry_run: bool, batch_size: int) -> None:
        if dry_run:
            report = orders_sweep(now=now, dry_run=True)
            for step in report.steps:
                self.stdout.write(
                    f"{step.reference}  {step.from_state} -> {step.to_state}  ({step.action}"
                    + (f", fine {step.fine_amount:,.2f}" if step.fine_amount else "")
                    + f", {step.items_outstanding} item(s) outstanding)"
                )
            self.stdout.write(
                f"{len(report.steps)} order(s) due at {now.isoformat()}; nothing changed."
            )
            return
        summary = sweep_all(now=now, batch_size=batch_size)
        self.stdout.write(
            f"Swept at {now.isoformat()}: {summary.orders_escalated} order(s) escalated, "
            f"{summary.orders_failed} failed, {summary.fines_overdue} fine(s) overdue, "
            f"{summary.registration_faults} registration fault(s), "
            f"{summary.normalizations_flagged} late normalization(s) flagged."
        )
