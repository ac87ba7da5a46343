"""Settling payment orders: the IPN, reconciliation by query, and what a paid order changes.

An order changes state only here, with its row locked, so two notifications of one order (a retry and
the original, or the IPN and the reconciliation job) settle it once: the second finds it settled and is
answered "already confirmed" (02), changing nothing. Money is counted once per charge: a paid order whose
charges another order paid first records the difference as `refund_due` instead of paying them twice.

Every IPN, whatever it says, is kept in `GatewayMessage` with our answer; a tampered signature, a wrong
amount or an unknown order is refused, logged and audited.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from opendvc.core import audit
from opendvc.dossiers.models import Status
from opendvc.dossiers.services import actions, notices
from opendvc.payments import vnpay
from opendvc.payments.models import (
    Charge,
    ChargeKind,
    ChargeState,
    GatewayMessage,
    MerchantAccount,
    Method,
    OrderStatus,
    PaymentOrder,
    Settlement,
)
from opendvc.payments.providers import ProviderUnavailable, provider_for, result_from_params
from opendvc.payments.services import receipts
from opendvc.payments.services.charges import vnd

logger = logging.getLogger(__name__)

PORTAL_NAME = "Cổng thanh toán của Cổng Dịch vụ công"
_MAX_PARAMS = 40  # an IPN has about 15 fields: more is not a gateway


def log_message(kind, params, outcome: str, *, order=None, note="", ip=None) -> GatewayMessage:
    kept = {str(k)[:64]: str(v)[:512] for k, v in list(params.items())[:_MAX_PARAMS]}
    return GatewayMessage.objects.create(
        kind=kind,
        order=order,
        reference=str(params.get("vnp_TxnRef") or "")[:100],
        outcome=outcome,
        note=note[:255],
        params=kept,
        ip_address=ip,
    )


# --- the IPN ----------------------------------------------------------------------------------------------


def handle_ipn(provider_code: str, params: dict, *, ip: str | None = None) -> tuple[str, str]:
    """Answer one IPN of `provider_code` with (RspCode, Message); settle the order when it is in order."""
    order = None
    try:
        with transaction.atomic():
            answer, order, note = _ipn(provider_code, params)
    except Exception:
        logger.exception("IPN %s %s could not be processed", provider_code, params.get("vnp_TxnRef"))
        answer, note = vnpay.OTHER_ERROR, "error"
    log_message(GatewayMessage.Kind.IPN, params, answer[0], order=order, note=note, ip=ip)
    if answer[0] in (vnpay.INVALID_SIGNATURE[0], vnpay.INVALID_AMOUNT[0], vnpay.ORDER_NOT_FOUND[0]):
        logger.warning("IPN refused (%s %s): %s from %s", answer[0], answer[1], params.get("vnp_TxnRef"), ip)
        audit.record(
            "payment.ipn_refused",
            target=order,
            code=answer[0],
            reference=str(params.get("vnp_TxnRef") or "")[:64],
            ip=ip,
        )
    return answer


def _ipn(provider_code: str, params: dict):
    merchant = MerchantAccount.objects.filter(
        provider=provider_code, tmn_code=str(params.get("vnp_TmnCode") or "")
    ).first()
    if merchant is None or not vnpay.verify(params, merchant.hash_secret):
        return vnpay.INVALID_SIGNATURE, None, "signature"
    order = (
        PaymentOrder.objects.select_for_update()
        .select_related("dossier")
        .filter(reference=str(params.get("vnp_TxnRef") or ""), merchant=merchant)
        .first()
    )
    if order is None:
        return vnpay.ORDER_NOT_FOUND, None, "unknown order"
    result = result_from_params(params)
    if result.amount != order.amount:
        return vnpay.INVALID_AMOUNT, order, f"amount {params.get('vnp_Amount')} for {order.amount}"
    if order.status in (OrderStatus.PAID, OrderStatus.FAILED):
        return vnpay.ALREADY_CONFIRMED, order, "replay" if order.settled_via else ""
    settle(order, result, via=Settlement.IPN)
    return vnpay.CONFIRMED, order, "paid" if result.paid else "failed"


# --- settling ---------------------------------------------------------------------------------------------


def _record_gateway_fields(order: PaymentOrder, result) -> None:
    order.gateway_transaction_no = result.transaction_no
    order.bank_code = result.bank_code
    order.bank_transaction_no = result.bank_transaction_no
    order.card_type = result.card_type
    order.response_code = result.response_code
    order.transaction_status = result.transaction_status
    order.paid_at = result.paid_at if result.paid else None


def settle(order: PaymentOrder, result, *, via: str) -> None:
    """Apply the gateway's final word to a locked, unsettled order."""
    _record_gateway_fields(order, result)
    if result.paid:
        settle_paid(order, via=via)
        return
    if not result.final:  # "not finished yet": keep waiting for the final word
        order.save()
        return
    order.status = OrderStatus.FAILED
    order.settled_at, order.settled_via = timezone.now(), via
    order.save()
    audit.record(
        "payment.failed", target=order, dossier=order.dossier.code, code=result.response_code, via=via
    )


