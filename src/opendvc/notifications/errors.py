"""Errors of the notifications app: a recipient we cannot write to, and delivery outcomes of backends."""

from django.utils.translation import gettext_lazy as _

from opendvc.core.errors import DomainError


class InvalidRecipient(DomainError):
    """The phone number or e-mail address cannot receive a message (caller input, shown to people)."""

    code = "invalid_recipient"

    def __init__(self, message=None, **kwargs):
        super().__init__(message or _("Số điện thoại hoặc địa chỉ thư điện tử không hợp lệ."), **kwargs)


class DeliveryError(Exception):
    """A backend could not deliver a message. The text is stored in `Message.error`: no personal data."""


class PermanentDeliveryError(DeliveryError):
    """Trying again will not help (refused number, bad request, rejected address): the message fails now."""


class TemporaryDeliveryError(DeliveryError):
    """The gateway is down, slow or overloaded: the message is tried again later (up to the retry limit)."""
