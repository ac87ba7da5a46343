"""Recipients as stored and looked up: normalised, hashed for lookups, masked for display."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from opendvc.core.personal_data import lookup_digest, mask_phone, normalize_phone
from opendvc.notifications.errors import InvalidRecipient
from opendvc.notifications.models import Channel


def channel_of(value: str) -> str:
    """The channel a recipient belongs to: an e-mail address has an @, anything else is a phone."""
    return Channel.EMAIL if "@" in (value or "") else Channel.SMS


def normalize_recipient(value: str, channel: str) -> str:
    """A phone in national form ('0912345678') or an e-mail address with its domain in lower case.

    Raises InvalidRecipient when the value cannot receive a message on that channel.
    """
    value = (value or "").strip()
    if channel == Channel.SMS:
        number = normalize_phone(value)
        if not number:
            raise InvalidRecipient()
        return number
    try:
        validate_email(value)
    except ValidationError as exc:
        raise InvalidRecipient() from exc
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def recipient_digest(normalized: str, channel: str) -> str:
    """The keyed hash used for lookups; for phones it equals `accounts.Phone.digest`."""
    if channel == Channel.SMS:
        return lookup_digest(normalized, kind="phone")
    # Mailbox names are case-insensitive in practice: one person, one digest.
    return lookup_digest(normalized.casefold(), kind="email")


def mask_recipient(normalized: str, channel: str) -> str:
    """'0912345678' -> '091****678'; 'nguyenvana@example.vn' -> 'ng********@example.vn'."""
    if channel == Channel.SMS:
        return mask_phone(normalized)
    local, _, domain = normalized.rpartition("@")
    keep = 2 if len(local) > 4 else 1 if len(local) > 2 else 0
    return f"{local[:keep]}{'*' * (len(local) - keep)}@{domain}"
