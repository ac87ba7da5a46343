"""The gateway's side of VNPAY 2.1.0: checking payment requests, completing them, IPNs, querydr.

IPN delivery: a notification row per IPN owed, sent when due. Right after the payer's choice the first one
is sent once the transaction commits (synchronously when Celery runs eagerly, as on `make run`; by a task
otherwise); a failed delivery (no answer, not JSON, RspCode 99) is retried after
settings.PAYMENT_SIMULATOR_RETRY_DELAYS. Late IPNs wait on a timer thread under `make run` (Celery eager
has no countdown) or a task countdown on a worker; `deliver_due()` (also `manage.py payment_simulator
deliver`) sends whatever is due, which is how tests move time forward.
"""

import logging
import secrets
import threading
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from opendvc.payments import http, vnpay
from opendvc.payments.simulator.models import IpnMode, SimMerchant, SimNotification, SimTransaction

logger = logging.getLogger(__name__)

LATE_SECONDS = 30
# The payer's choices on the payment page: (vnp_ResponseCode, vnp_TransactionStatus).
OUTCOMES = {
    "pay": ("00", "00"),
    "cancel": ("24", "02"),
    "insufficient_funds": ("51", "02"),
    "timeout": ("11", "02"),
}
BANKS = [
    ("NCB", "Ngân hàng Quốc Dân (NCB)", "ATM"),
    ("VIETCOMBANK", "Vietcombank", "ATM"),
    ("VIETINBANK", "VietinBank", "ATM"),
    ("BIDV", "BIDV", "ATM"),
    ("AGRIBANK", "Agribank", "ATM"),
    ("TECHCOMBANK", "Techcombank", "ATM"),
    ("VNPAYQR", "Quét mã VNPAY-QR bằng ứng dụng ngân hàng", "QRCODE"),
    ("INTCARD", "Thẻ quốc tế Visa, Mastercard, JCB", "CREDIT"),
]
BANK_CODES = {code: card for code, _name, card in BANKS}
# Errors of the payment page (VNPAY's Error.html codes).
ERRORS = {
    "02": "Merchant không hợp lệ",
    "03": "Dữ liệu gửi sang không đúng định dạng",
    "01": "Giao dịch đã tồn tại",
    "15": "Giao dịch đã quá thời gian chờ thanh toán",
    "70": "Sai chữ ký",
    "amount": "Số tiền giao dịch không hợp lệ. Số tiền hợp lệ từ 5,000 đến dưới 1 tỷ đồng",
}
MIN_AMOUNT, MAX_AMOUNT = 5_000, 999_999_999  # đồng, as VNPAY accepts
REQUIRED = (
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_Amount",
    "vnp_CurrCode",
    "vnp_TxnRef",
    "vnp_OrderInfo",
    "vnp_OrderType",
    "vnp_Locale",
    "vnp_ReturnUrl",
    "vnp_IpAddr",
    "vnp_CreateDate",
)


class PaymentRequestError(Exception):
    def __init__(self, code: str):
        super().__init__(ERRORS[code])
        self.code = code
        self.message = ERRORS[code]


def check_request(params) -> SimMerchant:
    """The merchant of a well-formed, correctly signed, unexpired payment request, or PaymentRequestError."""
    if any(not params.get(key) for key in REQUIRED):
        raise PaymentRequestError("03")
    merchant = SimMerchant.objects.filter(tmn_code=params["vnp_TmnCode"]).first()
    if merchant is None:
        raise PaymentRequestError("02")
    if not vnpay.verify(params, merchant.hash_secret):
        raise PaymentRequestError("70")
    amount = str(params["vnp_Amount"])
    if (
        params["vnp_Version"] != vnpay.VERSION
        or params["vnp_Command"] != "pay"
        or params["vnp_CurrCode"] != "VND"
        or not amount.isdigit()
        or int(amount) % 100
        or vnpay.parse_date(params["vnp_CreateDate"]) is None
    ):
        raise PaymentRequestError("03")
    if not MIN_AMOUNT <= int(amount) // 100 <= MAX_AMOUNT:
        raise PaymentRequestError("amount")
    expires = vnpay.parse_date(params.get("vnp_ExpireDate"))
    if params.get("vnp_ExpireDate") and (expires is None or expires < timezone.now()):
        raise PaymentRequestError("15")
    if SimTransaction.objects.filter(merchant=merchant, txn_ref=params["vnp_TxnRef"]).exists():
        raise PaymentRequestError("01")
    return merchant


def _transaction_no() -> str:
    for _attempt in range(10):
        number = str(14_000_000 + secrets.randbelow(85_999_999))
        if not SimTransaction.objects.filter(transaction_no=number).exists():
            return number
    raise RuntimeError("no free transaction number")


@transaction.atomic
def complete(params, *, outcome: str, bank_code: str, ipn_mode: str = IpnMode.NOW) -> SimTransaction:
    """The payer chose `outcome` on the payment page: record it and owe the merchant its IPN(s)."""
    merchant = check_request(params)
    response_code, status = OUTCOMES[outcome]
    bank_code = bank_code if bank_code in BANK_CODES else "NCB"
    now = timezone.now()
    txn = SimTransaction.objects.create(
        merchant=merchant,
        transaction_no=_transaction_no(),
        txn_ref=params["vnp_TxnRef"],
        amount=int(params["vnp_Amount"]),
        order_info=params["vnp_OrderInfo"][:255],
        return_url=params["vnp_ReturnUrl"][:1000],
        create_date=params["vnp_CreateDate"],
        bank_code=bank_code,
        bank_tran_no=f"VNP{secrets.randbelow(10**8):08d}" if outcome == "pay" else "",
        card_type=BANK_CODES[bank_code] if outcome == "pay" else "",
        response_code=response_code,
        transaction_status=status,
        pay_date=now,
        ipn_mode=ipn_mode,
    )
    if ipn_mode == IpnMode.NOW:
        _owe(txn, now)
    elif ipn_mode == IpnMode.TWICE:
        _owe(txn, now)
        _owe(txn, now)
    elif ipn_mode == IpnMode.LATE:
        _owe(txn, now + timedelta(seconds=LATE_SECONDS))
    return txn


def _owe(txn: SimTransaction, due_at) -> SimNotification:
    notification = SimNotification.objects.create(transaction=txn, due_at=due_at)
    delay = max((due_at - timezone.now()).total_seconds(), 0)
    transaction.on_commit(lambda: _dispatch(notification.pk, delay), robust=True)
    return notification


def _result_params(txn: SimTransaction) -> dict:
    return {
        "vnp_Amount": str(txn.amount),
        "vnp_BankCode": txn.bank_code,
        "vnp_BankTranNo": txn.bank_tran_no,
        "vnp_CardType": txn.card_type,
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": vnpay.format_date(txn.pay_date),
        "vnp_ResponseCode": txn.response_code,
        "vnp_TmnCode": txn.merchant.tmn_code,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": txn.transaction_status,
        "vnp_TxnRef": txn.txn_ref,
    }


def return_url(txn: SimTransaction) -> str:
    """Where the payer's browser goes back: the merchant's return address with the signed result."""
    return vnpay.url(txn.return_url, _result_params(txn), txn.merchant.hash_secret)


def ipn_params(txn: SimTransaction) -> dict:
    return vnpay.signed(_result_params(txn), txn.merchant.hash_secret)


# --- delivering IPNs ----------------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + url if url.startswith("/") else url


def _retry_delays() -> list[int]:
    return list(getattr(settings, "PAYMENT_SIMULATOR_RETRY_DELAYS", [10, 30, 60, 300, 900]))


def deliver(notification_id: int) -> str:
    """Send one owed IPN now; returns the merchant's RspCode, or "" when there was no usable answer."""
    with transaction.atomic():
        notification = (
            SimNotification.objects.select_for_update()
            .select_related("transaction__merchant")
            .filter(pk=notification_id, done=False)
            .first()
        )
        if notification is None:
            return ""
        notification.attempts += 1
        notification.save(update_fields=["attempts"])
    txn = notification.transaction
    _latency()
    code, answer = "", ""
    try:
        response = http.session().get(_absolute(txn.merchant.ipn_url), params=ipn_params(txn), timeout=10)
        body = response.json() if response.status_code == 200 else None
        if isinstance(body, dict):
            code = str(body.get("RspCode") or "")
            answer = f"{code} {body.get('Message', '')}".strip()
        else:
            answer = f"HTTP {response.status_code}, not a JSON answer"
    except (requests.RequestException, ValueError) as exc:
        answer = f"no answer ({type(exc).__name__})"
    delays = _retry_delays()
    finished = code in ("00", "02", "01", "04", "97") or notification.attempts > len(delays)
    SimNotification.objects.filter(pk=notification.pk).update(
        last_answer=answer[:255],
        done=finished,
        due_at=notification.due_at
        if finished
        else timezone.now() + timedelta(seconds=delays[notification.attempts - 1]),
    )
    if not finished:
        _schedule(notification.pk, delays[notification.attempts - 1])
    logger.info("Simulated IPN %s for %s: %s", notification.attempts, txn.txn_ref, answer)
    return code


