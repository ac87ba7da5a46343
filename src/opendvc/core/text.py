"""Text normalisation for Vietnamese search keys.

`fold` turns any input (NFC or NFD, any case, with or without diacritics) into a plain lower-case ASCII
key, and `search_tokens` splits it into the tokens both the index and the query use, so that every
spelling a person may type lands on the same key:

- diacritics and tone marks are removed, including their placement (hòa/hoà, thủy/thuỷ) and đ → d;
- the interchangeable final i/y of a syllable is unified (ký/kí, lý/lí, mỹ/mĩ, quý/quí);
- long Latin words are cut to a short stem so English word forms meet (register, registration).
"""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
# A syllable made of a Vietnamese initial consonant and a final "y": the "y" may be written "i".
_Y_SYLLABLE = re.compile(r"^(b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)?y$")
_STEM_MIN_LENGTH = 8  # longer than any Vietnamese syllable, so only foreign words are cut
_STEM_LENGTH = 6


def nfc(text: str) -> str:
    """The text in Unicode NFC, the form every stored Vietnamese string must be in."""
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    without_marks = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return without_marks.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: 'Đăng Ký  Khai-sinh' -> 'dang ky khai sinh'."""
    return _NON_WORD.sub(" ", strip_diacritics(text).lower()).strip()


def canonical_token(token: str) -> str:
    """One canonical form of a folded word (see the module docstring)."""
    if _Y_SYLLABLE.match(token):
        return token[:-1] + "i"
    if len(token) >= 5 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    if len(token) >= _STEM_MIN_LENGTH and token.isalpha():
        return token[:_STEM_LENGTH]
    return token


def search_tokens(text: str) -> list[str]:
    """The canonical tokens of a text, in order."""
    return [canonical_token(token) for token in fold(text).split()]


def search_key(text: str) -> str:
    """The canonical tokens joined by spaces: what the search index stores."""
    return " ".join(search_tokens(text))
