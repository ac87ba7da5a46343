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
    positions: dict[str, list[int]] = {}
    for j, word in enumerate(sequence):
        positions.setdefault(word, []).append(j)
    best = 0
    previous: dict[int, int] = {}
    for q in query:
        current = {j: previous.get(j - 1, 0) + 1 for j in positions.get(q, ())}
        if current:
            best = max(best, *current.values())
        previous = current
    return best


class _Fields:
    __slots__ = (
        "body",
        "keyword_tuples",
        "keyword_words",
        "keywords",
        "name_tuples",
        "name_words",
        "names",
        "vi_length",
    )

    def __init__(self, candidate: Candidate):
        self.names = [line.split() for line in candidate.name.split("\n") if line]
        self.name_words = {w for name in self.names for w in name}
        self.keywords = [line.split() for line in candidate.keywords.split("\n") if line]
        self.keyword_words = {w for keyword in self.keywords for w in keyword}
        self.body = set(candidate.body.split())
        self.name_tuples = {tuple(n) for n in self.names}
        self.keyword_tuples = {tuple(k) for k in self.keywords}
        self.vi_length = len(self.names[0]) if self.names else 0


def _score_variant(variant: tuple[str, ...], weights: list[float], total: float, fields: _Fields) -> float:
    in_name = in_keywords = in_body = 0.0
    for token, weight in zip(variant, weights, strict=True):
        if token in fields.name_words:
            in_name += weight
        if token in fields.keyword_words:
            in_keywords += weight
        if token in fields.body:
            in_body += weight
    score = (NAME_COVERAGE * in_name + KEYWORD_COVERAGE * in_keywords + BODY_COVERAGE * in_body) / total
    # A run needs two query words in the field: skip the work otherwise.
    words = set(variant)
    if len(variant) > 1 and len(words & fields.name_words) > 1:
        score += NAME_RUN * max(_longest_run(variant, n) for n in fields.names) / len(variant)
        if variant in fields.name_tuples:
            score += NAME_EXACT
    if len(variant) > 1 and len(words & fields.keyword_words) > 1:
        runs = (_longest_run(variant, k) for k in fields.keywords if len(words.intersection(k)) > 1)
        score += KEYWORD_RUN * max(runs, default=0) / len(variant)
    if variant in fields.keyword_tuples:
        score += KEYWORD_EXACT
    if len(variant) == 1 and variant in fields.name_tuples:
        score += NAME_EXACT
    return score


def rank(parsed: ParsedQuery, candidates: list[Candidate], vocabulary: Vocabulary) -> list[tuple[int, float]]:
    """(procedure id, score) for each candidate, best first; candidates matching nothing are dropped."""
    variants = []
    for i, variant in enumerate(parsed.variants):
        if variant:
            weights = [vocabulary.idf(t) for t in variant]
            variants.append((variant, weights, sum(weights) or 1.0, 1.0 if i == 0 else SYNONYM_DISCOUNT))
    scored = []
    for candidate in candidates:
        fields = _Fields(candidate)
        score = max((_score_variant(v, w, t, fields) * d for v, w, t, d in variants), default=0.0)
        if score <= 0:
            continue
        scored.append((candidate.procedure_id, score - NAME_LENGTH_PENALTY * fields.vi_length))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored
