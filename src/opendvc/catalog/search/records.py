"""Searching records other than procedures (answered feedback, guides and news) the way the catalogue is
searched: the same normalisation (diacritics, i/y, typos, function words, synonyms such as CCCD or sổ đỏ)
and the same ranker.

A searchable record keeps `search_text` = `index_text(title, body)`: its folded title and body padded with
spaces, so that " word " matches whole words. Recall asks the database for records holding every word of
a query variant (the words as typed, corrected, or rewritten by a synonym), and when there is none, records
with two of them; ranking is `ranking.rank` with the title as the name and the body as the body.
"""

from django.db.models import Q, QuerySet

from opendvc.catalog.search.backends import Candidate
from opendvc.catalog.search.query import ParsedQuery, parse
from opendvc.catalog.search.ranking import rank
from opendvc.catalog.search.vocabulary import vocabulary
from opendvc.core.text import search_key, search_tokens


def index_text(title: str, body: str) -> str:
    """What `search_text` holds: " <folded title> \n <folded body> "."""
    return f" {search_key(title)} \n {search_key(body)} "


CANDIDATES = 200
WIDEN_BELOW = 1  # no record holds every word of a variant: take those with two of its words
MAX_QUERY = 200


def _variants(text: str) -> tuple[ParsedQuery, list[tuple[str, ...]]]:
    parsed = parse(text, vocabulary())
    variants = list(parsed.variants)
    typed = tuple(search_tokens(text))
    # Words the catalogue does not know may still be in a record (place names, a school): keep them as typed.
    if typed and typed not in variants:
        variants.append(typed)
    parsed.variants = variants
    return parsed, [v for v in variants if v]


def _all_of(words) -> Q:
    condition = Q()
    for word in set(words):
        condition &= Q(search_text__contains=f" {word} ")
    return condition


def _any_of(variants, pairs: bool) -> Q:
    """Records holding every word of a variant (pairs=False), or two of its words (pairs=True; a variant
    of one or two words: any of them), the way the catalogue widens its recall."""
    condition = Q()
    for variant in variants:
        words = sorted(set(variant))
        if not pairs:
            condition |= _all_of(words)
        elif len(words) < 3:
            for word in words:
                condition |= _all_of([word])
        else:
            for i, first in enumerate(words):
                for second in words[i + 1 :]:
                    condition |= _all_of([first, second])
    return condition


def search(published: QuerySet, text: str) -> list[int]:
    """Ids of the records in `published` (a queryset of a model with `search_text`) that match `text`,
    best first."""
    text = (text or "")[:MAX_QUERY]
    parsed, variants = _variants(text)
    if not variants:
        return []
    rows = list(
        published.filter(_any_of(variants, pairs=False)).values_list("pk", "search_text")[:CANDIDATES]
    )
    if len(rows) < WIDEN_BELOW:
        seen = {pk for pk, _text in rows}
        wider = published.filter(_any_of(variants, pairs=True)).exclude(pk__in=seen)
        rows += list(wider.values_list("pk", "search_text")[: CANDIDATES - len(rows)])
    candidates = []
    for pk, stored in rows:
        title, _sep, body = stored.partition("\n")
        candidates.append(Candidate(procedure_id=pk, name=title.strip(), keywords="", body=body.strip()))
    return [pk for pk, _score in rank(parsed, candidates, vocabulary())]
