from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendvc.catalog.exchange import FormatError, read_file
from opendvc.catalog.services import CatalogueImportError, import_catalogue


class Command(BaseCommand):
    help = "Import a catalogue file (JSON or CSV, docs/catalogue-format.md). Any error: nothing is imported."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="JSON or CSV files, imported one after another")

    def handle(self, *args, files, **options):
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            try:
                summary = import_catalogue(read_file(path), source_dir=path.parent)
            except FormatError as exc:
                raise CommandError(str(exc)) from exc
            except CatalogueImportError as exc:
                for problem in exc.problems:
                    self.stderr.write(f"{path.name}: {problem}")
                raise CommandError(f"{path.name}: {exc.message}") from exc
            self.stdout.write(f"{path.name}: {summary}")
