"""Publish the demo e-forms (dossiers/eforms/demo) for the demo catalogue's popular procedures."""

from django.core.management.base import BaseCommand

from opendvc.catalog.models import Procedure
from opendvc.dossiers.eforms.demo import definitions
from opendvc.dossiers.services.forms import publish_form


class Command(BaseCommand):
    help = "Publish the demo e-form definitions (idempotent: an unchanged form is not republished)."

    def handle(self, *args, **options):
        published = unchanged = missing = 0
        for code, schema in sorted(definitions().items()):
            procedure = Procedure.objects.filter(code=code).first()
            if procedure is None:
                missing += 1
                self.stderr.write(f"No procedure {code} in the catalogue; its form is skipped.")
                continue
            _definition, created = publish_form(procedure=procedure, schema=schema)
            published += created
            unchanged += not created
        self.stdout.write(
            f"E-forms: {published} published, {unchanged} unchanged, {missing} without procedure."
        )
