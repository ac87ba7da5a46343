from django.core.management.base import BaseCommand

from opendvc.portal import demo


class Command(BaseCommand):
    help = "Load the demo's guides, news and opinion poll (again: updated, not duplicated)."

    def handle(self, *args, **options):
        count = demo.load()
        self.stdout.write(self.style.SUCCESS(f"{count} articles and the opinion poll are ready."))
