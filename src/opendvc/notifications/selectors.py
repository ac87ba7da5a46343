"""Reading messages: by recipient (through the digest, never the clear number) and the most recent ones."""

import uuid

from django.db.models import QuerySet

from opendvc.notifications.errors import InvalidRecipient
from opendvc.notifications.models import Message
from opendvc.notifications.recipients import channel_of, normalize_recipient, recipient_digest


def messages_to(recipient: str, channel: str | None = None) -> QuerySet[Message]:
    """Messages to a phone number (any written form) or an e-mail address, newest first.

    The channel follows from the recipient (an @ means e-mail) unless given; an unusable recipient,
    or one that does not belong to the given channel, has no messages.
    """
    kind = channel_of(recipient)
    if channel is not None and channel != kind:
        return Message.objects.none()
    try:
        normalized = normalize_recipient(recipient, kind)
    except InvalidRecipient:
        return Message.objects.none()
    return Message.objects.filter(channel=kind, recipient_digest=recipient_digest(normalized, kind)).order_by(
        "-created_at", "-id"
    )


def last_message_to(recipient: str, channel: str = "sms") -> Message | None:
    """The newest message to the recipient on the channel (pass channel="email" for an address), or None."""
    return messages_to(recipient, channel).first()


def recent_messages(
    limit: int = 100, *, recipient: str | None = None, channel: str | None = None
) -> list[Message]:
    """The `limit` newest messages, optionally only those to one recipient and/or on one channel."""
    messages = (
        messages_to(recipient, channel) if recipient else Message.objects.order_by("-created_at", "-id")
    )
    if channel and not recipient:
        messages = messages.filter(channel=channel)
    return list(messages[: max(0, limit)])


def is_recorded(reference: str) -> bool:
    """Whether a message with this reference (the UUID the backends pass on) exists."""
    try:
        value = uuid.UUID(str(reference))
    except ValueError:
        return False
    return Message.objects.filter(reference=value).exists()
