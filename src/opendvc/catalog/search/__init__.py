"""Catalogue search: `search_procedures(text, scope=...)` returns procedure ids, best first.

See query.py (what the words mean), backends.py (finding candidates in the database) and ranking.py
(ordering them). docs/decisions.md explains why ranking happens outside the database.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from opendvc.catalog.search import backends
from opendvc.catalog.search.query import ParsedQuery, parse
from opendvc.catalog.search.ranking import rank
from opendvc.catalog.search.vocabulary import vocabulary
from opendvc.core.text import search_key

__all__ = ["SearchResult", "search_procedures"]


@dataclass
class SearchResult:
    ids: list[int]
    query: ParsedQuery

    @property
    def corrections(self) -> dict[str, str]:
        return self.query.corrections


# Body-only matches rank below any name or keyword match: look for them only when those are scarce.
BODY_RECALL_BELOW = 20


def _recall(parsed: ParsedQuery, vocab, scope: QuerySet, limit: int) -> list:
    """Candidates in stages (see backends.py); each later stage runs only when the earlier found too few."""
    backend = backends.active()
    groups = [sorted({t for t in variant if t in vocab}) for variant in parsed.variants]
    groups = [g for g in dict.fromkeys(tuple(g) for g in groups) if g]
    found = backend.title_matches(groups, scope, limit) if groups else []
    # Each variant's rare words, or all its words when none is rare.
    words = sorted({t for g in groups for t in ([w for w in g if not vocab.is_common(w)] or g)})
    for body, wanted in ((False, limit), (True, BODY_RECALL_BELOW)):
        if words and len(found) < wanted:
            seen = {c.procedure_id for c in found}
            extra = backend.any_matches(words, scope, limit, body=body)
            found += [c for c in extra if c.procedure_id not in seen][: limit - len(found)]
    if not found:
        found = backend.similar_names(search_key(parsed.text), scope, limit)
    return found


def search_procedures(
    text: str, *, scope: QuerySet | None = None, suggest: bool = False, limit: int | None = None
) -> SearchResult:
    """Active procedures matching `text`, best first. `scope` (a queryset) narrows the procedures searched;
    None searches them all, which needs no join."""
    limit = limit or settings.SEARCH_CANDIDATES
    vocab = vocabulary()
    parsed = parse(text, vocab, suggest=suggest)
    if not parsed.variants:
        return SearchResult(ids=[], query=parsed)
    ranked = rank(parsed, _recall(parsed, vocab, scope, limit), vocab)
    return SearchResult(ids=[pid for pid, _ in ranked], query=parsed)
