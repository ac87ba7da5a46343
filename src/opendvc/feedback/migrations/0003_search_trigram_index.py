"""PostgreSQL: a trigram index so that searching answered feedback (" word " substrings) does not scan.

SQLite scans; it is the embedded default for demos, not for a national catalogue of answers."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS feedback_search_trgm ON feedback_feedback "
            "USING gin (search_text gin_trgm_ops) WHERE published_at IS NOT NULL"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS feedback_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_history_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
