"""Re-encrypt every personal-data column with the newest key, and recompute the lookup hashes.

Key rotation (docs/operations.md): put the new Fernet key first in PERSONAL_DATA_KEYS (keep the old one
after it), deploy, run this command, then remove the old key. A new PERSONAL_DATA_HASH_KEY also needs
this command: each row is saved again, and the models recompute their `*_digest` columns on save.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from opendvc.core.personal_data import EncryptedField

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt personal data with the newest key of PERSONAL_DATA_KEYS and recompute lookup hashes."

    def handle(self, *args, **options):
        for model in apps.get_models():
            encrypted = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
            if not encrypted:
                continue
            digests = [
                f.name
                for f in model._meta.concrete_fields
                if f.name.endswith("_digest") or f.name == "digest"
            ]
            count = 0
            pks = list(model._default_manager.values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                with transaction.atomic():
                    for row in model._default_manager.filter(pk__in=pks[start : start + BATCH]):
                        # Reading decrypts with whichever key made the value; saving encrypts with the newest.
                        row.save(update_fields=encrypted + digests)
                        count += 1
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
