from django.core.management.base import BaseCommand, CommandError

from opendvc.core.models import AuditEvent
from opendvc.scorecard import history


class Command(BaseCommand):
    help = (
        "Generate a year of history (dossiers, documents, timelines, payments, ratings, feedback) for the "
        "demo agencies, with the scorecard's counters. Once per database unless --again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=200_000, help="about how many dossiers (200,000)")
        parser.add_argument("--days", type=int, default=365, help="days of history before today (365)")
        parser.add_argument("--seed", type=int, default=766)
        parser.add_argument("--lean", action="store_true", help="no timelines or documents (benchmarks)")
        parser.add_argument("--again", action="store_true", help="add another history even if there is one")

    def handle(self, *args, dossiers, days, seed, lean, again, **options):
        if dossiers < 0 or not 1 <= days <= 3660:
            raise CommandError("--dossiers must be 0 or more and --days between 1 and 3660.")
        if not again and AuditEvent.objects.filter(action="scorecard.history_generated").exists():
            self.stdout.write("The demo history is already there (use --again to add more).")
            return

        def progress(done):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done:,} dossiers")

        stats, seconds = history.generate(
            dossiers=dossiers, days=days, seed=seed, lean=lean, progress=progress
        )
        if not stats:
            self.stdout.write("No agency performs an active procedure: load the catalogue first (load_demo).")
            return
        summary = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in sorted(stats.items()))
        self.stdout.write(self.style.SUCCESS(f"Demo history in {seconds:.0f} s: {summary}."))
