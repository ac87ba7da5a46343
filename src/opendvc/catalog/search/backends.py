"""Candidate retrieval from the database's own full-text index.

The backends only find candidates (recall); catalog.search.ranking orders them, the same way on every
database, so the order of candidates returned here does not matter, only which ones. Recall has stages
(catalog.search._recall), each run only when the earlier ones found too few:
1. `title_matches`: procedures whose name or keywords hold every word of a query variant, shortest names
   first (selective, and no scoring of every match);
2. `any_matches(body=False)`: names or keywords with two of the rare words (or the only one), best first
   by the engine's rank;
3. `any_matches(body=True)`: the same over the whole text;
4. `similar_names`: letter trigrams over names, when no word matched.

`scope` is a queryset of procedures to search within, or None for every active procedure (the common
case, answered from the search entries alone).

SQLite uses FTS5 tables kept by triggers (migration 0002). PostgreSQL uses a stored weighted tsvector
`document` with a GIN index and a pg_trgm index on names (0002), and the narrow table
`catalog_search_title` for stages 1 and 2 (0004).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

COLUMNS = "e.procedure_id, e.name, e.keywords, e.body"


@dataclass(frozen=True)
class Candidate:
    procedure_id: int
    name: str
    keywords: str
    body: str


def _scope_condition(column: str, scope: QuerySet | None) -> tuple[str, tuple]:
    if scope is None:
        return "", ()
    sql, params = scope.order_by().values("pk").query.sql_with_params()
    return f" AND {column} IN ({sql})", tuple(params)


def _fetch(sql: str, params: tuple) -> list[Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Candidate(*row) for row in cursor.fetchall()]


def _all_of(groups: list[list[str]], quote, joiner: str, separator: str) -> str:
    return separator.join("(" + joiner.join(quote(w) for w in group) + ")" for group in groups)


def _two_of(words: list[str]) -> list[list[str]]:
    """Any two of the words, as groups for _all_of; a single word stands alone.

    Asking for two words instead of one keeps the engine from scoring every procedure that shares one
    common word with a long query (a whole name typed with a typo)."""
    if len(words) < 3:
        return [[w] for w in words]
    return [[a, b] for i, a in enumerate(words) for b in words[i + 1 :]]


class SqliteBackend:
    name = "sqlite"

    def _select(self, match: str, order: str, scope, limit) -> list[Candidate]:
        condition, params = _scope_condition("e.procedure_id", scope)
        return _fetch(
            f"SELECT {COLUMNS} FROM catalog_search_fts "
            "JOIN catalog_proceduresearchentry e ON e.procedure_id = catalog_search_fts.rowid "
            f"WHERE catalog_search_fts MATCH %s AND e.active{condition} ORDER BY {order} LIMIT %s",
            (match, *params, limit),
        )

    def title_matches(self, groups, scope, limit) -> list[Candidate]:
        match = _all_of(groups, lambda w: f'"{w}"', " AND ", " OR ")
        return self._select(f"{{name keywords}} : ({match})", "length(e.name), e.procedure_id", scope, limit)

    def any_matches(self, words, scope, limit, *, body: bool) -> list[Candidate]:
        match = _all_of(_two_of(words), lambda w: f'"{w}"', " AND ", " OR ")
        match = match if body else f"{{name keywords}} : ({match})"
        return self._select(match, "bm25(catalog_search_fts, 10.0, 6.0, 1.0), e.procedure_id", scope, limit)

    def similar_names(self, text, scope, limit) -> list[Candidate]:
        grams = sorted({text[i : i + 3] for i in range(len(text) - 2) if " " not in text[i : i + 3]})
        if not grams:
            return []
        condition, params = _scope_condition("e.procedure_id", scope)
        return _fetch(
            f"SELECT {COLUMNS} FROM catalog_search_trigram "
            "JOIN catalog_proceduresearchentry e ON e.procedure_id = catalog_search_trigram.rowid "
            f"WHERE catalog_search_trigram MATCH %s AND e.active{condition} "
            "ORDER BY bm25(catalog_search_trigram), e.procedure_id LIMIT %s",
            (" OR ".join(f'"{g}"' for g in grams), *params, limit),
        )

    def vocabulary(self) -> tuple[int, dict[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM catalog_proceduresearchentry")
            documents = cursor.fetchone()[0]
            cursor.execute("SELECT term, doc FROM catalog_search_vocab")
            return documents, dict(cursor.fetchall())


class PostgresBackend:
    name = "postgresql"

    def _from_titles(self, tsquery: str, order: str, scope, limit) -> list[Candidate]:
        # Pick the ids in the narrow table, then read the wide entries of those few only.
        condition, params = _scope_condition("t.procedure_id", scope)
        return _fetch(
            f"SELECT {COLUMNS} FROM catalog_proceduresearchentry e WHERE e.procedure_id IN ("
            "SELECT t.procedure_id FROM catalog_search_title t, to_tsquery('simple', %s) q "
            f"WHERE t.title @@ q AND t.active{condition} ORDER BY {order} LIMIT %s)",
            (tsquery, *params, limit),
        )

    def title_matches(self, groups, scope, limit) -> list[Candidate]:
        tsquery = _all_of(groups, lambda w: f"'{w}'", " & ", " | ")
        return self._from_titles(tsquery, "t.name_length, t.procedure_id", scope, limit)

    def any_matches(self, words, scope, limit, *, body: bool) -> list[Candidate]:
        tsquery = _all_of(_two_of(words), lambda w: f"'{w}'", " & ", " | ")
        if not body:
            return self._from_titles(tsquery, "ts_rank(t.title, q, 0) DESC, t.procedure_id", scope, limit)
        condition, params = _scope_condition("e.procedure_id", scope)
        return _fetch(
            f"SELECT {COLUMNS} FROM catalog_proceduresearchentry e, to_tsquery('simple', %s) q "
            f"WHERE e.document @@ q AND e.active{condition} "
            "ORDER BY ts_rank(e.document, q, 0) DESC, e.procedure_id LIMIT %s",
            (tsquery, *params, limit),
        )

    def similar_names(self, text, scope, limit) -> list[Candidate]:
        condition, params = _scope_condition("e.procedure_id", scope)
        return _fetch(
            f"SELECT {COLUMNS} FROM catalog_proceduresearchentry e "
            f"WHERE e.name %% %s AND e.active{condition} "
            "ORDER BY similarity(e.name, %s) DESC, e.procedure_id LIMIT %s",
            (text, *params, text, limit),
        )

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
