"""Delivery backends, chosen by settings (`SMS_BACKEND`, `EMAIL_BACKEND`), never by DEBUG.

SMS: `OutboxSmsBackend` (the embedded default: the Message row is the developer's phone) and
`HttpSmsGatewayBackend` (production: a JSON POST to `SMS_GATEWAY_URL`). E-mail goes through Django's mail
framework: `OutboxEmailBackend` (the default) or Django's SMTP backend when `EMAIL_HOST` is set.

A backend says whether it is an outbox (`is_outbox = True`): an outbox keeps the full text of each message,
a real backend gets a stored copy with the secret (OTP, activation token) redacted.
"""

import logging
import smtplib
from email.utils import make_msgid, parseaddr

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

from opendvc.notifications.errors import PermanentDeliveryError, TemporaryDeliveryError
from opendvc.notifications.models import Channel
from opendvc.notifications.selectors import is_recorded

logger = logging.getLogger(__name__)

REFERENCE_HEADER = "X-OpenDVC-Reference"
# Statuses after which the same request may well succeed later.
RETRYABLE_HTTP_STATUSES = {408, 425, 429}


def is_outbox(backend_path: str) -> bool:
    return bool(getattr(import_string(backend_path), "is_outbox", False))


class SmsBackend:
    """Sends one SMS: `send` returns the provider's message id ('' if none) or raises a DeliveryError."""

    is_outbox = False

    def send(self, *, to: str, text: str, reference: str) -> str:
        raise NotImplementedError


class OutboxSmsBackend(SmsBackend):
    """The embedded default: nothing leaves the machine. Delivering is marking the outbox row sent."""

    is_outbox = True

    def send(self, *, to: str, text: str, reference: str) -> str:
        return ""


class HttpSmsGatewayBackend(SmsBackend):
    """An SMS gateway over HTTPS (docs/notifications.md has the protocol).

    POST `SMS_GATEWAY_URL` with `Authorization: Bearer <SMS_GATEWAY_API_KEY>` and the JSON body
    `{"to": "+84912345678", "text": ..., "sender": SMS_SENDER_NAME, "reference": <uuid>}`; the reference is
    also sent as `Idempotency-Key` so that the gateway can drop a retried duplicate. 2xx: sent, the
    provider's id is read from `{"id": ...}`; 408/425/429 and 5xx, timeouts and connection errors:
    retried; any other status: failed at once.
    """

    def __init__(self, *, url=None, api_key=None, timeout=None, sender=None):
        self.url = url or settings.SMS_GATEWAY_URL
        self.api_key = api_key if api_key is not None else settings.SMS_GATEWAY_API_KEY
        self.timeout = timeout or settings.SMS_GATEWAY_TIMEOUT
        self.sender = sender or settings.SMS_SENDER_NAME
        if not self.url:
            raise ImproperlyConfigured("HttpSmsGatewayBackend needs SMS_GATEWAY_URL.")

    def send(self, *, to: str, text: str, reference: str) -> str:
        payload = {
            "to": "+84" + to.removeprefix("0"),
            "text": text,
            "sender": self.sender,
            "reference": reference,
        }
        headers = {"Idempotency-Key": reference, "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            response = requests.post(
                self.url, json=payload, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.Timeout as exc:
            raise TemporaryDeliveryError(f"SMS gateway: no answer within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            raise TemporaryDeliveryError(f"SMS gateway: {type(exc).__name__}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return _provider_id(response)
        error = f"SMS gateway: HTTP {status}{_error_code(response)}"
        if status >= 500 or status in RETRYABLE_HTTP_STATUSES:
            raise TemporaryDeliveryError(error)
        raise PermanentDeliveryError(error)


def _json(response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _provider_id(response) -> str:
    value = _json(response).get("id")
    return str(value)[:200] if value is not None else ""


def _error_code(response) -> str:
    """The gateway's short error code, if it gives one; free-text details may echo the number: left out."""
    code = _json(response).get("error")
    if isinstance(code, str) and code and len(code) <= 64 and code.isprintable():
        return f" ({code})"
    return ""


class OutboxEmailBackend(BaseEmailBackend):
    """The embedded default e-mail backend: each e-mail becomes a Message row, the developer's inbox.

    E-mails from `services.send_email` already have their row (found by the reference header); e-mails that
    Django or a library sends directly (`send_mail`, `mail_admins`) are recorded, one row per recipient,
    with the purpose "django_mail".
    """

    is_outbox = True

    def send_messages(self, email_messages):
        # Imported here: services imports this module to deliver.
        from opendvc.notifications import services

        count = 0
        for email in email_messages:
            if not email.recipients():
                continue
            reference = email.extra_headers.get(REFERENCE_HEADER)
            if not (reference and is_recorded(reference)):
                for address in email.recipients():
                    services.record_outbox_email(address, email.subject, email.body)
            count += 1
        return count


def email_message_id() -> str:
    """A Message-ID on the sender's domain (no DNS look-up of the host name)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def send_email_message(*, to: str, subject: str, body: str, reference: str) -> str:
    """Send one e-mail through `EMAIL_BACKEND`; returns its Message-ID or raises a DeliveryError.

    SMTP replies 5xx (and a refused recipient) fail the message; 4xx and connection trouble are retried.
    """
    message_id = email_message_id()
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={REFERENCE_HEADER: reference, "Message-ID": message_id},
    )
    try:
        sent = get_connection(fail_silently=False).send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        error = f"SMTP: recipient refused ({', '.join(map(str, codes))})"
        if all(code >= 500 for code in codes):
            raise PermanentDeliveryError(error) from exc
        raise TemporaryDeliveryError(error) from exc
    except smtplib.SMTPResponseException as exc:
        error = f"SMTP: {exc.smtp_code}"
        if exc.smtp_code >= 500:
            raise PermanentDeliveryError(error) from exc
        raise TemporaryDeliveryError(error) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryDeliveryError(f"SMTP: {type(exc).__name__}") from exc
    if not sent:
        raise TemporaryDeliveryError("E-mail backend accepted no message")
    return message_id


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def backend_path(channel: str) -> str:
    return settings.SMS_BACKEND if channel == Channel.SMS else settings.EMAIL_BACKEND
