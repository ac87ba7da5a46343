"""Administration of payments: agencies' merchant accounts (editable, the secret never shown back); orders,
gateway messages, receipts and reports read-only (they are written by payments.services only)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from opendvc.core.admin import ReadOnlyModelAdmin
from opendvc.payments.models import DailyReport, GatewayMessage, MerchantAccount, PaymentOrder, Receipt
from opendvc.payments.providers import provider_choices


class MerchantAccountForm(forms.ModelForm):
    provider = forms.ChoiceField(label=_("Đơn vị trung gian thanh toán"), choices=provider_choices)
    hash_secret = forms.CharField(
        label=_("Chuỗi bí mật tạo chữ ký"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_(
            "Để trống để giữ chuỗi bí mật hiện tại. Chuỗi bí mật được mã hóa khi lưu và không hiển thị lại."
        ),
    )

    payment_url = forms.URLField(
        label=_("Địa chỉ cổng thanh toán"),
        required=False,
        assume_scheme="https",
        help_text=_("Để trống để dùng địa chỉ của đơn vị."),
    )
    api_url = forms.URLField(
        label=_("Địa chỉ API truy vấn giao dịch"),
        required=False,
        assume_scheme="https",
        help_text=_("Để trống để dùng địa chỉ của đơn vị."),
    )

    class Meta:
        model = MerchantAccount
        fields = ["agency", "provider", "name", "tmn_code", "hash_secret", "payment_url", "api_url", "active"]

    def clean_hash_secret(self):
        secret = self.cleaned_data.get("hash_secret", "")
        if secret:
            return secret
        if self.instance.pk:
            return self.instance.hash_secret
        raise forms.ValidationError(_("Nhập chuỗi bí mật do đơn vị trung gian thanh toán cấp."))


@admin.register(MerchantAccount)
class MerchantAccountAdmin(admin.ModelAdmin):
    form = MerchantAccountForm
    list_display = ["agency", "name", "provider", "tmn_code", "active"]
    list_filter = ["provider", "active"]
    search_fields = ["agency__name_vi", "agency__code", "name", "tmn_code"]
    autocomplete_fields = ["agency"]


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyModelAdmin):
    list_display = [
        "reference",
        "dossier",
        "amount",
        "status",
        "method",
        "settled_via",
        "created_at",
        "refund_due",
    ]
    list_filter = ["status", "method", "settled_via", "provider"]
    search_fields = ["reference", "dossier__code", "gateway_transaction_no"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier"]


@admin.register(GatewayMessage)
class GatewayMessageAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "kind", "reference", "outcome", "note", "ip_address"]
    list_filter = ["kind", "outcome"]
    search_fields = ["reference"]
    date_hierarchy = "at"


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyModelAdmin):
    list_display = ["__str__", "agency", "payer_name", "amount", "issued_at"]
    search_fields = ["number", "order__reference", "order__dossier__code"]
    date_hierarchy = "issued_at"
    list_select_related = ["agency"]


@admin.register(DailyReport)
class DailyReportAdmin(ReadOnlyModelAdmin):
    list_display = ["day", "agency", "orders", "paid_count", "paid_amount", "mismatches", "refund_due"]
    list_filter = ["day"]
    list_select_related = ["agency"]
