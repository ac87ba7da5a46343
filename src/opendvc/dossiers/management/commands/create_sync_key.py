"""Make an API key for an agency's own system to push its dossiers (POST /api/v1/sync/dossiers).

    manage.py create_sync_key --agency 000.00.20.H26 --name "Một cửa điện tử Hoàn Kiếm"

The key is printed once; the portal keeps only its hash. Revoke a key in the admin (Khóa API đồng bộ).
"""

from django.core.management.base import BaseCommand, CommandError

from opendvc.catalog.models import Agency
from opendvc.dossiers import apikeys


class Command(BaseCommand):
    help = "Create a sync API key for an agency system and print it once."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="the agency's electronic code")
        parser.add_argument("--name", required=True, help="the name of the system that will use the key")

    def handle(self, *args, agency, name, **options):
        found = Agency.objects.filter(code=agency.strip()).first()
        if found is None:
            raise CommandError(f"No agency has the code {agency!r}.")
        if not name.strip():
            raise CommandError("--name must name the system that uses the key.")
        key, raw = apikeys.create_key(agency=found, name=name)
        self.stderr.write(
            f"Key for {found.code} ({key.name}), prefix {key.prefix}. It is shown only now: store it safely."
        )
        self.stdout.write(raw)
