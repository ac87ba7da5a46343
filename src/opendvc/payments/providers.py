"""The payment-provider port: how the portal talks to a bank or payment intermediary.

`provider_for(merchant)` builds the provider named by the agency's `MerchantAccount.provider` from
`settings.PAYMENT_PROVIDERS`:

    PAYMENT_PROVIDERS = {"vnpay": {"class": "opendvc.payments.providers.VnpayProvider",
                                   "label": "VNPAY", "payment_url": "https://…/vpcpay.html",
                                   "api_url": "https://…/merchant_webapi/api/transaction"}}

`VnpayProvider` speaks VNPAY 2.1.0 (`payments.vnpay`) over HTTP. The local gateway simulator
(`payments.simulator`, `make run` and tests) implements the gateway's side of the same protocol, so the
demo runs the same provider code as production: pointing an agency at a real merchant account is a
change of its terminal code, secret and addresses, nothing else.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from opendvc.core.errors import DomainError
from opendvc.payments import http, vnpay

logger = logging.getLogger(__name__)


class ProviderUnavailable(DomainError):
    status = 503
    code = "payment_provider_unavailable"


@dataclass(frozen=True)
class GatewayResult:
    """What the gateway says about one order (from an IPN, a return or a query)."""

    reference: str
    amount: int | None  # đồng; None when the gateway sent something that is not an amount
    paid: bool
    final: bool  # the gateway will not change its answer (paid, or failed for good)
    response_code: str
    transaction_status: str
    transaction_no: str = ""
    bank_code: str = ""
    bank_transaction_no: str = ""
    card_type: str = ""
    paid_at: datetime | None = None


def result_from_params(params) -> GatewayResult:
    """A GatewayResult from the `vnp_*` fields of an IPN, a return or a querydr answer."""
    status = str(params.get("vnp_TransactionStatus") or "")
    response = str(params.get("vnp_ResponseCode") or "")
    is_paid = vnpay.paid(params)
    return GatewayResult(
        reference=str(params.get("vnp_TxnRef") or ""),
        amount=vnpay.amount_from_gateway(params.get("vnp_Amount")),
        paid=is_paid,
        final=is_paid or (status not in ("", vnpay.UNFINISHED)),
        response_code=response,
        transaction_status=status,
        transaction_no=str(params.get("vnp_TransactionNo") or "")[:32],
        bank_code=str(params.get("vnp_BankCode") or "")[:32],
        bank_transaction_no=str(params.get("vnp_BankTranNo") or "")[:64],
        card_type=str(params.get("vnp_CardType") or "")[:32],
        paid_at=vnpay.parse_date(params.get("vnp_PayDate")),
    )


class VnpayProvider:
    """A merchant account at VNPAY (or anything speaking its protocol, such as the simulator)."""

    # What VNPAY accepts for one transaction, in đồng.
    MIN_AMOUNT, MAX_AMOUNT = 5_000, 999_999_999

    def __init__(self, merchant, *, code: str, label: str, payment_url: str, api_url: str, timeout=10.0):
        self.merchant = merchant
        self.code = code
        self.label = label
        self.payment_base = merchant.payment_url or payment_url
        self.api_url = merchant.api_url or api_url
        self.timeout = float(timeout)

    @property
    def secret(self) -> str:
        return self.merchant.hash_secret

    def payment_url(self, order, *, return_url: str, ip: str, locale: str, order_info: str) -> str:
        """Where to send the payer's browser to pay `order`."""
        params = {
            "vnp_Version": vnpay.VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.merchant.tmn_code,
            "vnp_Amount": vnpay.gateway_amount(order.amount),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.reference,
            "vnp_OrderInfo": vnpay.ascii_text(order_info),
            "vnp_OrderType": "billpayment",
            "vnp_Locale": "en" if locale.startswith("en") else "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": ip or "127.0.0.1",
            "vnp_CreateDate": vnpay.format_date(order.created_at),
            "vnp_ExpireDate": vnpay.format_date(order.expires_at),
        }
        return vnpay.url(self.payment_base, params, self.secret)

    def refusal(self, amount: int) -> str:
        """Why the gateway would refuse this amount, or "" when it takes it."""
        if amount < self.MIN_AMOUNT:
            return _(
                "Cổng thanh toán chỉ nhận khoản từ %(min)s đồng: vui lòng nộp %(amount)s đồng tại bộ phận "
                "một cửa."
            ) % {"min": f"{self.MIN_AMOUNT:,}".replace(",", "."), "amount": f"{amount:,}".replace(",", ".")}
        if amount > self.MAX_AMOUNT:
            return _("Số tiền vượt mức một giao dịch của cổng thanh toán: vui lòng nộp tại bộ phận một cửa.")
        return ""

    def verify(self, params) -> bool:
        return vnpay.verify(params, self.secret)

    def query(self, order) -> GatewayResult | None:
        """The gateway's answer about `order` (querydr); None when it has no such transaction.

        Raises ProviderUnavailable when it cannot be asked or its answer cannot be trusted."""
        now = timezone.now()
        request = {
            "vnp_RequestId": f"{now:%H%M%S}{secrets.token_hex(8)}",
            "vnp_Version": vnpay.VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.merchant.tmn_code,
            "vnp_TxnRef": order.reference,
            "vnp_OrderInfo": vnpay.ascii_text(f"Truy van giao dich {order.reference}"),
            "vnp_TransactionDate": vnpay.format_date(order.created_at),
            "vnp_CreateDate": vnpay.format_date(now),
            "vnp_IpAddr": getattr(settings, "PAYMENT_SERVER_IP", "127.0.0.1"),
        }
        request["vnp_SecureHash"] = vnpay.pipe_hash(request, vnpay.QUERY_REQUEST_FIELDS, self.secret)
        api_url = self.api_url
        if api_url.startswith("/"):  # a path on this portal (the simulator)
            api_url = settings.PORTAL_BASE_URL.rstrip("/") + api_url
        try:
            response = http.session().post(api_url, json=request, timeout=self.timeout)
        except requests.RequestException as exc:
            raise self._unavailable(f"connection failed ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise self._unavailable(f"HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise self._unavailable("the answer is not JSON") from exc
        if not isinstance(answer, dict):
            raise self._unavailable("the answer is not a JSON object")
        code = str(answer.get("vnp_ResponseCode") or "")
        if code == vnpay.QUERY_NOT_FOUND:
            return None
        if code != vnpay.QUERY_OK:
            raise self._unavailable(f"querydr answered {code or 'nothing'}")
        if not vnpay.verify_pipe(answer, vnpay.QUERY_RESPONSE_FIELDS, self.secret):
            raise self._unavailable("the answer's signature is invalid")
        if answer.get("vnp_TxnRef") != order.reference or answer.get("vnp_TmnCode") != self.merchant.tmn_code:
            raise self._unavailable("the answer is about another transaction")
        return result_from_params(answer)

    def _unavailable(self, detail: str) -> ProviderUnavailable:
        logger.warning("Payment provider %s (%s) unavailable: %s", self.code, self.merchant.tmn_code, detail)
        return ProviderUnavailable(
            _("Chưa kết nối được với cổng thanh toán. Vui lòng thử lại sau ít phút."), fields={}
        )


def provider_config(code: str) -> dict | None:
    return getattr(settings, "PAYMENT_PROVIDERS", {}).get(code)


def provider_for(merchant) -> VnpayProvider:
    """The provider of an agency's merchant account; ProviderUnavailable when it is not configured here."""
    config = provider_config(merchant.provider)
    if config is None:
        logger.error(
            "Merchant %s names provider %r, not in PAYMENT_PROVIDERS", merchant.pk, merchant.provider
        )
        raise ProviderUnavailable(
            _("Cơ quan chưa kết nối được cổng thanh toán trực tuyến. Vui lòng nộp tại bộ phận một cửa.")
        )
    options = {key: value for key, value in config.items() if key != "class"}
    return import_string(config["class"])(merchant, code=merchant.provider, **options)


def provider_choices() -> list[tuple[str, str]]:
    return [
        (code, config.get("label", code))
        for code, config in getattr(settings, "PAYMENT_PROVIDERS", {}).items()
    ]
