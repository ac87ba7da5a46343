"""Payments as JSON: the gateway's IPN, and the payer's own view for the mobile apps.

- `GET /payments/ipn/{provider}`: the gateway's server-to-server notification. It answers exactly what
  the gateway's protocol expects (`{"RspCode", "Message"}`, always HTTP 200), never the error envelope.
- `GET /me/dossiers/{code}/payments`: what the dossier owes, its orders and receipts.
- `POST /me/dossiers/{code}/payments`: a new order and the gateway address to open in a browser.
- `GET /me/payments/{reference}`: one order's state (the app asks after the browser comes back).
"""

import logging
from datetime import datetime

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Router, Schema, Status

from opendvc.accounts.api import bearer
from opendvc.catalog.api import language
from opendvc.core.errors import DomainError, NotFound
from opendvc.core.limits import enforce
from opendvc.core.request_info import client_ip
from opendvc.dossiers import selectors as dossier_selectors
from opendvc.payments import selectors, vnpay
from opendvc.payments.services import orders, settlement

logger = logging.getLogger(__name__)
router = Router(tags=["payments"])
MAX_REFERENCE_LENGTH = 32


class ChargeOut(Schema):
    description: str
    amount: int = SchemaField(description="whole đồng (VND)")
    kind: str = SchemaField(description="fee (of the procedure) or obligation (stated by the agency)")
    state: str = SchemaField(description="due, paid, paid_elsewhere or cancelled")
    state_label: str


class ReceiptOut(Schema):
    number: str
    amount: int
    issued_at: datetime
    download_url: str = SchemaField(description="the sealed PDF (needs a signed-in browser session)")
    verify_url: str = SchemaField(description="public verification page, also in the receipt's QR code")


class OrderOut(Schema):
    reference: str
    amount: int
    status: str = SchemaField(description="pending, paid, failed or expired")
    status_label: str
    method: str = SchemaField(description="online or counter")
    created_at: datetime
    paid_at: datetime | None
    gateway_transaction_no: str
    refund_due: int = SchemaField(description="đồng received twice for the same charges, to be refunded")
    receipt: ReceiptOut | None


class DossierPaymentsOut(Schema):
    dossier: str
    due: int = SchemaField(description="đồng still owed")
    online: bool = SchemaField(description="the agency takes online payments")
    charges: list[ChargeOut]
    orders: list[OrderOut]


class StartedOut(Schema):
    reference: str
    amount: int
    expires_at: datetime
    payment_url: str = SchemaField(description="open in a browser: the gateway's payment page")


def _local(moment):
    return timezone.localtime(moment) if moment else None


def _receipt(receipt) -> dict | None:
    if receipt is None:
        return None
    from opendvc.payments.services.receipts import verification_url

    return {
        "number": receipt.display_number,
        "amount": receipt.amount,
        "issued_at": _local(receipt.issued_at),
        "download_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("payments:receipt", args=[receipt.pk]),
        "verify_url": verification_url(receipt),
    }


def _order(order) -> dict:
    return {
        "reference": order.reference,
        "amount": order.amount,
        "status": order.status,
        "status_label": order.get_status_display(),
        "method": order.method,
        "created_at": _local(order.created_at),
        "paid_at": _local(order.paid_at),
        "gateway_transaction_no": order.gateway_transaction_no,
        "refund_due": order.refund_due,
        "receipt": _receipt(getattr(order, "receipt", None)),
    }


@router.get(
    "/payments/ipn/{provider}", include_in_schema=True, summary="Payment gateway IPN (server to server)"
)
def ipn(request, provider: str):
    """The gateway's notification of a payment's result, with every `vnp_*` field in the query string.
    Answers `{"RspCode": "00" | "01" | "02" | "04" | "97" | "99", "Message": …}` with HTTP 200."""
    allowed = getattr(settings, "PAYMENT_IPN_ALLOWED_IPS", [])
    ip = client_ip(request)
    params = vnpay.gateway_params(request.GET)
    code, message = vnpay.OTHER_ERROR
    try:
        if allowed and ip not in allowed:
            settlement.log_message("ipn", params, code, note="address not allowed", ip=ip)
        else:
            code, message = settlement.handle_ipn(provider[:32], params, ip=ip)
    except Exception:  # even the log failing (database down) gets the protocol's answer: the gateway retries
        logger.exception("IPN from %s not processed", ip)
    return JsonResponse({"RspCode": code, "Message": message})


def _my_dossier(account, code: str):
    if len(code) > 64:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    try:
        return dossier_selectors.my_dossier(account, code)
    except NotFound:
        raise NotFound(_("Không tìm thấy hồ sơ.")) from None


@router.get(
    "/me/dossiers/{code}/payments", auth=bearer, response=DossierPaymentsOut, summary="What my dossier owes"
)
def my_dossier_payments(request, code: str, lang: str | None = None):
    with language(request, lang):
        dossier = _my_dossier(request.auth, code)
        info = selectors.dossier_payments(dossier)
        return {
            "dossier": dossier.code,
            "due": info.due,
            "online": info.online,
            "charges": [
                {
                    "description": c.description,
                    "amount": c.amount,
                    "kind": c.kind,
                    "state": c.state,
                    "state_label": c.get_state_display(),
                }
                for c in info.charges
            ],
            "orders": [_order(o) for o in info.orders],
        }


@router.post(
    "/me/dossiers/{code}/payments",
    auth=bearer,
    response={201: StartedOut},
    summary="Pay what my dossier owes: a new order and the gateway address",
)
def start_payment(request, code: str, lang: str | None = None):
    """Everything still due, in one order. Open `payment_url` in a browser; the gateway brings the payer
    back to the portal's result page. 409 `nothing_due`, `online_payment_unavailable` or
    `amount_not_accepted` when it cannot be paid online; 429 after too many attempts."""
    from opendvc.payments.views import return_url, start_limits

    with language(request, lang):
        dossier = _my_dossier(request.auth, code)
        enforce(request, start_limits(request, request.auth))
        order, url = orders.start_online_payment(
            dossier,
            actor=request.auth,
            return_url=return_url(request),
            ip=client_ip(request) or "127.0.0.1",
            locale=lang or "vi",
        )
        if url.startswith("/"):
            url = request.build_absolute_uri(url)
        return Status(
            201,
            {
                "reference": order.reference,
                "amount": order.amount,
                "expires_at": _local(order.expires_at),
                "payment_url": url,
            },
        )


@router.get("/me/payments/{reference}", auth=bearer, response=OrderOut, summary="One of my payment orders")
def my_order(request, reference: str, lang: str | None = None):
    with language(request, lang):
        if len(reference) > MAX_REFERENCE_LENGTH:
            raise DomainError(_("Mã giao dịch không hợp lệ."), code="invalid_parameters", status=400)
        try:
            order = selectors.payer_order(request.auth, reference)
        except NotFound:
            raise NotFound(_("Không tìm thấy giao dịch.")) from None
        return _order(order)
