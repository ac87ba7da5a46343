"""Turning one raw answer (a POSTed string, or JSON from a draft) into its typed, JSON-safe value.

`clean_value(field, raw)` returns the value or raises `Invalid` with a specific Vietnamese message; it
handles the scalar types (everything except group, address and file, which `validation` handles).
Whatever the input (wrong type, huge string, control characters) the outcome is a value or `Invalid`.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.core.personal_data import normalize_phone
from opendvc.core.text import nfc

MAX_INPUT = 20_000  # characters: any longer raw string is refused before parsing
DEFAULT_MAX_LENGTH = {"text": 255, "textarea": 2000, "email": 254}
MAX_MONEY = 10**15  # đồng
# Province codes that may open a 12-digit personal identification number: the birth-registration
# province, by the codes of the 63 provinces in force when the numbers were issued (Decree 137/2015/NĐ-CP
# art. 13; Circular 07/2016/TT-BCA, annex) — new numbers after the 2025 merger use a subset of them.
_ID_PROVINCES = (
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96
)  # fmt: skip
ID_PROVINCE_CODES = frozenset(f"{code:03d}" for code in _ID_PROVINCES)
YES = frozenset({"yes", "co", "có", "true", "1", "on"})
NO = frozenset({"no", "khong", "không", "false", "0", "off"})
DATE_BOUND = re.compile(r"^today(?:([+-])(\d{1,4})([dmy]))?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,\s])\d{3})?(?:\1\d{3})*$")


class Invalid(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_empty(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return isinstance(raw, list | dict | tuple) and not raw


def clean_text(raw, *, keep_lines: bool = False) -> str:
    """NFC text without control characters (PostgreSQL jsonb refuses NUL) and outer spaces."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise TypeError
    text = str(raw)
    if len(text) > MAX_INPUT:
        raise ValueError
    text = _CONTROL.sub("", nfc(text.replace("\r\n", "\n")))
    if not keep_lines:
        text = " ".join(text.split())
    return text.strip()


def date_bound(bound) -> datetime.date | None:
    """An ISO date, "today", or "today-18y" / "today+30d" / "today-6m" relative to the local date."""
    if isinstance(bound, datetime.date):
        return bound
    if not isinstance(bound, str):
        return None
    match = DATE_BOUND.match(bound)
    if not match:
        try:
            return datetime.date.fromisoformat(bound)
        except ValueError:
            return None
    today = timezone.localdate()
    if not match.group(1):
        return today
    amount = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
    unit = match.group(3)
    if unit == "d":
        return today + datetime.timedelta(days=amount)
    months = today.year * 12 + today.month - 1 + (amount * 12 if unit == "y" else amount)
    year, month = divmod(months, 12)
    if not 1 <= year <= 9999:
        return None
    day = today.day
    while True:
        try:
            return datetime.date(year, month + 1, day)
        except ValueError:
            day -= 1  # 29 February, 31st of a shorter month


def parse_date(raw) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = clean_text(raw)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if not match:
            raise ValueError
        day, month, year = (int(g) for g in match.groups())
    if year < 1000:
        raise ValueError
    return datetime.date(year, month, day)


def _decimal(text: str, decimals: int) -> Decimal:
    text = text.replace("\u00a0", " ").strip()
    if not re.fullmatch(r"-?[\d.,\s]{1,40}", text):
        raise ValueError
    negative = text.startswith("-")
    body = text.lstrip("-").strip()
    if _GROUPED.match(body) and (decimals == 0 or ("." in body and "," not in body and body.count(".") > 1)):
        body = re.sub(r"[.,\s]", "", body)  # thousands grouped by dots, commas or spaces
    elif "," in body and "." in body:
        body = body.replace(".", "").replace(" ", "").replace(",", ".")  # 1.234,5 (Vietnamese)
    else:
        body = body.replace(" ", "").replace(",", ".")
    if body.count(".") > 1 or not re.fullmatch(r"\d+(\.\d+)?", body):
        raise ValueError
    return -Decimal(body) if negative else Decimal(body)


