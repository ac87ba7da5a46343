"""One row per SMS or e-mail: what was sent to whom, why, and what became of it.

The recipient is personal data: encrypted at rest, found through `recipient_digest` (the same keyed hash
as `accounts.Phone.digest` for phones; computed on each save, so that `manage.py rotate_personal_data_keys`
recomputes it after a new PERSONAL_DATA_HASH_KEY), shown as `recipient_masked`. Rows are written by
`services` only.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opendvc.core.personal_data import EncryptedField

REDACTED = "••••••"


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Thư điện tử")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class Message(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    recipient = EncryptedField(_("người nhận"))
    recipient_digest = models.CharField(max_length=64, editable=False)
    recipient_masked = models.CharField(_("người nhận"), max_length=120, editable=False)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    # What is kept of the text: in full for an outbox backend, with the secret replaced by REDACTED when a
    # real gateway or mail server delivers it.
    body = models.TextField(_("nội dung"))
    # The full text while a redacted message waits for delivery; erased once it is sent or has failed.
    pending_text = EncryptedField(null=True, blank=True, editable=False)
    pending_subject = EncryptedField(null=True, blank=True, editable=False)
    purpose = models.CharField(_("mục đích"), max_length=64, db_index=True)
    segments = models.PositiveSmallIntegerField(_("số tin SMS"), null=True, blank=True)
    backend = models.CharField(_("bộ gửi"), max_length=200)
    # Delivered to the developer's own outbox (not to a real phone or mailbox): the full text and the
    # (fake) recipient may be shown on the development pages.
    in_outbox = models.BooleanField(default=False)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    # Set while a worker makes a delivery attempt, so that no other worker sends the same message meanwhile.
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tin nhắn")
        verbose_name_plural = _("tin nhắn")
        indexes = [models.Index(fields=["recipient_digest", "channel", "created_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} {self.recipient_masked} ({self.purpose})"

    def save(self, *args, **kwargs):
        # Imported here: recipients imports this module (Channel).
        from opendvc.notifications.recipients import recipient_digest

        self.recipient_digest = recipient_digest(self.recipient, self.channel)
        super().save(*args, **kwargs)

    @property
    def shown_recipient(self) -> str:
        """The recipient as the development pages show it: in full only for the outbox's fake recipients."""
        return self.recipient if self.in_outbox else self.recipient_masked