def settle_paid(order: PaymentOrder, *, via: str, actor=None, note: str = "") -> None:
    """The order's money arrived: pay its charges still due (once), issue the receipt, tell the applicant,
    and let the dossier go on when it was waiting for its financial obligation."""
    now = timezone.now()
    charges = list(order.charges.select_for_update().order_by("id"))
    paying = [c for c in charges if c.state == ChargeState.DUE]
    for charge in paying:
        charge.state, charge.order, charge.settled_at = ChargeState.PAID, order, now
    if paying:
        Charge.objects.bulk_update(paying, ["state", "order", "settled_at"])
    order.refund_due = sum(c.amount for c in charges if c not in paying)
    order.status = OrderStatus.PAID
    order.settled_at, order.settled_via = now, via
    order.paid_at = order.paid_at or now
    order.save()
    receipt = receipts.issue(order, paying) if paying else None
    dossier = order.dossier
    with override(settings.LANGUAGE_CODE):
        comment = _("Đã nộp %(amount)s đồng%(how)s.") % {
            "amount": vnd(order.amount),
            "how": _(" tại bộ phận một cửa") if order.method == Method.COUNTER else _(" trực tuyến"),
        }
        if receipt is not None:
            comment += " " + _("Biên lai số %(number)s.") % {"number": receipt.display_number}
        if order.refund_due:
            comment += " " + _("Khoản %(amount)s đồng đã được nộp trước đó: sẽ hoàn trả.") % {
                "amount": vnd(order.refund_due)
            }
        if note:
            comment += " " + note
    actions.record_event(
        dossier,
        "payment",
        actor=actor,
        actor_name="" if actor is not None else PORTAL_NAME,
        from_status=dossier.status,
        comment=comment,
        reference=order.reference,
        amount=order.amount,
        receipt=receipt.display_number if receipt else "",
        refund_due=order.refund_due,
    )
    audit.record(
        "payment.paid",
        actor=actor,
        target=order,
        dossier=dossier.code,
        amount=order.amount,
        refund_due=order.refund_due,
        via=via,
    )
    if receipt is not None:
        with override(settings.LANGUAGE_CODE):
            notices.notify(
                dossier,
                _("đã được nộp %(amount)s đồng phí, lệ phí. Biên lai điện tử số %(number)s.")
                % {"amount": vnd(receipt.amount), "number": receipt.display_number},
            )
        from opendvc.payments.tasks import make_receipt_pdf_task

        transaction.on_commit(lambda: make_receipt_pdf_task.delay(receipt.pk), robust=True)
    _resume_if_obligation_met(dossier, actor)


