"""Pieces shared by the account flows: validating what people type, and refusing duplicates."""

from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.accounts.errors import AccountExists
from opendvc.accounts.models import Account, AccountKind, Gender, Phone, new_public_username
from opendvc.core import audit
from opendvc.core.errors import DomainError
from opendvc.core.personal_data import digits, is_id_number, lookup_digest, normalize_phone
from opendvc.core.text import nfc
from opendvc.identity.registries import PersonRecord

# What the account can keep: longer values are refused with a message, never cut or left to the database.
ADDRESS_MAX_LENGTH = Account._meta.get_field("address").max_length
EMAIL_MAX_LENGTH = Account._meta.get_field("email").max_length


class InvalidInput(DomainError):
    code = "invalid_input"

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(_("Vui lòng kiểm tra lại các thông tin được đánh dấu."), fields=fields)


class Checker:
    """Collects field errors, then raises them all at once (the form shows every problem together)."""

    def __init__(self):
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def required(self, field: str, value, message: str) -> bool:
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            self.add(field, message)
            return False
        return True

    def id_number(self, value: str, field: str = "id_number") -> str:
        number = digits(value or "")
        if self.required(field, value, _("Vui lòng nhập số định danh cá nhân / CMND.")) and not is_id_number(
            number
        ):
            self.add(field, _("Số định danh cá nhân có 12 chữ số (CMND cũ có 9 chữ số)."))
        return number

    def phone(self, value: str, field: str = "phone") -> str:
        number = normalize_phone(value or "")
        if self.required(field, value, _("Vui lòng nhập số điện thoại di động.")) and not number:
            self.add(
                field, _("Số điện thoại di động Việt Nam có 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.")
            )
        return number

    def full_name(self, value: str, field: str = "full_name") -> str:
        name = " ".join(nfc(value or "").split())
        if self.required(field, name, _("Vui lòng nhập họ và tên.")) and len(name) > 255:
            self.add(field, _("Họ và tên quá dài."))
        return name

    def date_of_birth(self, value, field: str = "date_of_birth") -> date | None:
        if not self.required(field, value, _("Vui lòng nhập ngày sinh.")):
            return None
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                self.add(field, _("Ngày sinh không hợp lệ."))
                return None
        if value > timezone.localdate():
            self.add(field, _("Ngày sinh không thể ở tương lai."))
            return None
        return value

    def gender(self, value: str, field: str = "gender") -> str:
        if self.required(field, value, _("Vui lòng chọn giới tính.")) and value not in Gender.values:
            self.add(field, _("Giới tính không hợp lệ."))
        return value or ""

    def email(self, value: str, field: str = "email") -> str:
        value = (value or "").strip()
        if len(value) > EMAIL_MAX_LENGTH:
            # Django's validator accepts up to 320 characters; the account keeps at most 254 (RFC 5321).
            self.add(field, _("Địa chỉ thư điện tử quá dài."))
        elif value:
            try:
                validate_email(value)
            except ValidationError:
                self.add(field, _("Địa chỉ thư điện tử không hợp lệ."))
        return value

    def address(self, value: str, field: str = "address") -> str:
        """A contact or head-office address on one line, at most what the account can keep."""
        address = " ".join(nfc(value or "").split())
        if len(address) > ADDRESS_MAX_LENGTH:
            self.add(field, _("Địa chỉ quá dài (tối đa %(n)d ký tự).") % {"n": ADDRESS_MAX_LENGTH})
        return address

    def done(self) -> None:
        if self.fields:
            raise InvalidInput(self.fields)


class _PasswordSubject:
    """Stands in for the account while it does not exist yet, for the password validators."""

    def __init__(self, *, id_number="", phone_numbers=(), full_name="", email=""):
        self.id_number = id_number
        self.phone_numbers = list(phone_numbers)
        self.full_name = full_name
        self.email = email
        self.pk = None


def check_new_password(password: str, confirm: str, *, account=None, **subject) -> None:
    """The portal's password rule; every failing rule is listed."""
    checker = Checker()
    if not password:
        checker.add("password", _("Vui lòng nhập mật khẩu."))
    elif password != confirm:
        checker.add("password_confirm", _("Hai lần nhập mật khẩu không giống nhau."))
    else:
        try:
            validate_password(password, user=account or _PasswordSubject(**subject))
        except ValidationError as exc:
            for message in exc.messages:
                checker.add("password", message)
    checker.done()


def citizen_by_id(id_number: str) -> Account | None:
    digest = lookup_digest(id_number, kind="id")
    return (
        Account.objects.filter(kind=AccountKind.CITIZEN)
        .filter(Q(id_number_digest=digest) | Q(old_id_digest=digest))
        .first()
    )


def refuse_existing_citizen(*id_numbers: str) -> None:
    for number in filter(None, id_numbers):
        if citizen_by_id(number) is not None:
            raise AccountExists(
                _(
                    "Số định danh này đã có tài khoản trên Cổng Dịch vụ công. Nếu bạn quên mật "
                    "khẩu, hãy dùng "
                    "chức năng “Quên mật khẩu”."
                ),
                fields={"id_number": [_("Số định danh này đã có tài khoản.")]},
            )


def create_citizen(
    request,
    person: PersonRecord,
    *,
    method: str,
    level: int,
    password: str | None = None,
    phone: str | None = None,
    carrier_verified: bool = False,
    email: str = "",
    address: str | None = None,
    social_insurance_number: str | None = None,
    registered_by: Account | None = None,
    audit_details: dict | None = None,
) -> Account:
    """The one write path that makes a citizen account from a registry record (every registration
    method, and the demo). Refuses an ID that already has an account, also when a parallel request
    created it a moment ago. Callers that write more (a certificate, an activation code, the flow's end)
    wrap this call and those writes in one transaction."""
    now = timezone.now()
    try:
        with transaction.atomic():
            refuse_existing_citizen(person.id_number, person.old_id_number)
            account = Account(
                username=new_public_username("cd"),
                kind=AccountKind.CITIZEN,
                full_name=person.full_name,
                id_number=person.id_number,
                old_id_number=person.old_id_number or None,
                date_of_birth=person.date_of_birth,
                gender=person.gender,
                address=person.address if address is None else address,
                email=email,
                social_insurance_number=social_insurance_number or None,
                assurance_level=level,
                registration_method=method,
                verified_at=now,
                registered_by=registered_by,
            )
            if password:
                account.set_password(password)
            else:
                account.set_unusable_password()
            account.save()
            if phone:
                Phone.objects.create(
                    account=account,
                    number=phone,
                    is_default=True,
                    carrier_verified_at=now if carrier_verified else None,
                )
            audit.record(
                "account.registered",
                actor=registered_by,
                target=account,
                request=request,
                method=method,
                level=level,
                **(audit_details or {}),
            )
    except IntegrityError as exc:
        raise AccountExists(_("Số định danh này đã có tài khoản trên Cổng Dịch vụ công.")) from exc
    return account


def person_from_data(data: dict) -> PersonRecord:
    """A registry record kept in a flow's data (dates as ISO strings) back as a PersonRecord."""
    return PersonRecord(
        id_number=data["id_number"],
        full_name=data["full_name"],
        date_of_birth=date.fromisoformat(data["date_of_birth"]),
        gender=data.get("gender", ""),
        address=data.get("address", ""),
        old_id_number=data.get("old_id_number") or "",
    )
