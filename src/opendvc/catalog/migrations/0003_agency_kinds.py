"""Reference data: the kinds of agency that perform procedures (catalog/reference.py)."""

from django.db import migrations

from opendvc.catalog.reference import ensure_agency_kinds


def load(apps, schema_editor):
    ensure_agency_kinds(apps.get_model("catalog", "AgencyKind"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_index")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
