"""The database refuses to change a dossier's timeline entry (UPDATE), as it does for the audit trail."""

from django.db import migrations

from opendvc.core.append_only import refuse_updates


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_result_reference")]
    operations = [refuse_updates("dossiers_dossierevent")]
