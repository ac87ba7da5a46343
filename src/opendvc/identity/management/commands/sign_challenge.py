"""manage.py sign_challenge --token an --data <base64>: sign as a token plug-in would (development).

Prints JSON {"token", "signature", "certificate"} (base64 DER), ready for the `signature` and
`certificate` fields of a USB-token login or registration. `--text` signs --data as UTF-8 text.
`--list` lists the test tokens.
"""

import base64
import binascii
import json

from django.core.management.base import BaseCommand, CommandError

from opendvc.identity.pki.signer import sign_detached
from opendvc.identity.pki.testca import UnknownToken, ensure_test_pki


class Command(BaseCommand):
    help = "Sign a challenge with a test token, as the USB token plug-in would (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--token", default="an", help="test token id (see --list); default: an")
        parser.add_argument("--data", help="the challenge, base64 (as the page's data-challenge)")
        parser.add_argument("--text", action="store_true", help="--data is text to sign as UTF-8, not base64")
        parser.add_argument("--list", action="store_true", help="list the test tokens")

    def handle(self, *args, token, data, text, list, **options):
        if list:
            for item in ensure_test_pki().tokens.values():
                self.stdout.write(f"{item.id:<32} {item.kind:<4} {item.label}")
            return
        if data is None:
            raise CommandError("--data is required (base64, or text with --text)")
        if text:
            payload = data.encode("utf-8")
        else:
            try:
                payload = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise CommandError("--data is not base64 (add --text to sign it as text)") from None
        try:
            signature, certificate = sign_detached(payload, token)
        except UnknownToken:
            raise CommandError(f"unknown token {token!r}; see --list") from None
        self.stdout.write(
            json.dumps(
                {
                    "token": token,
                    "signature": base64.b64encode(signature).decode("ascii"),
                    "certificate": base64.b64encode(certificate).decode("ascii"),
                }
            )
        )
