"""The VNPAY payment gateway protocol, version 2.1.0: both sides use it (our provider and the simulator).

- Payment URL: the gateway address with `vnp_*` parameters and `vnp_SecureHash`; `vnp_Amount` is the
  amount in đồng × 100; dates are `yyyyMMddHHmmss` in GMT+7.
- Signature (`sign`): hex HMAC-SHA512, with the merchant's secret, over the form-encoded `key=value` pairs
  (`quote_plus`, as VNPAY's own Python example) of every non-empty `vnp_*` parameter except
  `vnp_SecureHash` and `vnp_SecureHashType`, sorted by key and joined with `&`. The same for the browser's
  return and the IPN.
- IPN (server to server, GET): the merchant answers JSON `{"RspCode", "Message"}`: 00 confirmed, 01 order
  not found, 02 already confirmed, 04 invalid amount, 97 invalid signature, 99 other error. A payment
  succeeded when `vnp_ResponseCode` and `vnp_TransactionStatus` are both "00".
- querydr (POST JSON to the merchant API): signed with HMAC-SHA512 over the request fields joined with `|`
  in a fixed order; the answer is signed the same way over its own fixed list of 15 fields.
"""

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

VERSION = "2.1.0"
HASH_FIELDS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"

# The merchant's answers to an IPN.
CONFIRMED = ("00", "Confirm Success")
ORDER_NOT_FOUND = ("01", "Order not found")
ALREADY_CONFIRMED = ("02", "Order already confirmed")
INVALID_AMOUNT = ("04", "invalid amount")
INVALID_SIGNATURE = ("97", "Invalid signature")
OTHER_ERROR = ("99", "Unknow error")

# vnp_ResponseCode of a payment, for people (VNPAY's table).
RESPONSE_MESSAGES = {
    "00": _("Giao dịch thành công"),
    "07": _("Trừ tiền thành công, giao dịch bị nghi ngờ (liên quan tới lừa đảo, giao dịch bất thường)"),
    "09": _("Thẻ/Tài khoản chưa đăng ký dịch vụ InternetBanking tại ngân hàng"),
    "10": _("Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần"),
    "11": _("Đã hết hạn chờ thanh toán"),
    "12": _("Thẻ/Tài khoản bị khóa"),
    "13": _("Nhập sai mật khẩu xác thực giao dịch (OTP)"),
    "24": _("Khách hàng hủy giao dịch"),
    "51": _("Tài khoản không đủ số dư để thực hiện giao dịch"),
    "65": _("Tài khoản đã vượt quá hạn mức giao dịch trong ngày"),
    "75": _("Ngân hàng thanh toán đang bảo trì"),
    "79": _("Nhập sai mật khẩu thanh toán quá số lần quy định"),
    "99": _("Lỗi khác"),
}

# vnp_TransactionStatus: "00" paid, "01" not finished yet; the others are final failures or refunds.
PAID, UNFINISHED = "00", "01"

# querydr: the request's signed fields, in order, and the answer's.
QUERY_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERY_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
# querydr answers (vnp_ResponseCode of the query itself).
QUERY_OK, QUERY_BAD_MERCHANT, QUERY_BAD_FORMAT, QUERY_NOT_FOUND = "00", "02", "03", "91"
QUERY_DUPLICATE, QUERY_BAD_SIGNATURE, QUERY_OTHER = "94", "97", "99"


def gateway_params(query: Mapping[str, object]) -> dict[str, str]:
    """The `vnp_*` fields of a request as text the database can keep: no NUL, at most 1,000 characters."""
    return {
        str(key)[:64]: str(value).replace("\x00", "")[:1000]
        for key, value in query.items()
        if str(key).startswith("vnp_")
    }


def response_message(code: str) -> str:
    """What a vnp_ResponseCode means, for the payer."""
    return str(RESPONSE_MESSAGES.get(code or "", _("Giao dịch không thành công")))


def _hmac(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def hash_data(params: Mapping[str, object]) -> str:
    """The string the signature is computed over (see the module docstring)."""
    pairs = sorted(
        (key, str(value))
        for key, value in params.items()
        if key.startswith("vnp_") and key not in HASH_FIELDS and value not in (None, "")
    )
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in pairs)


def sign(params: Mapping[str, object], secret: str) -> str:
    return _hmac(secret, hash_data(params))


def signed(params: Mapping[str, object], secret: str) -> dict[str, str]:
    """The parameters (as strings, empty ones dropped) with their `vnp_SecureHash`."""
    clean = {key: str(value) for key, value in params.items() if value not in (None, "")}
    return {**clean, "vnp_SecureHash": sign(clean, secret)}


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes what no signature holds (non-ASCII) as a mismatch."""
    return bool(given) and hmac.compare_digest(given.lower().encode("utf-8", "replace"), expected.encode())


def verify(params: Mapping[str, object], secret: str) -> bool:
    """Whether `vnp_SecureHash` is the signature of the other parameters (constant-time comparison)."""
    return _same(str(params.get("vnp_SecureHash") or ""), sign(params, secret))


def url(base: str, params: Mapping[str, object], secret: str) -> str:
    """The gateway address with the signed parameters (the order does not matter to the gateway)."""
    data = hash_data(params)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{data}&vnp_SecureHash={_hmac(secret, data)}"


def pipe_hash(params: Mapping[str, object], fields: tuple[str, ...], secret: str) -> str:
    """querydr: HMAC-SHA512 over the values of `fields` joined with `|` (absent ones as empty strings)."""
    return _hmac(secret, "|".join(str(params.get(field) or "") for field in fields))


def verify_pipe(params: Mapping[str, object], fields: tuple[str, ...], secret: str) -> bool:
    return _same(str(params.get("vnp_SecureHash") or ""), pipe_hash(params, fields, secret))


def format_date(moment: datetime) -> str:
    """`yyyyMMddHHmmss` in GMT+7, the only date form of the protocol."""
    return moment.astimezone(GMT7).strftime(DATE_FORMAT)


def parse_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(str(value or ""), DATE_FORMAT).replace(tzinfo=GMT7)
    except ValueError:
        return None


def gateway_amount(amount_vnd: int) -> str:
    """`vnp_Amount`: đồng × 100, as digits."""
    return str(int(amount_vnd) * 100)


def amount_from_gateway(value) -> int | None:
    """Whole đồng from `vnp_Amount`, or None when it is not a whole number of đồng × 100."""
    text = str(value or "")
    if not text.isdigit() or int(text) % 100:
        return None
    return int(text) // 100


def paid(params: Mapping[str, object]) -> bool:
    return params.get("vnp_ResponseCode") == "00" and params.get("vnp_TransactionStatus") == PAID


def ascii_text(text: str, limit: int = 255) -> str:
    """Order info as the gateway wants it: Vietnamese without marks, no special characters."""
    from opendvc.core.text import strip_diacritics

    plain = strip_diacritics(text)
    kept = "".join(ch if ch.isascii() and (ch.isalnum() or ch in " .-:") else " " for ch in plain)
    return " ".join(kept.split())[:limit]
