"""From what a person typed to what the index understands.

1. fold and canonicalise the words (core.text): diacritics, case, i/y, NFC/NFD no longer matter;
2. drop function phrases and words ("thủ tục", "làm", "như thế nào") when something else remains;
3. correct words the catalogue does not know to a known word one edit away (typos);
4. add the catalogue's names for colloquial words and abbreviations (synonyms.py) as query variants.
"""

from dataclasses import dataclass, field
from functools import cache

from opendvc.catalog.search.synonyms import STOP_PHRASES, STOPWORDS, SYNONYMS
from opendvc.catalog.search.vocabulary import Vocabulary
from opendvc.core.text import search_tokens


@cache
def _synonyms() -> list[tuple[tuple[str, ...], list[tuple[str, ...]]]]:
    table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for phrase, expansions in SYNONYMS.items():
        key = tuple(search_tokens(phrase))
        table.setdefault(key, []).extend(tuple(search_tokens(e)) for e in expansions)
    # Longest phrases first, so "bằng lái xe" wins over "bằng lái".
    return sorted(table.items(), key=lambda item: -len(item[0]))


@cache
def _stop_phrases() -> list[tuple[str, ...]]:
    return sorted((tuple(search_tokens(p)) for p in STOP_PHRASES), key=len, reverse=True)


def _find(sequence: list[str], phrase: tuple[str, ...]) -> int:
    n = len(phrase)
    for i in range(len(sequence) - n + 1):
        if tuple(sequence[i : i + n]) == phrase:
            return i
    return -1


def _without_function_words(tokens: list[str]) -> list[str]:
    kept = list(tokens)
    for phrase in _stop_phrases():
        while (at := _find(kept, phrase)) >= 0 and len(kept) > len(phrase):
            del kept[at : at + len(phrase)]
    meaningful = [t for t in kept if t not in STOPWORDS]
    return meaningful or kept


@dataclass
class ParsedQuery:
    text: str
    tokens: list[str]  # after stopwords and typo correction
    variants: list[tuple[str, ...]] = field(default_factory=list)  # tokens, then synonym rewrites
    prefix: str | None = None  # the unfinished last word, when suggesting as the user types
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.prefix


def parse(text: str, vocabulary: Vocabulary, *, suggest: bool = False) -> ParsedQuery:
    raw = search_tokens(text)
    prefix = None
    still_typing_last_word = text == text.rstrip()
    if suggest and raw and still_typing_last_word:
        prefix = raw.pop()
    tokens = _without_function_words(raw) if raw else []
    corrections = {}
    corrected = []
    for token in tokens:
        if token not in vocabulary and token not in STOPWORDS:
            better = vocabulary.correct(token)
            if better:
                corrections[token] = better
                token = better
        corrected.append(token)
    parsed = ParsedQuery(text=text, tokens=corrected, prefix=prefix, corrections=corrections)
    variants = [tuple(corrected)] if corrected else []
    # Synonyms are looked up on the words as typed (before stopwords), so "làm giấy khai sinh" matches.
    for sequence in (raw, corrected):
        for phrase, expansions in _synonyms():
            at = _find(list(sequence), phrase)
            if at < 0:
                continue
            for expansion in expansions:
                rewritten = tuple(
                    _without_function_words([*sequence[:at], *expansion, *sequence[at + len(phrase) :]])
                )
                if rewritten not in variants:
                    variants.append(rewritten)
    if prefix:
        completions = vocabulary.completions(prefix, limit=3)
        variants = [(*v, c) for v in (variants or [()]) for c in completions] or variants
    parsed.variants = variants
    return parsed