def deliver_due(now=None) -> int:
    """Send every owed IPN whose time has come; returns how many were sent."""
    now = now or timezone.now()
    due = list(SimNotification.objects.filter(done=False, due_at__lte=now).values_list("pk", flat=True))
    for notification_id in due:
        deliver(notification_id)
    return len(due)


def _dispatch(notification_id: int, delay: float) -> None:
    if delay <= 0 and settings.CELERY_TASK_ALWAYS_EAGER:
        deliver(notification_id)
    else:
        _schedule(notification_id, delay)


def _schedule(notification_id: int, delay: float) -> None:
    """Send later: a worker task with a countdown, or a timer thread when Celery runs eagerly."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        from opendvc.payments.simulator.tasks import deliver_ipn_task

        deliver_ipn_task.apply_async(args=[notification_id], countdown=delay)
    elif getattr(settings, "PAYMENT_SIMULATOR_TIMERS", True):
        timer = threading.Timer(delay, _deliver_in_thread, args=[notification_id])
        timer.daemon = True
        timer.start()


def _deliver_in_thread(notification_id: int) -> None:
    close_old_connections()
    try:
        deliver(notification_id)
    except Exception:
        logger.exception("Simulated IPN %s failed", notification_id)
    finally:
        close_old_connections()


def _latency() -> None:
    seconds = float(getattr(settings, "PAYMENT_SIMULATOR_LATENCY", 0) or 0)
    if seconds > 0:
        time.sleep(seconds)


# --- querydr ------------------------------------------------------------------------------------------------


def query(body) -> dict:
    """The gateway's answer to a querydr request (a JSON object)."""
    _latency()
    if not isinstance(body, dict) or any(not body.get(f) for f in vnpay.QUERY_REQUEST_FIELDS):
        return _query_answer(None, vnpay.QUERY_BAD_FORMAT, "Invalid request format", body=body)
    body = vnpay.gateway_params(body)
    merchant = SimMerchant.objects.filter(tmn_code=str(body["vnp_TmnCode"])).first()
    if merchant is None:
        return _query_answer(None, vnpay.QUERY_BAD_MERCHANT, "Merchant is not valid", body=body)
    if not vnpay.verify_pipe(body, vnpay.QUERY_REQUEST_FIELDS, merchant.hash_secret):
        return _query_answer(merchant, vnpay.QUERY_BAD_SIGNATURE, "Invalid checksum", body=body)
    if body.get("vnp_Command") != "querydr" or body.get("vnp_Version") != vnpay.VERSION:
        return _query_answer(merchant, vnpay.QUERY_BAD_FORMAT, "Invalid request format", body=body)
    from django.core.cache import cache

    if not cache.add(f"paysim:request:{merchant.pk}:{body['vnp_RequestId']}", 1, timeout=24 * 3600):
        return _query_answer(merchant, vnpay.QUERY_DUPLICATE, "Duplicate request", body=body)
    txn = SimTransaction.objects.filter(
        merchant=merchant, txn_ref=str(body["vnp_TxnRef"]), create_date=str(body["vnp_TransactionDate"])
    ).first()
    if txn is None:
        return _query_answer(merchant, vnpay.QUERY_NOT_FOUND, "Transaction not found", body=body)
    return _query_answer(merchant, vnpay.QUERY_OK, "QueryDR Success", body=body, txn=txn)


def _query_answer(merchant, code: str, message: str, *, body, txn: SimTransaction | None = None) -> dict:
    body = body if isinstance(body, dict) else {}
    answer = {
        "vnp_ResponseId": secrets.token_hex(16),
        "vnp_Command": "querydr",
        "vnp_ResponseCode": code,
        "vnp_Message": message,
        "vnp_TmnCode": str(body.get("vnp_TmnCode") or ""),
        "vnp_TxnRef": str(body.get("vnp_TxnRef") or ""),
    }
    if txn is not None:
        answer.update(
            {
                "vnp_Amount": str(txn.amount),
                "vnp_OrderInfo": txn.order_info,
                "vnp_BankCode": txn.bank_code,
                "vnp_PayDate": vnpay.format_date(txn.pay_date),
                "vnp_TransactionNo": txn.transaction_no,
                "vnp_TransactionType": "01",
                "vnp_TransactionStatus": txn.transaction_status,
                "vnp_PromotionCode": "",
                "vnp_PromotionAmount": "",
            }
        )
    if merchant is not None:
        answer["vnp_SecureHash"] = vnpay.pipe_hash(answer, vnpay.QUERY_RESPONSE_FIELDS, merchant.hash_secret)
    return answer
