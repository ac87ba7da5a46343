"""Payment records. Writes go through `services`; every amount is a whole number of đồng (VND).

- `Charge`: one amount a dossier owes (a fee of its procedure, or a financial obligation an official
  stated), due until paid, paid elsewhere or cancelled.
- `PaymentOrder`: one attempt to pay (one per click on "Thanh toán"), with its own unique reference sent to
  the gateway (`vnp_TxnRef`). Its state changes only on the gateway's server-to-server notification (IPN) or
  a reconciliation query, never on the browser's return.
- `GatewayMessage`: every IPN, return and query as received, with what we answered: append-only.
- `Receipt`: the electronic receipt (biên lai điện tử) of a paid order, numbered per agency per year.
- `MerchantAccount`: an agency's account at a payment provider; communes may use their province's.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opendvc.core.models import AppendOnlyModel
from opendvc.core.personal_data import EncryptedField


class MerchantAccount(models.Model):
    """An agency's account (tài khoản thu) at a payment provider: the terminal code and the secret key.

    An agency without one uses the nearest ancestor's (a ward uses its province's); with none, the portal
    says the agency does not take online payments yet."""

    agency = models.OneToOneField(
        "catalog.Agency", on_delete=models.PROTECT, related_name="merchant_account", verbose_name=_("cơ quan")
    )
    provider = models.CharField(
        _("đơn vị trung gian thanh toán"),
        max_length=32,
        help_text=_("Một khóa trong settings.PAYMENT_PROVIDERS, ví dụ vnpay."),
    )
    name = models.CharField(_("tên tài khoản thu"), max_length=255)
    tmn_code = models.CharField(_("mã website (vnp_TmnCode)"), max_length=32)
    hash_secret = EncryptedField(_("chuỗi bí mật tạo chữ ký"))
    payment_url = models.URLField(
        _("địa chỉ cổng thanh toán"), blank=True, help_text=_("Để trống để dùng địa chỉ của đơn vị.")
    )
    api_url = models.URLField(
        _("địa chỉ API truy vấn giao dịch"), blank=True, help_text=_("Để trống để dùng địa chỉ của đơn vị.")
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tài khoản thu trực tuyến")
        verbose_name_plural = _("tài khoản thu trực tuyến")
        constraints = [
            models.UniqueConstraint(fields=["provider", "tmn_code"], name="merchant_terminal_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.provider}: {self.tmn_code})"


class ChargeKind(models.TextChoices):
    FEE = "fee", _("Phí, lệ phí của thủ tục")
    OBLIGATION = "obligation", _("Nghĩa vụ tài chính do cơ quan yêu cầu")


class ChargeState(models.TextChoices):
    DUE = "due", _("Chưa nộp")
    PAID = "paid", _("Đã nộp")
    PAID_ELSEWHERE = "paid_elsewhere", _("Đã nộp ngoài Cổng (cán bộ xác nhận)")
    CANCELLED = "cancelled", _("Không phải nộp")


class Charge(models.Model):
    """One amount a dossier owes (khoản phải nộp)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="charges")
    kind = models.CharField(max_length=16, choices=ChargeKind.choices)
    description = models.TextField(_("nội dung"))
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    # Where the charge comes from: the catalogue fee's position, or the timeline event that stated it.
    fee_position = models.PositiveSmallIntegerField(null=True, blank=True)
    event = models.ForeignKey(
        "dossiers.DossierEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=ChargeState.choices, default=ChargeState.DUE)
    order = models.ForeignKey(
        "PaymentOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="paid_charges"
    )
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["dossier", "state"])]
        verbose_name = _("khoản phải nộp")
        verbose_name_plural = _("khoản phải nộp")

    def __str__(self):
        return f"{self.dossier_id} {self.amount} {self.state}"


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ kết quả")
    PAID = "paid", _("Thành công")
    FAILED = "failed", _("Không thành công")
    EXPIRED = "expired", _("Hết hạn, không thanh toán")


class Method(models.TextChoices):
    ONLINE = "online", _("Trực tuyến qua cổng thanh toán")
    COUNTER = "counter", _("Tại bộ phận một cửa")


