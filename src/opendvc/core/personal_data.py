"""Personal data at rest: ID, phone and social-insurance numbers.

- Values are encrypted with Fernet keys from `settings.PERSONAL_DATA_KEYS` (newest first; older keys only
  decrypt, so keys can be rotated: add a new key in front, run `manage.py rotate_personal_data_keys`,
  then drop the old key — docs/operations.md).
- Lookups go through a keyed hash (`lookup_digest`, HMAC-SHA256 with `settings.PERSONAL_DATA_HASH_KEY`):
  the database can find "the account of this ID number" without holding the number in clear.
- On screen the numbers are masked (`mask`): `0010******45`.
"""

import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_DIGITS = re.compile(r"\D+")


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS is empty: set at least one Fernet key.")
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> tuple[str, ...]:
    return tuple(settings.PERSONAL_DATA_KEYS)


def encrypt(value: str) -> str:
    return _fernet(_keys()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A personal-data value cannot be decrypted with PERSONAL_DATA_KEYS (a key was removed too early?)"
        ) from exc


def reencrypt(token: str) -> str:
    """The same value encrypted with the newest key (key rotation)."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def lookup_digest(value: str, *, kind: str) -> str:
    """A keyed hash for equality lookups; `kind` keeps an ID number and a phone with the same digits apart."""
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def digits(value: str) -> str:
    return _DIGITS.sub("", value or "")


def normalize_phone(value: str) -> str:
    """A Vietnamese mobile number in national form (10 digits from 0): '+84 912-345-678' -> '0912345678'.

    Returns '' when the value cannot be a Vietnamese mobile number.
    """
    number = digits(value)
    if number.startswith("84") and len(number) == 11:
        number = "0" + number[2:]
    if len(number) == 9 and not number.startswith("0"):
        number = "0" + number
    if len(number) != 10 or number[:2] not in {"03", "05", "07", "08", "09"}:
        return ""
    return number


def is_id_number(value: str) -> bool:
    """A 12-digit citizen identity number (CCCD / số định danh) or an old 9-digit ID card number (CMND)."""
    return bool(re.fullmatch(r"\d{12}|\d{9}", value or ""))


def is_social_insurance_number(value: str) -> bool:
    return bool(re.fullmatch(r"\d{10}", value or ""))


def mask(value: str) -> str:
    """'001088012345' -> '0010******45'; shorter numbers keep less, so that most of them stays hidden:
    '012345678' -> '01*****78'."""
    if not value:
        return ""
    keep_start, keep_end = (4, 2) if len(value) >= 12 else (2, 2)
    return _masked(value, keep_start, keep_end)


def mask_phone(value: str) -> str:
    """'0912345678' -> '091****678', the way carriers show numbers."""
    return _masked(value, 3, 3) if value else ""


def _masked(value: str, keep_start: int, keep_end: int) -> str:
    hidden = max(len(value) - keep_start - keep_end, 0)
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


class EncryptedField(models.TextField):
    """A text column holding a Fernet token; Python sees the clear value (or None).

    Encrypted values cannot be filtered on: store a `lookup_digest` beside it for lookups.
    """

    def from_db_value(self, value, expression, connection):
        # An empty value is stored as it is (get_prep_value), so it reads back as it is.
        return value if not value else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


_REDACT_PATTERNS = [
    # e-mail addresses
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[thư điện tử]"),
    # phone numbers: 0912 345 678, +84 912-345-678, 024.3825.1234 (9 to 11 digits, separators allowed)
    (re.compile(r"(?<![\w])(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?![\w])"), "[số điện thoại]"),
    # ID numbers: 12-digit identity numbers, 9-digit old ID cards, 10-digit social-insurance numbers
    (re.compile(r"(?<!\d)(?:\d{12}|\d{10}|\d{9})(?!\d)"), "[số giấy tờ]"),
]


def redact(text: str) -> str:
    """The text with e-mail addresses, phone numbers and ID numbers replaced by what they are, for
    publishing what a person wrote ("Gọi tôi: 0912345678" -> "Gọi tôi: [số điện thoại]")."""
    for pattern, replacement in _REDACT_PATTERNS:
        text = pattern.sub(replacement, text or "")
    return text
