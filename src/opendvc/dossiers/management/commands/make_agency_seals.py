"""manage.py make_agency_seals [CODE ...] [--force]: test-PKI signing certificates for agencies.

Issues, for every agency (or those whose codes are given), the certificate the reference seal provider
(dossiers.signing.seals.TestCaSeals) signs electronic results with, if it is missing. Development and
tests only: it needs PKI_TEST_CA_ENABLED; production agencies use PKCS#12 files (Pkcs12Seals)."""

from django.core.management.base import BaseCommand, CommandError

from opendvc.catalog.models import Agency
from opendvc.dossiers.signing.seals import TestCaSeals
from opendvc.identity.pki import testca


class Command(BaseCommand):
    help = "Issue test-PKI signing certificates (seals) for agencies that have none."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="agency codes (default: every agency)")
        parser.add_argument("--force", action="store_true", help="issue new certificates (new keys)")

    def handle(self, *args, codes=(), force=False, **options):
        if not testca.enabled():
            raise CommandError("PKI_TEST_CA_ENABLED is off: test seals are for development and tests only.")
        agencies = Agency.objects.order_by("code")
        if codes:
            agencies = agencies.filter(code__in=codes)
            missing = sorted(set(codes) - set(agencies.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"Unknown agency codes: {', '.join(missing)}")
        seals = TestCaSeals()
        made = 0
        for agency in agencies:
            path = seals.path_for(agency)
            existed = path.exists()
            seals.ensure(agency, force=force)
            if force or not existed:
                made += 1
                self.stdout.write(f"  {agency.code:<20} {agency.name_vi}")
        self.stdout.write(f"{made} seal certificate(s) issued in {TestCaSeals.directory()}")
