"""Registration at a Vietnam Post counter (issue §2) and the citizen's activation of that account.

A Post clerk (an official with the role "post_clerk") registers a citizen who is present with their ID
card: the clerk ticks that they checked the original card, the details are checked with the population
registry, and a level-2 citizen account is created with no usable password. The citizen gets an SMS with
an activation code (8 characters, 72 hours, stored hashed) and a link; on the activation page they give
their ID number, the code and a new password. Afterwards they sign in like a mobile-subscriber account.

Activation answers wrong ID/code combinations with one generic message, so the page does not tell which
IDs were registered; a code allows 5 wrong tries, then it is void and the counter sends a new one.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.accounts import lockout
from opendvc.accounts.errors import Forbidden, RegistryDown, RegistryMismatch
from opendvc.accounts.models import (
    Account,
    AccountKind,
    ActivationCode,
    AssuranceLevel,
    OfficialRole,
    RegistrationMethod,
    token_hash,
)
from opendvc.accounts.services import identity_checks
from opendvc.accounts.services.common import (
    Checker,
    check_new_password,
    citizen_by_id,
    create_citizen,
    refuse_existing_citizen,
)
from opendvc.core import audit
from opendvc.core.errors import DomainError
from opendvc.core.limits import Limit, enforce
from opendvc.core.personal_data import mask, mask_phone
from opendvc.core.request_info import client_ip
from opendvc.notifications.services import send_sms

ACTIVATION_CODE_LENGTH = 8
ACTIVATION_CODE_LIFETIME = timedelta(hours=72)
ACTIVATION_MAX_ATTEMPTS = 5
ACTIVATION_LIMITS_PER_IP = ["20/h", "100/d"]
# No 0/O, 1/I/L: the code is read from an SMS and typed by hand.
ACTIVATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACTIVATION_PATH = "/kich-hoat/"


class ActivationRefused(DomainError):
    code = "activation_invalid"


def _require_post_clerk(clerk: Account) -> None:
    if clerk is None or not clerk.is_active or not clerk.has_role(OfficialRole.POST_CLERK):
        raise Forbidden(_("Chỉ nhân viên Bưu điện Việt Nam được đăng ký tài khoản cho công dân tại quầy."))


# --- Registration by the clerk -------------------------------------------------------------------------


def register_at_post(
    request,
    clerk: Account,
    *,
    id_number: str,
    full_name: str,
    date_of_birth,
    gender: str,
    phone: str,
    email: str = "",
    id_card_checked: bool,
) -> Account:
    """Create the level-2 citizen account of a person at the counter and send them the activation SMS.

    Raises Forbidden (not a Post clerk), InvalidInput, RegistryMismatch (unknown, deceased, details that
    differ), RegistryDown (nothing is created), AccountExists."""
    _require_post_clerk(clerk)
    check = Checker()
    id_number = check.id_number(id_number)
    full_name = check.full_name(full_name)
    born = check.date_of_birth(date_of_birth)
    gender = check.gender(gender)
    phone = check.phone(phone)
    email = check.email(email)
    if not id_card_checked:
        check.add(
            "id_card_checked",
            _("Vui lòng kiểm tra bản gốc thẻ căn cước / CMND của người đăng ký và đánh dấu xác nhận."),
        )
    check.done()

    person = identity_checks.find_person(id_number)
    # The clerk's query reached the person's registry record: access to identity data is logged.
    audit.record(
        "identity.viewed",
        actor=clerk,
        request=request,
        registry="population",
        id_number=mask(person.id_number),
        purpose="vietnam_post_registration",
    )
    identity_checks.check_declared_identity(person, full_name=full_name, date_of_birth=born, gender=gender)
    refuse_existing_citizen(person.id_number, person.old_id_number)
    carrier_verified = _owner_registered(person, phone)

    with transaction.atomic():
        account = create_citizen(
            request,
            person,
            method=RegistrationMethod.VIETNAM_POST,
            level=AssuranceLevel.LEVEL_2,
            phone=phone,
            carrier_verified=carrier_verified,
            email=email,
            registered_by=clerk,
            audit_details={"phone": mask_phone(phone), "carrier_verified": carrier_verified},
        )
        _send_activation(account, phone)
    return account


def _owner_registered(person, phone: str) -> bool:
    """Whether the carrier confirms the phone is the person's own ("chính chủ"). Not required — the
    person is present with their ID card — so a mismatch or a carrier outage only leaves it unverified."""
    try:
        identity_checks.check_owner_registered_phone(person, phone)
    except (RegistryMismatch, RegistryDown):
        return False
    return True


def _new_code() -> str:
    return "".join(secrets.choice(ACTIVATION_ALPHABET) for _ in range(ACTIVATION_CODE_LENGTH))


def _code_hash(code: str) -> str:
    return token_hash(f"activation:{_normalize(code)}")


def _normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def activation_url(code: str) -> str:
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{ACTIVATION_PATH}?ma={code}"


def _send_activation(account: Account, phone: str) -> None:
    """A new code (earlier unused ones become void) and the SMS; no personal data in the text."""
    now = timezone.now()
    ActivationCode.objects.filter(account=account, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = _new_code()
    ActivationCode.objects.create(
        account=account, code_hash=_code_hash(code), created_at=now, expires_at=now + ACTIVATION_CODE_LIFETIME
    )
    text = _(
        "Cổng DVCQG: tài khoản của bạn đã được tạo tại Bưu điện. Mã kích hoạt: %(code)s (hiệu lực 72 giờ). "
        "Đặt mật khẩu tại %(url)s"
    ) % {"code": code, "url": activation_url(code)}
    send_sms(phone, text, purpose="account_activation", secret=code)


def awaiting_activation(account: Account) -> bool:
    return (
        account.registration_method == RegistrationMethod.VIETNAM_POST and not account.has_usable_password()
    )


def registered_by_clerk(clerk: Account, account_id: int) -> Account:
    """An account this clerk registered (what the confirmation page shows); Forbidden otherwise."""
    _require_post_clerk(clerk)
    account = Account.objects.filter(pk=account_id, kind=AccountKind.CITIZEN, registered_by=clerk).first()
    if account is None:
        raise Forbidden(_("Không tìm thấy tài khoản do bạn đăng ký."))
    return account


def resend_activation(request, clerk: Account, account: Account) -> None:
    """A new activation code by SMS to the account's phone; the old code no longer works."""
    account = registered_by_clerk(clerk, account.pk)
    if not awaiting_activation(account):
        raise DomainError(
            _("Tài khoản này đã được kích hoạt; công dân đăng nhập bằng số định danh và mật khẩu."),
            code="already_activated",
            status=409,
        )
    phone = account.otp_phone
    if phone is None:
        raise DomainError(_("Tài khoản không có số điện thoại nhận tin nhắn."), code="no_phone", status=409)
    with transaction.atomic():
        _send_activation(account, phone.number)
        audit.record("account.activation_resent", actor=clerk, target=account, request=request)


