"""Fast recall (search/backends.py): the procedure's status on its search entry, and on PostgreSQL a
narrow table `catalog_search_title` (id, active, name length, name + keywords vector) kept from the search
entries by trigger. Search entries are wide (they carry the body text); recall over the narrow table reads
a few MB that stay in memory instead of one table page per matching procedure.
"""

from importlib import import_module

from django.db import migrations, models

# SQLite rebuilds a table to add a column, which drops its triggers: 0002's are created again.
SQLITE_TRIGGERS = [
    statement
    for statement in import_module("opendvc.catalog.migrations.0002_search_index").SQLITE_FORWARD
    if statement.startswith("CREATE TRIGGER")
]
SQLITE_FORWARD = [
    *(f"DROP TRIGGER IF EXISTS catalog_search_{name}" for name in ("ai", "ad", "au")),
    *SQLITE_TRIGGERS,
    "INSERT INTO catalog_search_fts(catalog_search_fts) VALUES ('rebuild')",
    "INSERT INTO catalog_search_trigram(catalog_search_trigram) VALUES ('rebuild')",
]

POSTGRES_FORWARD = [
    """CREATE TABLE catalog_search_title (
        procedure_id bigint PRIMARY KEY,
        active boolean NOT NULL,
        name_length integer NOT NULL,
        title tsvector NOT NULL)""",
    "CREATE INDEX catalog_search_title_vector ON catalog_search_title USING GIN (title)",
    "CREATE INDEX catalog_search_title_length ON catalog_search_title (active, name_length, procedure_id)",
    """CREATE FUNCTION catalog_search_title_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO catalog_search_title (procedure_id, active, name_length, title)
        VALUES (NEW.procedure_id, NEW.active, length(NEW.name),
                setweight(to_tsvector('simple', NEW.name), 'A') ||
                setweight(to_tsvector('simple', NEW.keywords), 'B'))
        ON CONFLICT (procedure_id) DO UPDATE SET active = EXCLUDED.active,
            name_length = EXCLUDED.name_length, title = EXCLUDED.title;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER catalog_search_title_sync AFTER INSERT OR UPDATE ON catalog_proceduresearchentry
        FOR EACH ROW EXECUTE FUNCTION catalog_search_title_sync()""",
    # No foreign key: Django's flush truncates its own tables, which a referencing table would block.
    """CREATE FUNCTION catalog_search_title_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE catalog_search_title;
        ELSE
            DELETE FROM catalog_search_title WHERE procedure_id = OLD.procedure_id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER catalog_search_title_delete AFTER DELETE ON catalog_proceduresearchentry
        FOR EACH ROW EXECUTE FUNCTION catalog_search_title_forget()""",
    """CREATE TRIGGER catalog_search_title_truncate AFTER TRUNCATE ON catalog_proceduresearchentry
        FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_title_forget()""",
    """INSERT INTO catalog_search_title (procedure_id, active, name_length, title)
        SELECT procedure_id, active, length(name),
               setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', keywords), 'B')
        FROM catalog_proceduresearchentry""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_search_title_truncate ON catalog_proceduresearchentry",
    "DROP TRIGGER IF EXISTS catalog_search_title_delete ON catalog_proceduresearchentry",
    "DROP FUNCTION IF EXISTS catalog_search_title_forget()",
    "DROP TRIGGER IF EXISTS catalog_search_title_sync ON catalog_proceduresearchentry",
    "DROP FUNCTION IF EXISTS catalog_search_title_sync()",
    "DROP TABLE IF EXISTS catalog_search_title",
]


def forward(apps, schema_editor):
    schema_editor.execute(
        "UPDATE catalog_proceduresearchentry SET active = EXISTS (SELECT 1 FROM catalog_procedure p "
        "WHERE p.id = catalog_proceduresearchentry.procedure_id AND p.status = 'active')"
    )
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}[schema_editor.connection.vendor]
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement)


def restore_sqlite_triggers(apps, schema_editor):
    """Unapplying removes the column, another table rebuild on SQLite: put 0002's triggers back last."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_agency_kinds")]
    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.AddField(
            model_name="proceduresearchentry", name="active", field=models.BooleanField(default=True)
        ),
        migrations.RunPython(forward, backward),
    ]
