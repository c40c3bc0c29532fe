from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.kernel.decisions import (
    checkpoints_read,
    decision_chain_verify,
    decision_states_verify,
)
from compliance.sanctions.models import (
    AccessBlock,
    Fine,
    NormalizationRequest,
    RegistrationSanction,
)
from notices.models import Objection, RemovalOrder
from registry.models import Platform

# Every model whose state only the services move, each move a decision record.
STATEFUL = [
    RemovalOrder,
    Objection,
    Fine,
    AccessBlock,
    RegistrationSanction,
    NormalizationRequest,
    Platform,
]


class Command(BaseCommand):
    help = (
        "Verify the decision record: every hash, every seal, every signed checkpoint (the table, "
        "the checkpoint log, and copies given with --checkpoints), and that each order's, "
        "fine's, block's and platform's state is the last one its records give."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            action="append",
            default=[],
            help="A file of published checkpoints (JSON lines, as /verify/checkpoints.jsonl "
            "serves them) kept outside the database; may be repeated.",
        )

    def handle(self, *args: object, checkpoints: list[Path], **options: object) -> None:
        published = []
        for path in checkpoints:
            if not path.exists():
                raise CommandError(f"{path} does not exist")
            published += checkpoints_read(path=path)
        report = decision_chain_verify(published=published)
        problems = []
        if not report.ok:
            problems.append(
                f"Chain broken at record #{report.broken_at}: {report.problem} "
                f"({report.checked} records before it verified)."
            )
        for mismatch in decision_states_verify(models_checked=STATEFUL):
            problems.append(
                f"{mismatch.model} {mismatch.object_id} is {mismatch.current!r} but its "
                f"records end at {mismatch.recorded!r}: its state was changed around the record."
            )
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(
            self.style.SUCCESS(
                f"Decision chain intact: {report.checked} records, {report.checkpoints} "
                "signed checkpoint(s) held; every state matches its record."
            )
        )
