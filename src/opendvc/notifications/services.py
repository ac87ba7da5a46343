"""Sending SMS and e-mail: the one write path for messages.

`send_sms` / `send_email` check and record the message, then hand its delivery to a Celery task once the
surrounding transaction commits (nothing is sent for a change that rolls back). The task calls `deliver`,
which asks the configured backend and records the outcome; temporary failures are retried by the task.
`fail_stale_messages` (Celery beat) fails the messages whose task never came or never finished.

Texts are kept in NFC. A caller passes the secret part of a text (`secret=`: an OTP, an activation token):
a real backend (SMS gateway, SMTP) gets the full text, but the stored copy has the secret replaced by
REDACTED; the outbox backends, being the developer's own phone and inbox, keep the full text.
"""

import logging
import re
import unicodedata
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from opendvc.notifications import backends
from opendvc.notifications.errors import InvalidRecipient, PermanentDeliveryError, TemporaryDeliveryError
from opendvc.notifications.models import REDACTED, Channel, Message, MessageStatus
from opendvc.notifications.recipients import mask_recipient, normalize_recipient
from opendvc.notifications.sms import sms_segments

__all__ = ["deliver", "fail_stale_messages", "send_email", "send_sms", "sms_segments"]

logger = logging.getLogger(__name__)

PURPOSE = re.compile(r"[a-z][a-z0-9_]{1,63}")
# A 9-digit (CMND) or 12-digit (CCCD) run of digits: an ID number never goes into an SMS.
ID_NUMBER = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")
# Longer texts are a mistake: carriers join at most a handful of segments reliably, and each one is paid.
MAX_SMS_SEGMENTS = 5
# How long one delivery attempt may hold a message before another worker may try it (a crashed worker).
DELIVERY_LEASE = timedelta(minutes=5)
# A message still queued this long after it was made will not be delivered by its task any more.
STALE_AFTER = timedelta(minutes=10)


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def _check(purpose: str, secret: str | None, *texts: str) -> None:
    if not PURPOSE.fullmatch(purpose or ""):
        raise ValueError(f"purpose must be a short code such as 'otp_login', not {purpose!r}")
    if secret is not None and (not secret or not any(secret in text for text in texts)):
        raise ValueError("secret must be a non-empty part of the message text")


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, REDACTED) if secret else text


def send_sms(phone: str, text: str, *, purpose: str, secret: str | None = None) -> Message:
    """Record an SMS to a Vietnamese mobile number and queue its delivery after the transaction commits.

    `text` is in Vietnamese (NFC, sent as UCS-2 when it has diacritics) and must hold no ID number;
    `secret` is the part redacted from the stored copy when a real gateway delivers. Raises
    InvalidRecipient for a number that is not a Vietnamese mobile number, ValueError for a bad text.
    """
    number = normalize_recipient(phone, Channel.SMS)
    text = _nfc(text)
    secret = _nfc(secret) if secret is not None else None
    if not text:
        raise ValueError("An SMS needs a text")
    _check(purpose, secret, text)
    if ID_NUMBER.search(_redact(text, secret)):
        raise ValueError("An SMS must not contain an ID number")
    segments = sms_segments(text)
    if segments > MAX_SMS_SEGMENTS:
        raise ValueError(f"An SMS of {segments} segments is too long (at most {MAX_SMS_SEGMENTS})")
    return _record(Channel.SMS, number, "", text, purpose=purpose, secret=secret, segments=segments)


def send_email(to: str, subject: str, body: str, *, purpose: str, secret: str | None = None) -> Message:
    """Record a plain-text e-mail and queue its delivery after the transaction commits.

    `secret` (in the subject or the body) is redacted from the stored copy when a real mail server
    delivers. Raises InvalidRecipient for an address that is not valid, ValueError for a bad text.
    """
    address = normalize_recipient(to, Channel.EMAIL)
    subject, body = _nfc(subject), _nfc(body)
    secret = _nfc(secret) if secret is not None else None
    if not subject or not body:
        raise ValueError("An e-mail needs a subject and a body")
    if "\n" in subject or "\r" in subject:
        raise ValueError("An e-mail subject is one line")
    _check(purpose, secret, subject, body)
    return _record(Channel.EMAIL, address, subject, body, purpose=purpose, secret=secret, segments=None)


def _record(
    channel: str, recipient: str, subject: str, text: str, *, purpose: str, secret: str | None, segments
) -> Message:
    backend = backends.backend_path(channel)
    in_outbox = backends.is_outbox(backend)
    if in_outbox:
        secret = None
    message = Message.objects.create(
        channel=channel,
        recipient=recipient,
        recipient_masked=mask_recipient(recipient, channel),
        subject=_redact(subject, secret),
        body=_redact(text, secret),
        pending_subject=subject if secret and secret in subject else None,
        pending_text=text if secret and secret in text else None,
        purpose=purpose,
        segments=segments,
        backend=backend,
        in_outbox=in_outbox,
    )
    transaction.on_commit(_enqueue(message.pk), robust=True)
    return message


