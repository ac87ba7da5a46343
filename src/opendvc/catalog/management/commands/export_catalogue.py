import json

from django.core.management.base import BaseCommand

from opendvc.catalog.exchange import export_catalogue, procedures_to_csv


class Command(BaseCommand):
    help = "Write the catalogue in the exchange format (docs/catalogue-format.md) to a file or stdout."

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=["json", "csv"], default="json", help="csv writes procedures only"
        )
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, format, output, **options):
        data = export_catalogue()
        text = (
            procedures_to_csv(data["procedures"])
            if format == "csv"
            else json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        )
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stdout.write(f"{output}: {len(data['procedures'])} procedures")
        else:
            self.stdout.write(text, ending="")