def _resume_if_obligation_met(dossier, actor) -> None:
    dossier.refresh_from_db(fields=["status", "version"])
    if dossier.status != Status.AWAITING_PAYMENT:
        return
    if dossier.charges.filter(kind=ChargeKind.OBLIGATION, state=ChargeState.DUE).exists():
        return
    if not dossier.charges.filter(kind=ChargeKind.OBLIGATION).exists():
        return  # the obligation was stated outside the portal: an official confirms it
    with override(settings.LANGUAGE_CODE):
        actions.confirm_payment(
            dossier,
            actor=actor,
            version=None,
            actor_name="" if actor is not None else PORTAL_NAME,
            comment=_("Người nộp đã thực hiện nghĩa vụ tài chính; hồ sơ tiếp tục được xử lý."),
        )


# --- reconciliation ---------------------------------------------------------------------------------------


def reconcile_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "PAYMENT_RECONCILE_AFTER", 300))


def expiry_grace() -> timedelta:
    return timedelta(seconds=getattr(settings, "PAYMENT_EXPIRY_GRACE", 900))


def reconcile(*, now=None) -> dict[str, int]:
    """Ask the gateway about every online order still pending `PAYMENT_RECONCILE_AFTER` after it began
    (a return with no IPN, an IPN that never came) and settle what it says. An order the gateway does not
    know, past its expiry and a grace period, expired unpaid. Returns counts by outcome."""
    now = now or timezone.now()
    counts = {
        "checked": 0,
        "paid": 0,
        "failed": 0,
        "expired": 0,
        "pending": 0,
        "unreachable": 0,
        "mismatch": 0,
    }
    stale = (
        PaymentOrder.objects.filter(
            status=OrderStatus.PENDING, method=Method.ONLINE, created_at__lte=now - reconcile_after()
        )
        .select_related("merchant")
        .order_by("created_at", "id")
    )
    for order in stale:
        counts["checked"] += 1
        counts[reconcile_order(order, now=now)] += 1
    return counts


def reconcile_order(order: PaymentOrder, *, now=None) -> str:
    """Ask the gateway about one pending order and settle it; returns what happened (a key of `reconcile`)."""
    now = now or timezone.now()
    try:
        result = provider_for(order.merchant).query(order)
    except ProviderUnavailable:
        log_message(
            GatewayMessage.Kind.QUERY, {"vnp_TxnRef": order.reference}, "", order=order, note="unreachable"
        )
        return "unreachable"
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().select_related("dossier").get(pk=order.pk)
        params = {"vnp_TxnRef": order.reference}
        if result is None:
            log_message(
                GatewayMessage.Kind.QUERY, params, vnpay.QUERY_NOT_FOUND, order=locked, note="not found"
            )
            if locked.status != OrderStatus.PENDING or locked.expires_at is None:
                return "pending"
            if now < locked.expires_at + expiry_grace():
                return "pending"
            locked.status, locked.settled_at, locked.settled_via = OrderStatus.EXPIRED, now, Settlement.QUERY
            locked.save(update_fields=["status", "settled_at", "settled_via"])
            audit.record("payment.expired", target=locked, dossier=locked.dossier.code)
            return "expired"
        log_message(
            GatewayMessage.Kind.QUERY,
            {
                **params,
                "vnp_ResponseCode": result.response_code,
                "vnp_TransactionStatus": result.transaction_status,
            },
            vnpay.QUERY_OK,
            order=locked,
            note="paid" if result.paid else ("failed" if result.final else "unfinished"),
        )
        if result.amount != locked.amount:
            logger.error(
                "Order %s: the gateway reports %s đồng, we expect %s",
                order.reference,
                result.amount,
                locked.amount,
            )
            audit.record("payment.amount_mismatch", target=locked, gateway_amount=result.amount)
            return "mismatch"
        if locked.status not in (OrderStatus.PENDING, OrderStatus.EXPIRED) or not result.final:
            return "pending"
        settle(locked, result, via=Settlement.QUERY)
        return "paid" if result.paid else "failed"
