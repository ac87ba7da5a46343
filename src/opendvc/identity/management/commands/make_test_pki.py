"""manage.py make_test_pki [--force] [--directory DIR]: the development test PKI (identity.pki.testca)."""

from django.core.management.base import BaseCommand

from opendvc.identity.pki.testca import ensure_test_pki


class Command(BaseCommand):
    help = "Make the development test PKI (test root CA, issuing CA, CRL, demo tokens) if it is missing."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="make it anew (new keys)")
        parser.add_argument("--directory", help="where (default: settings.PKI_TEST_CA_DIR)")

    def handle(self, *args, force=False, directory=None, **options):
        pki = ensure_test_pki(directory, force=force)
        self.stdout.write(f"Test PKI in {pki.directory} (made {pki.created_at:%Y-%m-%d %H:%M} UTC)")
        self.stdout.write(f"  trusted root: {pki.root_certificate}")
        self.stdout.write(f"  CRLs: {', '.join(str(path) for path in pki.crls)}")
        for token in pki.tokens.values():
            where = f" phone {token.phone}" if token.phone else ""
            self.stdout.write(f"  {token.id:<32} {token.kind}{where}  {token.label}")
