from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opendvc.payments.demo import ensure_demo_merchants


class Command(BaseCommand):
    help = "Demo merchant accounts paid through the local gateway simulator (never in production)."

    def handle(self, *args, **options):
        if not settings.PAYMENT_SIMULATOR_ENABLED:
            raise CommandError("The payment simulator is off (PAYMENT_SIMULATOR_ENABLED): no demo merchants.")
        for agency_code, outcome in ensure_demo_merchants():
            self.stdout.write(f"merchant {agency_code}: {outcome}")
