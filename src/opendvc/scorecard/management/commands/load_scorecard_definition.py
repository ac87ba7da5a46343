import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendvc.scorecard.definition import DEFAULT_FILE, InvalidDefinition, load


class Command(BaseCommand):
    help = (
        "Load a scorecard definition (criteria, points, targets) from JSON; the shipped 766 one by default."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path.name}: cannot read the JSON ({exc}).") from exc
        try:
            definition = load(data)
        except InvalidDefinition as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(f"{path.name}: {len(exc.problems)} problem(s); nothing was loaded.") from exc
        self.stdout.write(
            f"Scorecard definition {definition.version} in force from {definition.effective_from}."
        )
