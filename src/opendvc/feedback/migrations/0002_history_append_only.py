"""The database refuses to change a feedback's history entry (UPDATE), as for dossier timelines."""

from django.db import migrations

from opendvc.core.append_only import refuse_updates


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [refuse_updates("feedback_event")]