# --- Activation by the citizen ----------------------------------------------------------------------------


def _generic_refusal() -> ActivationRefused:
    message = _(
        "Số định danh hoặc mã kích hoạt không đúng. Vui lòng kiểm tra tin nhắn kích hoạt. Sau %(n)d lần "
        "nhập sai, mã kích hoạt hết hiệu lực; khi đó hãy đề nghị nhân viên bưu điện gửi lại mã."
    ) % {"n": ACTIVATION_MAX_ATTEMPTS}
    return ActivationRefused(message, fields={"code": [_("Số định danh hoặc mã kích hoạt không đúng.")]})


def activate_account(request, *, id_number: str, code: str, password: str, password_confirm: str) -> Account:
    """Set the first password of an account registered at Vietnam Post, with the code from the SMS.

    Wrong ID/code combinations all get the same answer (ActivationRefused "activation_invalid"); with
    the right code, an expired or used-up one is explained ("activation_expired", "activation_locked",
    "activation_replaced", "already_activated"). Rate-limited per IP. The caller sends the citizen to log in.
    """
    check = Checker()
    id_number = check.id_number(id_number)
    check.required("code", code, _("Vui lòng nhập mã kích hoạt trong tin nhắn."))
    check.required("password", password, _("Vui lòng nhập mật khẩu."))
    check.done()
    ip = client_ip(request) or "none"
    enforce(request, [Limit("activate-ip", ip, rate) for rate in ACTIVATION_LIMITS_PER_IP])

    account = citizen_by_id(id_number)
    matched = (
        ActivationCode.objects.filter(account=account, code_hash=_code_hash(code)).first()
        if account is not None
        else None
    )
    if matched is None:
        _count_wrong_code(account)
        raise _generic_refusal()
    _refuse_unusable(account, matched)
    check_new_password(password, password_confirm, account=account)
    with transaction.atomic():
        used = ActivationCode.objects.filter(
            pk=matched.pk, used_at__isnull=True, failed_attempts__lt=ACTIVATION_MAX_ATTEMPTS
        ).update(used_at=timezone.now())
        if not used:  # the same code submitted twice at once
            raise _generic_refusal()
        account.set_password(password)
        account.save(update_fields=["password"])
        audit.record("account.activated", actor=account, target=account, request=request)
    lockout.unlock_account(account)
    return account


