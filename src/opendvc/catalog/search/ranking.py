"""One ordering of candidates for every database.

A procedure scores by how much of the query (weighted by how rare each word is) its name, its keywords
and its body contain, and by how long a run of the query's words appears in the same order (an exact
phrase beats scattered words). Names weigh most, then keywords (the names people use), then the body.
Shorter names win ties, so "Đăng ký khai sinh" comes before "Đăng ký khai sinh có yếu tố nước ngoài".
"""

from opendvc.catalog.search.backends import Candidate
from opendvc.catalog.search.query import ParsedQuery
from opendvc.catalog.search.vocabulary import Vocabulary

NAME_COVERAGE = 40.0
NAME_RUN = 35.0
NAME_EXACT = 40.0
KEYWORD_COVERAGE = 25.0
KEYWORD_RUN = 20.0
KEYWORD_EXACT = 15.0
BODY_COVERAGE = 10.0
NAME_LENGTH_PENALTY = 0.3
SYNONYM_DISCOUNT = 0.97


def _longest_run(query: tuple[str, ...], sequence: list[str]) -> int:
    """Length of the longest stretch of consecutive query words found consecutively in the sequence."""
    best = 0
    previous = [0] * (len(sequence) + 1)
    for q in query:
        current = [0] * (len(sequence) + 1)
        for j, word in enumerate(sequence, start=1):
            if q == word:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


class _Fields:
    __slots__ = ("body", "keyword_words", "keywords", "name_words", "names", "vi_length")

    def __init__(self, candidate: Candidate):
        self.names = [line.split() for line in candidate.name.split("\n") if line]
        self.name_words = {w for name in self.names for w in name}
        self.keywords = [line.split() for line in candidate.keywords.split("\n") if line]
        self.keyword_words = {w for keyword in self.keywords for w in keyword}
        self.body = set(candidate.body.split())
        self.vi_length = len(self.names[0]) if self.names else 0


def _score_variant(variant: tuple[str, ...], fields: _Fields, weights: list[float]) -> float:
    total = sum(weights) or 1.0
    in_name = sum(w for t, w in zip(variant, weights, strict=True) if t in fields.name_words) / total
    in_keywords = sum(w for t, w in zip(variant, weights, strict=True) if t in fields.keyword_words) / total
    in_body = sum(w for t, w in zip(variant, weights, strict=True) if t in fields.body) / total
    score = NAME_COVERAGE * in_name + KEYWORD_COVERAGE * in_keywords + BODY_COVERAGE * in_body
    if len(variant) > 1:
        score += NAME_RUN * max((_longest_run(variant, n) for n in fields.names), default=0) / len(variant)
        score += (
            KEYWORD_RUN * max((_longest_run(variant, k) for k in fields.keywords), default=0) / len(variant)
        )
    if any(tuple(n) == variant for n in fields.names):
        score += NAME_EXACT
    if any(tuple(k) == variant for k in fields.keywords):
        score += KEYWORD_EXACT
    return score


def rank(parsed: ParsedQuery, candidates: list[Candidate], vocabulary: Vocabulary) -> list[tuple[int, float]]:
    """(procedure id, score) for each candidate, best first; candidates matching nothing are dropped."""
    variants = [
        (v, [vocabulary.idf(t) for t in v], 1.0 if i == 0 else SYNONYM_DISCOUNT)
        for i, v in enumerate(parsed.variants)
        if v
    ]
    scored = []
    for candidate in candidates:
        fields = _Fields(candidate)
        score = max((_score_variant(v, fields, w) * d for v, w, d in variants), default=0.0)
        if score <= 0:
            continue
        scored.append((candidate.procedure_id, score - NAME_LENGTH_PENALTY * fields.vi_length))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored
