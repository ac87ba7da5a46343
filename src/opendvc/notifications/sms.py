"""What an SMS costs: its encoding and number of segments (3GPP TS 23.038 and 23.040).

A text made only of GSM 03.38 characters is sent in the 7-bit alphabet: 160 characters in one SMS, 153 per
segment of a concatenated SMS (the rest of each segment carries the header that joins them). Anything else,
Vietnamese with diacritics included, goes as UCS-2 (UTF-16): 70 code units in one SMS, 67 per segment.
Texts are kept in NFC, where each Vietnamese letter is one code unit (NFD would double many of them).
"""

import unicodedata

# GSM 03.38 basic character set (0x1B, the escape to the extension table, is not a character of its own).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each of these costs two septets (escape + character).
GSM7_EXTENSION = frozenset("\x0c^{}\\[~]|€")

GSM7 = "gsm7"
UCS2 = "ucs2"
SINGLE_LIMIT = {GSM7: 160, UCS2: 70}
PART_LIMIT = {GSM7: 153, UCS2: 67}


def sms_encoding(text: str) -> str:
    """`"gsm7"` when every character is in the GSM 7-bit alphabet, else `"ucs2"`."""
    text = unicodedata.normalize("NFC", text)
    return GSM7 if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else UCS2


def _units(text: str, encoding: str) -> list[int]:
    """The cost of each character: septets in GSM-7, UTF-16 code units in UCS-2."""
    if encoding == GSM7:
        return [2 if c in GSM7_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def sms_segments(text: str) -> int:
    """How many SMS segments the text costs once normalised to NFC (0 for an empty text).

    A character is never split between two segments (an escaped GSM character or a UTF-16 surrogate
    pair stays whole), as gateways do when they concatenate.
    """
    text = unicodedata.normalize("NFC", text)
    if not text:
        return 0
    encoding = sms_encoding(text)
    units = _units(text, encoding)
    if sum(units) <= SINGLE_LIMIT[encoding]:
        return 1
    limit, segments, used = PART_LIMIT[encoding], 1, 0
    for cost in units:
        if used + cost > limit:
            segments, used = segments + 1, 0
        used += cost
    return segments