def _enqueue(message_id: int):
    def enqueue_delivery():
        # Imported here: the task module imports this one.
        from opendvc.notifications.tasks import deliver_message

        deliver_message.delay(message_id)

    return enqueue_delivery


def deliver(message_id: int, *, final_attempt: bool = True) -> Message:
    """Make one delivery attempt of a queued message and record its outcome.

    A message already sent or failed, or being delivered by another worker, is left alone. A temporary
    failure raises TemporaryDeliveryError (the caller retries later), unless this is the final attempt:
    then, as after a permanent failure, the message is marked failed.
    """
    now = timezone.now()
    claimed = (
        _claimable(now)
        .filter(pk=message_id)
        .update(attempts=F("attempts") + 1, locked_until=now + DELIVERY_LEASE)
    )
    message = Message.objects.get(pk=message_id)
    if not claimed:
        return message
    message.backend = backends.backend_path(message.channel)
    try:
        provider_id = _transmit(message)
    except PermanentDeliveryError as exc:
        _finish(message, MessageStatus.FAILED, error=str(exc))
    except TemporaryDeliveryError as exc:
        if final_attempt:
            _finish(message, MessageStatus.FAILED, error=str(exc))
        else:
            message.error, message.locked_until = str(exc), None
            message.save(update_fields=["error", "locked_until", "backend"])
            logger.warning(
                "Message %s to %s: attempt %d failed, retrying: %s",
                message.reference,
                message.recipient_masked,
                message.attempts,
                exc,
            )
            raise
    else:
        _finish(message, MessageStatus.SENT, provider_id=provider_id)
    return message


def fail_stale_messages(*, older_than: timedelta = STALE_AFTER) -> int:
    """Mark failed the messages still queued `older_than` after they were made and not being delivered
    (no lease, or a lease that ended): their task was lost (the broker was down at commit, a worker died
    mid-attempt) or came too late for a one-time code. Erases their pending full text. Returns how many."""
    now = timezone.now()
    stale = list(_claimable(now).filter(created_at__lt=now - older_than).values_list("pk", flat=True))
    failed = 0
    for message_id in stale:
        # Claimed one by one as `deliver` does, so that a worker starting on one meanwhile keeps it.
        if _claimable(now).filter(pk=message_id).update(locked_until=now + DELIVERY_LEASE):
            message = Message.objects.get(pk=message_id)
            minutes = int(older_than.total_seconds() // 60)
            _finish(
                message, MessageStatus.FAILED, error=f"still queued after {minutes} min: delivery task lost"
            )
            failed += 1
    return failed


def _claimable(now) -> QuerySet:
    """Queued messages that no delivery attempt holds (no lease, or a lease that ended)."""
    return Message.objects.filter(status=MessageStatus.QUEUED).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )


def _transmit(message: Message) -> str:
    text = message.pending_text or message.body
    if message.channel == Channel.SMS:
        return backends.sms_backend().send(to=message.recipient, text=text, reference=str(message.reference))
    return backends.send_email_message(
        to=message.recipient,
        subject=message.pending_subject or message.subject,
        body=text,
        reference=str(message.reference),
    )


def _finish(message: Message, status: str, *, provider_id: str = "", error: str = "") -> None:
    message.status, message.error, message.provider_message_id = status, error, provider_id
    message.sent_at = timezone.now() if status == MessageStatus.SENT else None
    # The full text was kept only for delivery.
    message.pending_text = message.pending_subject = message.locked_until = None
    message.save(
        update_fields=[
            "status",
            "error",
            "provider_message_id",
            "sent_at",
            "pending_text",
            "pending_subject",
            "locked_until",
            "backend",
        ]
    )
    log = logger.info if status == MessageStatus.SENT else logger.error
    log(
        "Message %s (%s) to %s: %s after %d attempt(s)%s",
        message.reference,
        message.purpose,
        message.recipient_masked,
        status,
        message.attempts,
        f": {error}" if error else "",
    )


def record_outbox_email(address: str, subject: str, body: str) -> Message:
    """Record an e-mail that Django or a library sent directly to the outbox e-mail backend (already sent)."""
    try:
        address = normalize_recipient(address, Channel.EMAIL)
    except InvalidRecipient:
        address = address.strip()
    return Message.objects.create(
        channel=Channel.EMAIL,
        recipient=address,
        recipient_masked=mask_recipient(address, Channel.EMAIL),
        subject=_nfc(subject)[:255],
        body=_nfc(body),
        purpose="django_mail",
        backend=backends.backend_path(Channel.EMAIL),
        in_outbox=True,
        status=MessageStatus.SENT,
        attempts=1,
        sent_at=timezone.now(),
    )
