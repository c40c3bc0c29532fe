from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from agencies.data_requests import data_requests_due, data_requests_sweep
from assessments.services import risk_assessments_due, risk_assessments_sweep
from compliance.kernel.heap import heap_frozen
from compliance.management.arguments import moment
from compliance.sweep.jobs import sweep_all, sweep_preview


class Command(BaseCommand):
    help = (
        "Run one deadline sweep: overdue fines, due orders up one rung of their ladder, "
        "registration faults, late normalization decisions, unanswered data-access requests, "
        "risk assessments not in by their deadline. "
        "The same services beat runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", type=moment, help="Sweep as of this moment (ISO-8601).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List everything the run would do (orders, unpaid fines, registration faults, "
            "late normalizations), changing nothing.",
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
            preview = sweep_preview(now=now)
            for title, lines in (
                ("order(s) due", preview.orders),
                ("fine(s) unpaid at the end of their period", preview.fines),
                ("registration fault(s) due", preview.registration_faults),
                ("normalization request(s) to flag late", preview.normalizations),
                ("temporary opening(s) ending", preview.openings),
                ("periodic penalt(ies) stopped by compliance", preview.penalties),
                ("data-access request(s) unanswered", data_requests_due(now=now)),
                ("risk assessment(s) not in", risk_assessments_due(now=now)),
            ):
                self.stdout.write(f"{len(lines)} {title}:")
                for line in lines:
                    self.stdout.write(f"  {line}")
            self.stdout.write(f"As of {now.isoformat()}; nothing changed.")
            return
        summary = sweep_all(now=now, batch_size=batch_size)
        data_requests = data_requests_sweep(now=now)
        assessments = risk_assessments_sweep(now=now)
        self.stdout.write(
            f"Swept at {now.isoformat()}: {summary.orders_escalated} order(s) escalated, "
            f"{summary.orders_failed} failed, {summary.fines_overdue} fine(s) overdue, "
            f"{summary.registration_faults} registration fault(s), "
            f"{summary.normalizations_flagged} late normalization(s) flagged, "
            f"{summary.openings_ended} temporary opening(s) ended, "
            f"{summary.penalties_settled} periodic penalt(ies) settled, "
            f"{data_requests} data-access request(s) escalated, "
            f"{assessments} risk assessment(s) or measure(s) escalated."
        )
