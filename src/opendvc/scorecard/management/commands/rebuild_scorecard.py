from django.core.management.base import BaseCommand

from opendvc.scorecard.counters import rebuild


class Command(BaseCommand):
    help = (
        "Recompute every scorecard counter from the dossiers and feedback as they are now (replaces the "
        "counters kept in real time; the result must be the same)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="dossiers read at a time (2000)")

    def handle(self, *args, batch, **options):
        counts = rebuild(batch=batch)
        self.stdout.write(
            f"Scorecard rebuilt: {counts['records']} records, {counts['counters']} day counters."
        )
