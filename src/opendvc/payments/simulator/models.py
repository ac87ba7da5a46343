"""The simulated gateway's own records: its merchants, the transactions people made, the IPNs it owes."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SimMerchant(models.Model):
    """A merchant as the gateway knows it: terminal code, shared secret, and where to send IPNs."""

    tmn_code = models.CharField(max_length=32, unique=True)
    hash_secret = models.CharField(max_length=128)
    name = models.CharField(max_length=255)
    # An absolute URL, or a path on this portal (PORTAL_BASE_URL is put in front when sending).
    ipn_url = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("đơn vị chấp nhận thanh toán (mô phỏng)")
        verbose_name_plural = _("đơn vị chấp nhận thanh toán (mô phỏng)")

    def __str__(self):
        return f"{self.name} ({self.tmn_code})"


class IpnMode(models.TextChoices):
    NOW = "now", _("Gửi IPN ngay")
    LATE = "late", _("Gửi IPN chậm")
    TWICE = "twice", _("Gửi IPN hai lần")
    NEVER = "never", _("Không gửi IPN (chỉ đối soát được)")


class SimTransaction(models.Model):
    merchant = models.ForeignKey(SimMerchant, on_delete=models.CASCADE, related_name="transactions")
    transaction_no = models.CharField(max_length=16, unique=True)
    txn_ref = models.CharField(max_length=100)
    amount = models.PositiveBigIntegerField()  # vnp_Amount: đồng × 100
    order_info = models.CharField(max_length=255)
    return_url = models.CharField(max_length=1000)
    create_date = models.CharField(max_length=14)  # vnp_CreateDate as the merchant sent it
    bank_code = models.CharField(max_length=32, blank=True)
    bank_tran_no = models.CharField(max_length=64, blank=True)
    card_type = models.CharField(max_length=16, blank=True)
    response_code = models.CharField(max_length=4)
    transaction_status = models.CharField(max_length=4)
    pay_date = models.DateTimeField(default=timezone.now)
    ipn_mode = models.CharField(max_length=8, choices=IpnMode.choices, default=IpnMode.NOW)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "txn_ref"], name="sim_txn_ref_unique")]

    def __str__(self):
        return f"{self.transaction_no} {self.txn_ref} {self.response_code}"

    @property
    def amount_vnd(self) -> int:
        return self.amount // 100


class SimNotification(models.Model):
    """An IPN the gateway owes the merchant: sent when due, again after a failure, until answered."""

    transaction = models.ForeignKey(SimTransaction, on_delete=models.CASCADE, related_name="notifications")
    due_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done = models.BooleanField(default=False)
    last_answer = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self):
        return f"{self.transaction_id} {self.due_at:%H:%M:%S} {self.last_answer}"
