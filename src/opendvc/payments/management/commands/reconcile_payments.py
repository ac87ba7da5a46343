from django.core.management.base import BaseCommand

from opendvc.payments.services.settlement import reconcile


class Command(BaseCommand):
    help = (
        "Ask the payment gateways about orders still pending (no IPN came) and settle them; the same as the "
        "Celery beat task reconcile-payments."
    )

    def handle(self, *args, **options):
        counts = reconcile()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
