"""A migration operation that makes the database itself refuse UPDATE on a table (PostgreSQL and SQLite).

For append-only records (the audit trail, dossier timelines). DELETE stays with the model and queryset:
test databases are flushed between browser tests, and on PostgreSQL TRUNCATE rights belong to the owner.
"""

from django.db import migrations


def refuse_updates(table: str) -> migrations.RunPython:
    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {table}_refuse_update() RETURNS trigger AS $$
                BEGIN
                    RAISE EXCEPTION '{table} is append-only';
                END;
                $$ LANGUAGE plpgsql;
                CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION {table}_refuse_update();
                """
            )
        else:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}; "
                f"DROP FUNCTION IF EXISTS {table}_refuse_update();"
            )
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")

    return migrations.RunPython(forwards, backwards)
