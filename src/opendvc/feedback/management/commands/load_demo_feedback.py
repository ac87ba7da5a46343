from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opendvc.feedback.demo import load


class Command(BaseCommand):
    help = (
        "Demo feedback: answered ones in the public list, others in the demo agencies' inboxes (DEBUG only)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo feedback is for local demos only (DEBUG=1).")
        made = load()
        self.stdout.write(f"Demo feedback: {made} created." if made else "Demo feedback: unchanged.")
