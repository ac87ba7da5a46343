from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from opendvc.catalog.reference import ensure_agency_kinds

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# Agencies and fields first, life events last: each file only refers to what came before it.
DEMO_FILES = ["agencies.json", "procedures_*.json", "life_events.json"]


def demo_files() -> list[Path]:
    files: list[Path] = []
    for pattern in DEMO_FILES:
        files.extend(sorted(DEMO_DIR.glob(pattern)))
    return files


class Command(BaseCommand):
    help = "Load the demo catalogue (idempotent: loading it twice changes nothing)."

    def handle(self, *args, **options):
        ensure_agency_kinds()
        call_command(
            "import_catalogue", *[str(f) for f in demo_files()], stdout=self.stdout, stderr=self.stderr
        )