class Settlement(models.TextChoices):
    IPN = "ipn", _("Thông báo của cổng thanh toán (IPN)")
    QUERY = "query", _("Đối soát với cổng thanh toán")
    COUNTER = "counter", _("Cán bộ thu tại quầy")


class PaymentOrder(models.Model):
    """One attempt to pay a dossier's due charges. `reference` is unique: it is the gateway's order id."""

    reference = models.CharField(_("mã giao dịch"), max_length=32, unique=True)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payment_orders")
    method = models.CharField(max_length=16, choices=Method.choices, default=Method.ONLINE)
    merchant = models.ForeignKey(
        MerchantAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    provider = models.CharField(max_length=32, blank=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    charges = models.ManyToManyField(Charge, related_name="orders")
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # What the gateway said (vnp_* fields), once it said it.
    gateway_transaction_no = models.CharField(max_length=32, blank=True)
    bank_code = models.CharField(max_length=32, blank=True)
    bank_transaction_no = models.CharField(max_length=64, blank=True)
    card_type = models.CharField(max_length=32, blank=True)
    response_code = models.CharField(max_length=8, blank=True)
    transaction_status = models.CharField(max_length=8, blank=True)
    paid_at = models.DateTimeField(_("thời điểm thanh toán"), null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    settled_via = models.CharField(max_length=16, choices=Settlement.choices, blank=True)
    # Money received for charges another order had already paid: to be refunded to the payer.
    refund_due = models.PositiveBigIntegerField(_("số tiền phải hoàn trả"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")

    def __str__(self):
        return self.reference

    @property
    def is_settled(self) -> bool:
        return self.status != OrderStatus.PENDING


class GatewayMessage(AppendOnlyModel):
    """One message exchanged with a payment gateway, as received, with our answer. Append-only."""

    class Kind(models.TextChoices):
        IPN = "ipn", _("IPN")
        RETURN = "return", _("Trở về từ cổng")
        QUERY = "query", _("Truy vấn giao dịch")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    order = models.ForeignKey(
        PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    outcome = models.CharField(max_length=8, blank=True)  # our RspCode, or the gateway's response code
    note = models.CharField(max_length=255, blank=True)
    params = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("thông điệp cổng thanh toán")
        verbose_name_plural = _("thông điệp cổng thanh toán")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.reference} {self.outcome}"


class ReceiptSequence(models.Model):
    """The last receipt number given per agency per year."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="receipt_sequence_unique")]

    def __str__(self):
        return f"{self.agency_id} {self.year} {self.last}"


class Receipt(models.Model):
    """The electronic receipt (biên lai thu phí, lệ phí điện tử) of one paid order.

    Its content is fixed when it is issued; the PDF, sealed with the agency's certificate, is made once and
    kept (`file`) so that its signature verifies for years."""

    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT, related_name="receipt")
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="+")
    series = models.CharField(_("ký hiệu"), max_length=16)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField(_("số"))
    issued_at = models.DateTimeField(_("ngày lập"), default=timezone.now)
    payer_name = models.CharField(_("người nộp"), max_length=255)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    lines = models.JSONField(default=list)  # [{"description", "amount"}]
    token = models.CharField(max_length=32, unique=True)  # in the public verification address (QR code)
    file = models.ForeignKey(
        "dossiers.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "number"], name="receipt_number_unique")
        ]
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")

    def __str__(self):
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.series}-{self.number:07d}"


class DailyReport(models.Model):
    """An agency's reconciliation report for one day (đối soát): our ledger checked against the gateway."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("ngày"))
    generated_at = models.DateTimeField(default=timezone.now)
    orders = models.PositiveIntegerField(default=0)
    paid_count = models.PositiveIntegerField(default=0)
    paid_amount = models.PositiveBigIntegerField(default=0)
    mismatches = models.PositiveIntegerField(default=0)
    refund_due = models.PositiveBigIntegerField(default=0)
    csv = models.TextField()

    class Meta:
        ordering = ["-day", "agency"]
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="daily_report_unique")]
        verbose_name = _("báo cáo đối soát ngày")
        verbose_name_plural = _("báo cáo đối soát ngày")

    def __str__(self):
        return f"{self.agency_id} {self.day}"
