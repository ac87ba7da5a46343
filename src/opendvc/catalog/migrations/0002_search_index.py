"""Full-text structures of the search index, per database (see catalog/search/backends.py).

SQLite: an FTS5 table over the search entries (kept by triggers), its vocabulary view, and a trigram FTS5
table over names for the typo fallback. PostgreSQL: a stored weighted tsvector column with a GIN index,
and a pg_trgm GIN index over names.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
        name, keywords, body, content='catalog_proceduresearchentry', content_rowid='procedure_id',
        tokenize='unicode61')""",
    "CREATE VIRTUAL TABLE catalog_search_vocab USING fts5vocab(catalog_search_fts, 'row')",
    """CREATE VIRTUAL TABLE catalog_search_trigram USING fts5(
        name, content='catalog_proceduresearchentry', content_rowid='procedure_id', tokenize='trigram')""",
    """CREATE TRIGGER catalog_search_ai AFTER INSERT ON catalog_proceduresearchentry BEGIN
        INSERT INTO catalog_search_fts(rowid, name, keywords, body)
            VALUES (new.procedure_id, new.name, new.keywords, new.body);
        INSERT INTO catalog_search_trigram(rowid, name) VALUES (new.procedure_id, new.name);
    END""",
    """CREATE TRIGGER catalog_search_ad AFTER DELETE ON catalog_proceduresearchentry BEGIN
        INSERT INTO catalog_search_fts(catalog_search_fts, rowid, name, keywords, body)
            VALUES ('delete', old.procedure_id, old.name, old.keywords, old.body);
        INSERT INTO catalog_search_trigram(catalog_search_trigram, rowid, name)
            VALUES ('delete', old.procedure_id, old.name);
    END""",
    """CREATE TRIGGER catalog_search_au AFTER UPDATE ON catalog_proceduresearchentry BEGIN
        INSERT INTO catalog_search_fts(catalog_search_fts, rowid, name, keywords, body)
            VALUES ('delete', old.procedure_id, old.name, old.keywords, old.body);
        INSERT INTO catalog_search_trigram(catalog_search_trigram, rowid, name)
            VALUES ('delete', old.procedure_id, old.name);
        INSERT INTO catalog_search_fts(rowid, name, keywords, body)
            VALUES (new.procedure_id, new.name, new.keywords, new.body);
        INSERT INTO catalog_search_trigram(rowid, name) VALUES (new.procedure_id, new.name);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_search_au",
    "DROP TRIGGER IF EXISTS catalog_search_ad",
    "DROP TRIGGER IF EXISTS catalog_search_ai",
    "DROP TABLE IF EXISTS catalog_search_trigram",
    "DROP TABLE IF EXISTS catalog_search_vocab",
    "DROP TABLE IF EXISTS catalog_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE catalog_proceduresearchentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', name), 'A') ||
        setweight(to_tsvector('simple', keywords), 'B') ||
        setweight(to_tsvector('simple', body), 'C')) STORED""",
    "CREATE INDEX catalog_search_document ON catalog_proceduresearchentry USING GIN (document)",
    "CREATE INDEX catalog_search_name_trgm ON catalog_proceduresearchentry USING GIN (name gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_search_name_trgm",
    "DROP INDEX IF EXISTS catalog_search_document",
    "ALTER TABLE catalog_proceduresearchentry DROP COLUMN IF EXISTS document",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(f"Catalogue search supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for statement in {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
