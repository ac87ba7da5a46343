"""Catalogue search: `search_procedures(text, scope=...)` returns procedure ids, best first.

See query.py (what the words mean), backends.py (finding candidates in the database) and ranking.py
(ordering them). docs/decisions.md explains why ranking happens outside the database.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from opendvc.catalog.models import Procedure
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


def _recall_words(parsed: ParsedQuery, vocab) -> list[str]:
    """Words to find candidates by: each variant's rare words, or all its words when none is rare.

    Common words ("đăng ký", "cấp") would make the database rank most of the catalogue; the ranker still
    weighs them. Variants are alternatives, so each contributes its own words.
    """
    words: set[str] = set()
    for variant in parsed.variants:
        known = [t for t in variant if t in vocab]
        rare = [t for t in known if not vocab.is_common(t)]
        words.update(rare or known)
    return sorted(words)


def search_procedures(
    text: str, *, scope: QuerySet | None = None, suggest: bool = False, limit: int | None = None
) -> SearchResult:
    """Active procedures matching `text`, best first. `scope` narrows (filters) the procedures searched."""
    scope = (scope if scope is not None else Procedure.objects.all()).filter(status="active")
    limit = limit or settings.SEARCH_CANDIDATES
    vocab = vocabulary()
    parsed = parse(text, vocab, suggest=suggest)
    if not parsed.variants:
        return SearchResult(ids=[], query=parsed)
    backend = backends.active()
    words = _recall_words(parsed, vocab)
    candidates = backend.candidates(words, [], scope, limit) if words else []
    if not candidates:
        candidates = backend.similar_names(search_key(text), scope, limit)
    ranked = rank(parsed, candidates, vocab)
    return SearchResult(ids=[pid for pid, _ in ranked], query=parsed)
