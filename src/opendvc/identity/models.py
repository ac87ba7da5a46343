"""Identity keeps one table: the requests of the reference mobile-signature service (development).

The production carrier service keeps its own state; `HttpMobileSignatureService` stores nothing here.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opendvc.core.personal_data import EncryptedField, lookup_digest, mask_phone


class MobileSignatureState(models.TextChoices):
    PENDING = "pending", _("Đang chờ xác nhận trên điện thoại")
    APPROVED = "approved", _("Đã đồng ý ký")
    REFUSED = "refused", _("Đã từ chối ký")
    EXPIRED = "expired", _("Đã hết thời gian xác nhận")


class MobileSignatureRequest(models.Model):
    """A request to have the SIM of `phone` sign `data`, as the reference service plays the carrier.

    "Expired" is not stored: a pending request is expired once `expires_at` has passed."""

    request_id = models.CharField(max_length=64, unique=True)
    phone = EncryptedField()
    phone_digest = models.CharField(max_length=64, db_index=True, editable=False)
    token_id = models.CharField(max_length=64)  # the SIM's token in the test PKI
    data = models.BinaryField()
    message = models.CharField(max_length=300)
    state = models.CharField(
        max_length=16,
        choices=[c for c in MobileSignatureState.choices if c[0] != MobileSignatureState.EXPIRED],
        default=MobileSignatureState.PENDING,
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    signature = models.BinaryField(null=True, blank=True)
    certificate = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("yêu cầu ký số qua SIM")
        verbose_name_plural = _("yêu cầu ký số qua SIM")

    def __str__(self):
        return f"{self.request_id} ({self.current_state})"

    def save(self, *args, **kwargs):
        self.phone_digest = lookup_digest(self.phone, kind="phone")
        super().save(*args, **kwargs)

    @property
    def current_state(self) -> str:
        if self.state == MobileSignatureState.PENDING and timezone.now() >= self.expires_at:
            return MobileSignatureState.EXPIRED
        return self.state

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