def _number(raw, decimals: int) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError
        return Decimal(str(raw))
    if not isinstance(raw, str):
        raise ValueError
    return _decimal(raw, decimals)


def parse_money(raw) -> int:
    """Whole đồng: 1500000, "1.500.000", "1,500,000", "1 500 000 đ" -> 1500000."""
    if isinstance(raw, str):
        raw = re.sub(r"(?i)\s*(vnđ|vnd|đồng|đ)\s*$", "", raw.strip())
    amount = _number(raw, 0)
    if amount != amount.to_integral_value():
        raise ValueError
    return int(amount)


def parse_yes_no(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
    raise ValueError


def lower_first(label: str) -> str:
    """'Họ và tên' -> 'họ và tên', but 'CCCD' stays."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def required_message(field) -> str:
    label = lower_first(field.label)
    if field.type == "choice":
        return _("Chọn %(label)s") % {"label": label}
    if field.type == "yes_no":
        return _("Chọn Có hoặc Không cho câu hỏi «%(label)s»") % {"label": field.label}
    if field.type == "file":
        return _("Đính kèm %(label)s") % {"label": label}
    return _("Nhập %(label)s") % {"label": label}


def format_date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def _check_range(field, value, shown) -> None:
    label = field.label
    if field.min is not None and value < field.min:
        raise Invalid(_("%(label)s không được nhỏ hơn %(min)s") % {"label": label, "min": shown(field.min)})
    if field.max is not None and value > field.max:
        raise Invalid(_("%(label)s không được lớn hơn %(max)s") % {"label": label, "max": shown(field.max)})


def _clean_date(field, raw) -> str:
    label = field.label
    try:
        value = parse_date(raw)
    except (TypeError, ValueError) as exc:
        if isinstance(raw, str) and re.fullmatch(r"\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})\s*", raw):
            raise Invalid(_("%(label)s không phải là một ngày có thật") % {"label": label}) from exc
        raise Invalid(
            _("%(label)s phải là ngày theo dạng ngày/tháng/năm, ví dụ 27/03/2024") % {"label": label}
        ) from exc
    low, high = date_bound(field.min), date_bound(field.max)
    if high is not None and value > high:
        if field.max == "today":
            raise Invalid(_("%(label)s không được sau ngày hôm nay") % {"label": label})
        raise Invalid(
            _("%(label)s không được sau ngày %(date)s") % {"label": label, "date": format_date(high)}
        )
    if low is not None and value < low:
        if field.min == "today":
            raise Invalid(_("%(label)s không được trước ngày hôm nay") % {"label": label})
        raise Invalid(
            _("%(label)s không được trước ngày %(date)s") % {"label": label, "date": format_date(low)}
        )
    return value.isoformat()


def _clean_number(field, raw):
    label = field.label
    try:
        value = _number(raw, field.decimals)
    except (ValueError, InvalidOperation) as exc:
        raise Invalid(_("%(label)s phải là một số, ví dụ 12 hoặc 85,5") % {"label": label}) from exc
    if abs(value) >= MAX_MONEY:
        raise Invalid(_("%(label)s quá lớn") % {"label": label})
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > field.decimals and value != value.to_integral_value():
        if field.decimals == 0:
            raise Invalid(_("%(label)s phải là số nguyên") % {"label": label})
        raise Invalid(
            _("%(label)s chỉ được có tối đa %(n)d chữ số sau dấu phẩy")
            % {"label": label, "n": field.decimals}
        )
    _check_range(field, value, lambda v: str(v).replace(".", ","))
    return int(value) if field.decimals == 0 else float(round(value, field.decimals))


def _clean_money(field, raw) -> int:
    label = field.label
    if (isinstance(raw, str) and raw.strip().startswith("-")) or (isinstance(raw, int | float) and raw < 0):
        raise Invalid(_("%(label)s không được là số âm") % {"label": label})
    try:
        value = parse_money(raw)
    except (ValueError, InvalidOperation) as exc:
        raise Invalid(_("%(label)s phải là số tiền bằng đồng, ví dụ 1.500.000") % {"label": label}) from exc
    if value >= MAX_MONEY:
        raise Invalid(_("%(label)s quá lớn") % {"label": label})
    _check_range(field, value, lambda v: f"{int(v):,}".replace(",", ".") + " đ")
    return value


def _clean_id_number(field, raw) -> str:
    label = field.label
    text = re.sub(r"[\s.]", "", clean_text(raw))
    if not re.fullmatch(r"\d{12}", text):
        raise Invalid(_("%(label)s gồm đúng 12 chữ số") % {"label": label})
    if text[:3] not in ID_PROVINCE_CODES:
        raise Invalid(
            _("3 chữ số đầu của %(label)s phải là mã tỉnh, thành phố nơi đăng ký khai sinh (001 đến 096)")
            % {"label": lower_first(label)}
        )
    return text


def _clean_phone(field, raw) -> str:
    number = normalize_phone(clean_text(raw))
    if not number:
        raise Invalid(
            _("%(label)s phải là số di động Việt Nam gồm 10 chữ số, ví dụ 0912345678")
            % {"label": field.label}
        )
    return number


def _clean_email(field, raw) -> str:
    text = clean_text(raw)
    try:
        validate_email(text)
    except ValidationError as exc:
        raise Invalid(
            _("%(label)s không đúng định dạng, ví dụ ten@example.com") % {"label": field.label}
        ) from exc
    if len(text) > (field.max_length or DEFAULT_MAX_LENGTH["email"]):
        raise Invalid(_("%(label)s quá dài") % {"label": field.label})
    return text


def _clean_text_field(field, raw) -> str:
    text = clean_text(raw, keep_lines=field.type == "textarea")
    limit = field.max_length or DEFAULT_MAX_LENGTH[field.type]
    if len(text) > limit:
        raise Invalid(
            _("%(label)s không được dài quá %(n)d ký tự (hiện có %(count)d)")
            % {"label": field.label, "n": limit, "count": len(text)}
        )
    if field.pattern and not re.fullmatch(field.pattern, text):
        raise Invalid(field.pattern_message or _("%(label)s không đúng định dạng") % {"label": field.label})
    return text


def _clean_choice(field, raw) -> str:
    text = clean_text(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else None
    if text is None or not any(c.value == text for c in field.choices):
        raise Invalid(_("Chọn %(label)s trong danh sách") % {"label": lower_first(field.label)})
    return text


def _clean_yes_no(field, raw) -> bool:
    try:
        return parse_yes_no(raw)
    except ValueError as exc:
        raise Invalid(_("Chọn Có hoặc Không cho câu hỏi «%(label)s»") % {"label": field.label}) from exc


CLEANERS = {
    "text": _clean_text_field,
    "textarea": _clean_text_field,
    "number": _clean_number,
    "money": _clean_money,
    "date": _clean_date,
    "choice": _clean_choice,
    "yes_no": _clean_yes_no,
    "id_number": _clean_id_number,
    "phone": _clean_phone,
    "email": _clean_email,
}


def clean_value(field, raw):
    """The typed value of a non-empty scalar answer; `Invalid` with the message to show otherwise."""
    try:
        return CLEANERS[field.type](field, raw)
    except Invalid:
        raise
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise Invalid(_("%(label)s không hợp lệ") % {"label": field.label}) from exc


def try_clean(field, raw):
    """The typed value, or None when the answer is empty or invalid (for conditions and display)."""
    if field.type not in CLEANERS or is_empty(raw):
        return None
    try:
        return clean_value(field, raw)
    except Invalid:
        return None
