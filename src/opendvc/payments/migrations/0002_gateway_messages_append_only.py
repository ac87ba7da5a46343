from django.db import migrations

from opendvc.core.append_only import refuse_updates


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [refuse_updates("payments_gatewaymessage")]
