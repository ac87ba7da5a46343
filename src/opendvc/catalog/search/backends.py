"""Candidate retrieval from the database's own full-text index.

The backends only find candidates (recall); catalog.search.ranking orders them, the same way on every
database. SQLite uses FTS5 tables kept by triggers; PostgreSQL a stored weighted tsvector with a GIN index
and a pg_trgm index on names (migration 0002).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet


@dataclass(frozen=True)
class Candidate:
    procedure_id: int
    name: str
    keywords: str
    body: str


def _scope_sql(scope: QuerySet) -> tuple[str, tuple]:
    sql, params = scope.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


class SqliteBackend:
    name = "sqlite"

    @staticmethod
    def _match(words: list[str], prefixes: list[str]) -> str:
        terms = [f'"{w}"' for w in words] + [f'"{p}"*' for p in prefixes]
        return " OR ".join(terms)

    def candidates(self, words, prefixes, scope, limit) -> list[Candidate]:
        scope_sql, scope_params = _scope_sql(scope)
        sql = (
            "SELECT e.procedure_id, e.name, e.keywords, e.body FROM catalog_search_fts "
            "JOIN catalog_proceduresearchentry e ON e.procedure_id = catalog_search_fts.rowid "
            f"WHERE catalog_search_fts MATCH %s AND e.procedure_id IN ({scope_sql}) "
            "ORDER BY bm25(catalog_search_fts, 10.0, 6.0, 1.0) LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (self._match(words, prefixes), *scope_params, limit))
            return [Candidate(*row) for row in cursor.fetchall()]

    def similar_names(self, text, scope, limit) -> list[Candidate]:
        """Names sharing the most letter trigrams with the text (fallback when no word matched)."""
        grams = sorted({text[i : i + 3] for i in range(len(text) - 2) if " " not in text[i : i + 3]})
        if not grams:
            return []
        scope_sql, scope_params = _scope_sql(scope)
        match = " OR ".join(f'"{g}"' for g in grams)
        sql = (
            "SELECT e.procedure_id, e.name, e.keywords, e.body FROM catalog_search_trigram "
            "JOIN catalog_proceduresearchentry e ON e.procedure_id = catalog_search_trigram.rowid "
            f"WHERE catalog_search_trigram MATCH %s AND e.procedure_id IN ({scope_sql}) "
            "ORDER BY bm25(catalog_search_trigram) LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (match, *scope_params, limit))
            return [Candidate(*row) for row in cursor.fetchall()]

    def vocabulary(self) -> tuple[int, dict[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM catalog_proceduresearchentry")
            documents = cursor.fetchone()[0]
            cursor.execute("SELECT term, doc FROM catalog_search_vocab")
            return documents, dict(cursor.fetchall())


class PostgresBackend:
    name = "postgresql"

    @staticmethod
    def _tsquery(words: list[str], prefixes: list[str]) -> str:
        return " | ".join([f"'{w}'" for w in words] + [f"'{p}':*" for p in prefixes])

    def candidates(self, words, prefixes, scope, limit) -> list[Candidate]:
        scope_sql, scope_params = _scope_sql(scope)
        sql = (
            "SELECT e.procedure_id, e.name, e.keywords, e.body "
            "FROM catalog_proceduresearchentry e, to_tsquery('simple', %s) q "
            f"WHERE e.document @@ q AND e.procedure_id IN ({scope_sql}) "
            "ORDER BY ts_rank(e.document, q, 0) DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (self._tsquery(words, prefixes), *scope_params, limit))
            return [Candidate(*row) for row in cursor.fetchall()]

    def similar_names(self, text, scope, limit) -> list[Candidate]:
        scope_sql, scope_params = _scope_sql(scope)
        sql = (
            "SELECT e.procedure_id, e.name, e.keywords, e.body FROM catalog_proceduresearchentry e "
            f"WHERE e.name %% %s AND e.procedure_id IN ({scope_sql}) "
            "ORDER BY similarity(e.name, %s) DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (text, *scope_params, text, limit))
            return [Candidate(*row) for row in cursor.fetchall()]

    def vocabulary(self) -> tuple[int, dict[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM catalog_proceduresearchentry")
            documents = cursor.fetchone()[0]
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat('SELECT document FROM catalog_proceduresearchentry')"
            )
            return documents, dict(cursor.fetchall())


_BACKENDS = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}


def active():
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"No catalogue search backend for {connection.vendor}") from None
