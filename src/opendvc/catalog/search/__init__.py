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
    exhaustive: bool = True  # False when the candidate limit was reached: more procedures may match

    @property
    def corrections(self) -> dict[str, str]:
        return self.query.corrections


# Body-only matches rank below any name or keyword match: look for them only when those are scarce.
BODY_RECALL_BELOW = 20


# The engine reads the whole list of procedures of every word it is asked for: asking only for the
# rarest few keeps recall just as selective and skips the long lists ("giấy", "cấp", "đăng ký").
RAREST_FOR_ALL = 3
RAREST_FOR_ANY = 4


def _rarest(words, vocab, count: int) -> list[str]:
    return sorted(sorted(set(words), key=lambda w: (vocab.frequency.get(w, 0), w))[:count])


def _recall(parsed: ParsedQuery, vocab, scope: QuerySet | None, limit: int) -> list:
    """Candidates in stages (see backends.py); each later stage runs only when the earlier found too few."""
    backend = backends.active()
    known = [[t for t in variant if t in vocab] for variant in parsed.variants]
    groups = [list(g) for g in dict.fromkeys(tuple(_rarest(k, vocab, RAREST_FOR_ALL)) for k in known) if g]
    found = backend.title_matches(groups, scope, limit) if groups else []
    # Each variant's rare words, or all its words when none is rare; the rarest of them.
    pool = {t for k in known for t in ([w for w in k if not vocab.is_common(w)] or k)}
    words = _rarest(pool, vocab, RAREST_FOR_ANY)
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
    candidates = _recall(parsed, vocab, scope, limit)
    ranked = rank(parsed, candidates, vocab)
    return SearchResult(ids=[pid for pid, _ in ranked], query=parsed, exhaustive=len(candidates) < limit)
