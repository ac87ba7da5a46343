"""The words of the catalogue and how rare each one is, for weighting and typo correction.

Built from the database's own full-text statistics (FTS5's fts5vocab on SQLite, ts_stat on PostgreSQL),
kept in process memory and rebuilt when the catalogue's search version changes.
"""

import bisect
import math
import threading
from dataclasses import dataclass, field

from opendvc.catalog.search import backends
from opendvc.catalog.search.index import current_version

COMMON_AT_LEAST = 1000  # below this a word is cheap to recall by, however large its share
_lock = threading.Lock()
_cache: dict[str, "Vocabulary"] = {}


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


@dataclass
class Vocabulary:
    documents: int
    frequency: dict[str, int]  # word -> number of procedures containing it
    _by_delete: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _sorted: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self):
        self._sorted = sorted(self.frequency)
        for word in self.frequency:
            if len(word) >= 3:
                for variant in _deletes(word):
                    self._by_delete.setdefault(variant, []).append(word)

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def idf(self, word: str) -> float:
        return math.log(1 + (self.documents + 1) / (1 + self.frequency.get(word, 0)))

    def is_common(self, word: str) -> bool:
        """Found in more than a tenth of the procedures, and in many: useless to find candidates (the engine
        would score most of the catalogue), still useful to rank them."""
        count = self.frequency.get(word, 0)
        return count * 10 > self.documents and count > COMMON_AT_LEAST

    def correct(self, word: str) -> str | None:
        """The known word one edit away (insert, delete, substitute, swap) that most procedures use."""
        if len(word) < 4 or not word.isalpha():
            return None
        candidates = set(self._by_delete.get(word, ()))
        for variant in _deletes(word):
            if variant in self.frequency:
                candidates.add(variant)
            candidates.update(self._by_delete.get(variant, ()))
        best = [(-self.frequency[c], c) for c in candidates if edit_distance(word, c) == 1]
        return min(best)[1] if best else None

    def completions(self, prefix: str, limit: int = 5) -> list[str]:
        """The most used known words that start with `prefix` (for suggestions as you type)."""
        start = bisect.bisect_left(self._sorted, prefix)
        found = []
        for word in self._sorted[start:]:
            if not word.startswith(prefix):
                break
            found.append(word)
        found.sort(key=lambda w: -self.frequency[w])
        return found[:limit]


def vocabulary() -> Vocabulary:
    version = current_version()
    key = f"{backends.active().name}:{version}"
    cached = _cache.get(key)
    if cached is not None:
        return cached
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            documents, frequency = backends.active().vocabulary()
            cached = Vocabulary(documents=documents, frequency=frequency)
            _cache.clear()
            _cache[key] = cached
    return cached