def _count_wrong_code(account: Account | None) -> None:
    """A wrong code counts against the account's live code: after 5, that code is void."""
    if account is None:
        return
    ActivationCode.objects.filter(
        account=account, used_at__isnull=True, expires_at__gt=timezone.now()
    ).update(failed_attempts=F("failed_attempts") + 1)


def _refuse_unusable(account: Account, matched: ActivationCode) -> None:
    """The code typed is right: say plainly why it cannot be used, if it cannot."""
    if account.has_usable_password():
        raise ActivationRefused(
            _("Tài khoản đã được kích hoạt. Vui lòng đăng nhập bằng số định danh và mật khẩu."),
            code="already_activated",
        )
    if (
        matched.used_at is not None
        or account.activation_codes.filter(created_at__gt=matched.created_at).exists()
    ):
        raise ActivationRefused(
            _(
                "Mã kích hoạt này đã được thay bằng mã mới. Vui lòng dùng mã trong tin nhắn kích hoạt mới "
                "nhất, hoặc đề nghị nhân viên bưu điện gửi lại mã."
            ),
            code="activation_replaced",
        )
    if matched.failed_attempts >= ACTIVATION_MAX_ATTEMPTS:
        raise ActivationRefused(
            _(
                "Mã kích hoạt đã hết hiệu lực vì bị nhập sai %(n)d lần. Vui lòng đến quầy bưu điện hoặc "
                "gọi nhân viên bưu điện đã đăng ký cho bạn để được gửi lại mã."
            )
            % {"n": ACTIVATION_MAX_ATTEMPTS},
            code="activation_locked",
        )
    if matched.expires_at <= timezone.now():
        raise ActivationRefused(
            _(
                "Mã kích hoạt đã hết hạn (mã có hiệu lực 72 giờ). Vui lòng đề nghị nhân viên bưu điện gửi "
                "lại mã kích hoạt mới."
            ),
            code="activation_expired",
        )


def activation_phone_masked(account: Account) -> str:
    phone = account.otp_phone
    return phone.masked if phone else ""


__all__ = [
    "ACTIVATION_CODE_LIFETIME",
    "ActivationRefused",
    "activate_account",
    "activation_phone_masked",
    "activation_url",
    "awaiting_activation",
    "register_at_post",
    "registered_by_clerk",
    "resend_activation",
]
