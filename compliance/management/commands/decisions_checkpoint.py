from django.core.management.base import BaseCommand, CommandError

from compliance.kernel.decisions import ChainTampered, decision_checkpoint_write


class Command(BaseCommand):
    help = (
        "Sign a checkpoint of the decision chain now (beat does it every five minutes), after "
        "verifying the records appended since the last one."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            checkpoint = decision_checkpoint_write()
        except ChainTampered as error:
            raise CommandError(f"Not signed: the chain does not verify: {error}") from None
        if checkpoint is None:
            self.stdout.write("Nothing appended since the last checkpoint.")
            return
        self.stdout.write(
            f"Checkpoint #{checkpoint.seq} signed: {checkpoint.hash} (key {checkpoint.key_id})."
        )
