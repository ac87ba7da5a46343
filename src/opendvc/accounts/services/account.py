"""Account management (seed 000 §III; issue 3 §5): personal information, phones, certificates, the
authenticator app, and the re-authentication that guards every change of a sign-in method.

Rules kept here, whoever calls (pages, API):
- adding or removing a sign-in method needs a re-authentication in the last 5 minutes
  (`require_reauthentication`; `reauthenticate` renews it);
- the account never loses its last sign-in method (selectors.sign_in_method_count);
- a phone becomes the OTP phone only after a code sent to it was typed back, and the default phone is
  removed only after another one has become the OTP phone;
- officials and admins always keep their authenticator app (issue 3 §3: TOTP is mandatory for them);
- every change is audited (core.audit) with masked numbers, and the person is told by e-mail; a change
  of the OTP phone is also told by SMS to the old phone.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.accounts import otp, selectors, totp
from opendvc.accounts.errors import InvalidCredentials, MethodRefused, OtpError, ReauthenticationRequired
from opendvc.accounts.flows import finish_flow, flow_data, get_flow, start_flow
from opendvc.accounts.models import (
    AccessMethod,
    Account,
    AccountKind,
    Certificate,
    FlowPurpose,
    Phone,
    TotpDevice,
)
from opendvc.accounts.selectors import sign_in_method_count
from opendvc.accounts.services.access import record_access
from opendvc.accounts.services.common import Checker
from opendvc.core import audit
from opendvc.core.errors import NotFound
from opendvc.core.limits import Limit, enforce
from opendvc.core.personal_data import lookup_digest, mask_phone
from opendvc.notifications.recipients import mask_recipient
from opendvc.notifications.services import send_email, send_sms

# Set by services.access.sign_in and by `reauthenticate`: a Unix timestamp.
REAUTHENTICATED_AT = "opendvc_reauthenticated_at"
REAUTHENTICATION_MAX_AGE = 5 * 60
# The OTP re-authentication of accounts without a password is a LOGIN flow at its own step, so that the
# sign-in pages (which want step "otp" or "new_phone") can never take it for theirs.
REAUTH_STEP = "reauthenticate"
REAUTH_LIMITS = ["10/h"]
TOTP_CONFIRM_LIMITS = ["10/h"]
MAX_PHONES = 5


# --- Re-authentication ----------------------------------------------------------------------------------


def reauthentication_needed(request) -> bool:
    """Whether the session proved the password (or an OTP) more than 5 minutes ago, or never did.
    A request without a session (the API) always needs one."""
    session = getattr(request, "session", None)
    at = session.get(REAUTHENTICATED_AT) if session is not None else None
    if at is None:
        return True
    return timezone.now().timestamp() - float(at) > REAUTHENTICATION_MAX_AGE


def require_reauthentication(request) -> None:
    if reauthentication_needed(request):
        raise ReauthenticationRequired(
            _("Để bảo vệ tài khoản, vui lòng xác thực lại trước khi thay đổi phương thức đăng nhập.")
        )


def _access_method(account: Account) -> str:
    if account.kind in (AccountKind.OFFICIAL, AccountKind.ADMIN):
        return AccessMethod.PASSWORD_TOTP
    return AccessMethod.PASSWORD_OTP


def reauthentication_uses_password(account: Account) -> bool:
    """Accounts with a password re-authenticate with it; the others with an OTP to the OTP phone."""
    return account.has_usable_password()


def start_reauthentication_code(request, account: Account) -> tuple:
    """For an account without a usable password: send an OTP to its OTP phone. Returns (flow, token)."""
    if reauthentication_uses_password(account):
        raise MethodRefused(_("Tài khoản có mật khẩu: hãy xác thực lại bằng mật khẩu."), code="use_password")
    phone = account.otp_phone
    if phone is None:
        raise MethodRefused(
            _(
                "Tài khoản không có mật khẩu và không có số điện thoại nhận OTP. Hãy đăng xuất rồi đăng nhập "
                "lại bằng USB ký số hoặc SIM ký số để tiếp tục."
            ),
            code="no_reauthentication_method",
        )
    flow, token = start_flow(FlowPurpose.LOGIN, step=REAUTH_STEP, account=account, phone_id=phone.pk)
    otp.send_code(request, flow, phone.number, text="login", owner_key=str(account.pk))
    return flow, token


def _reauthentication_flow(account: Account, token: str):
    flow = get_flow(token, FlowPurpose.LOGIN, step=REAUTH_STEP)
    if flow.account_id != account.pk:
        raise NotFound(_("Không tìm thấy yêu cầu xác thực lại."))
    return flow


def resend_reauthentication_code(request, account: Account, *, token: str) -> Phone:
    flow = _reauthentication_flow(account, token)
    phone = account.phones.filter(pk=flow_data(flow).get("phone_id")).first() or account.otp_phone
    if phone is None:
        message = _("Tài khoản không có số điện thoại nhận OTP.")
        raise MethodRefused(message, code="no_reauthentication_method")
    otp.send_code(request, flow, phone.number, text="login", owner_key=str(account.pk))
    return phone


def reauthenticate(
    request,
    account: Account,
    *,
    password: str | None = None,
    code: str | None = None,
    token: str | None = None,
) -> None:
    """Prove again who is at the keyboard: the password, or (accounts without one) the OTP of the flow
    `token` from start_reauthentication_code. Renews the 5-minute window of the session."""
    enforce(request, [Limit("reauth-account", str(account.pk), rate) for rate in REAUTH_LIMITS])
    if reauthentication_uses_password(account):
        if not password:
            message = _("Vui lòng nhập mật khẩu.")
            raise InvalidCredentials(message, fields={"password": [message]})
        if not account.check_password(password):
            record_access(
                request, account, _access_method(account), success=False, reason="reauth_wrong_password"
            )
            message = _("Mật khẩu không đúng.")
            raise InvalidCredentials(message, fields={"password": [message]})
        how = "password"
    else:
        flow = _reauthentication_flow(account, token or "")
        try:
            otp.verify_code(flow, code or "")
        except OtpError:
            record_access(request, account, _access_method(account), success=False, reason="reauth_wrong_otp")
            raise
        finish_flow(flow)
        how = "otp"
    request.session[REAUTHENTICATED_AT] = timezone.now().timestamp()
    audit.record("account.reauthenticated", actor=account, target=account, request=request, method=how)


# --- Telling the person ---------------------------------------------------------------------------------


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def email_notice(account: Account, subject: str, text: str, *, purpose: str) -> None:
    """A change to the account's sign-in methods is told to its e-mail address, if it has one."""
    if account.email:
        body = text + "\n\n" + _("Nếu không phải bạn thực hiện, hãy gọi tổng đài hỗ trợ ngay.")
        send_email(account.email, subject, body, purpose=purpose)


# --- Personal information -------------------------------------------------------------------------------


def update_personal_info(request, account: Account, *, address: str, email: str) -> Account:
    """Change the contact address and e-mail (the identity fields come from the registries and are not
    editable). Every problem is reported at once (InvalidInput); the old e-mail is told of a change."""
    check = Checker()
    address = check.address(address)
    email = check.email(email)
    check.done()
    changed = [
        name for name, value in (("address", address), ("email", email)) if getattr(account, name) != value
    ]
    if not changed:
        return account
    old_email = account.email
    account.address, account.email = address, email
    with transaction.atomic():
        account.save(update_fields=changed)
        audit.record(
            "account.personal_info_updated", actor=account, target=account, request=request, fields=changed
        )
        if "email" in changed and old_email:
            shown = mask_recipient(email, "email") if email else _("(không có)")
            text = _(
                "Cổng Dịch vụ công: địa chỉ thư điện tử của tài khoản đã được đổi thành %(email)s lúc "
                "%(time)s."
            ) % {"email": shown, "time": _when(timezone.now())}
            send_email(
                old_email,
                _("Địa chỉ thư điện tử của tài khoản đã thay đổi"),
                text + "\n\n" + _("Nếu không phải bạn thực hiện, hãy gọi tổng đài hỗ trợ ngay."),
                purpose="email_changed",
            )
    return account


# --- Phones ---------------------------------------------------------------------------------------------


def _own_phone(account: Account, phone_id) -> Phone:
    phone = selectors.account_phone(account, phone_id)
    if phone is None:
        raise NotFound(_("Không tìm thấy số điện thoại này trong tài khoản."))
    return phone


def start_add_phone(request, account: Account, *, phone: str, make_default: bool = False) -> tuple:
    """Send an OTP to a new phone of the account. With `make_default` (“Đổi số điện thoại nhận OTP” with
    a new number) the phone becomes the OTP phone once the code is confirmed. Returns (flow, token)."""
    require_reauthentication(request)
    check = Checker()
    number = check.phone(phone)
    check.done()
    if account.phones.filter(digest=lookup_digest(number, kind="phone")).exists():
        message = _("Số điện thoại này đã có trong tài khoản.")
        raise MethodRefused(message, code="phone_exists", fields={"phone": [message]})
    if account.phones.count() >= MAX_PHONES:
        message = _("Tài khoản đã có %(n)d số điện thoại, là số tối đa. Hãy xóa bớt một số trước.") % {
            "n": MAX_PHONES
        }
        raise MethodRefused(message, code="too_many_phones", fields={"phone": [message]})
    flow, token = start_flow(
        FlowPurpose.ADD_PHONE, step="otp", account=account, phone=number, make_default=bool(make_default)
    )
    otp.send_code(request, flow, number, text="change_phone", owner_key=str(account.pk))
    return flow, token


def _add_phone_flow(account: Account, token: str):
    flow = get_flow(token, FlowPurpose.ADD_PHONE, step="otp")
    if flow.account_id != account.pk:
        raise NotFound(_("Không tìm thấy yêu cầu thêm số điện thoại."))
    return flow


def pending_phone(account: Account, *, token: str) -> dict:
    """The masked number and intent of an add-phone flow in progress (FlowExpired when there is none)."""
    data = flow_data(_add_phone_flow(account, token))
    return {"masked": mask_phone(data["phone"]), "make_default": data.get("make_default", False)}


def resend_add_phone_code(request, account: Account, *, token: str) -> None:
    flow = _add_phone_flow(account, token)
    otp.send_code(request, flow, flow_data(flow)["phone"], text="change_phone", owner_key=str(account.pk))


def confirm_add_phone(request, account: Account, *, token: str, code: str) -> Phone:
    """Accept the code sent to the new phone and store the phone. It becomes the OTP phone when the flow
    asked for it, or when the account has no OTP phone yet; otherwise it is an extra phone."""
    flow = _add_phone_flow(account, token)
    otp.verify_code(flow, code)
    data = flow_data(flow)
    try:
        with transaction.atomic():
            _lock(account)
            phone = Phone.objects.create(account=account, number=data["phone"], is_default=False)
            finish_flow(flow)
            audit.record(
                "account.phone_added", actor=account, target=account, request=request, phone=phone.masked
            )
            if data.get("make_default") or account.otp_phone is None:
                make_otp_phone(request, account, phone, via="account_page")
            else:
                email_notice(
                    account,
                    _("Đã thêm số điện thoại vào tài khoản"),
                    _(
                        "Cổng Dịch vụ công: số điện thoại %(phone)s đã được thêm vào tài khoản của bạn lúc "
                        "%(time)s."
                    )
                    % {"phone": phone.masked, "time": _when(phone.added_at)},
                    purpose="phone_added",
                )
    except IntegrityError as exc:  # the same number added by a parallel request a moment ago
        message = _("Số điện thoại này đã có trong tài khoản.")
        raise MethodRefused(message, code="phone_exists", fields={"phone": [message]}) from exc
    return Phone.objects.get(pk=phone.pk)


def start_set_default_phone(request, account: Account, *, phone_id) -> tuple:
    """“Đổi số điện thoại nhận OTP” to a phone the account already has: an OTP is sent to that phone
    first. Returns (flow, token, phone)."""
    require_reauthentication(request)
    phone = _own_phone(account, phone_id)
    if phone.is_default:
        raise MethodRefused(_("Đây đã là số điện thoại nhận OTP của tài khoản."), code="already_default")
    flow, token = start_flow(FlowPurpose.CHANGE_OTP_PHONE, step="otp", account=account, phone_id=phone.pk)
    otp.send_code(request, flow, phone.number, text="change_phone", owner_key=str(account.pk))
    return flow, token, phone


def _default_phone_flow(account: Account, token: str):
    flow = get_flow(token, FlowPurpose.CHANGE_OTP_PHONE, step="otp")
    if flow.account_id != account.pk:
        raise NotFound(_("Không tìm thấy yêu cầu đổi số điện thoại nhận OTP."))
    return flow, _own_phone(account, flow_data(flow).get("phone_id"))


def pending_default_phone(account: Account, *, token: str) -> Phone:
    return _default_phone_flow(account, token)[1]


def resend_set_default_phone_code(request, account: Account, *, token: str) -> None:
    flow, phone = _default_phone_flow(account, token)
    otp.send_code(request, flow, phone.number, text="change_phone", owner_key=str(account.pk))


def set_default_phone(request, account: Account, *, token: str, code: str) -> Phone:
    """Accept the code sent to the chosen phone and make it the OTP phone (the old one stays as an extra
    phone; it and the e-mail are told)."""
    flow, phone = _default_phone_flow(account, token)
    otp.verify_code(flow, code)
    with transaction.atomic():
        _lock(account)
        finish_flow(flow)
        make_otp_phone(request, account, phone, via="account_page")
    return Phone.objects.get(pk=phone.pk)


def make_otp_phone(request, account: Account, phone: Phone, *, via: str, drop_old: bool = False) -> None:
    """Inside a transaction: `phone` becomes the OTP phone; the old OTP phone (SMS) and the e-mail are
    told. With `drop_old` (a lost phone) the old number leaves the account: a carrier may give it to
    someone else."""
    old = account.phones.filter(is_default=True).exclude(pk=phone.pk).first()
    old_number, old_masked = (old.number, old.masked) if old else ("", "")
    if old is not None:
        # One default phone per account (a database constraint): clear the old one first.
        if drop_old:
            old.delete()
        else:
            Phone.objects.filter(pk=old.pk).update(is_default=False)
    Phone.objects.filter(pk=phone.pk).update(is_default=True)
    now = timezone.now()
    audit.record(
        "account.otp_phone_changed",
        actor=account,
        target=account,
        request=request,
        old_phone=old_masked,
        new_phone=phone.masked,
        via=via,
    )
    notice = _(
        "Cổng DVCQG: số điện thoại nhận OTP của tài khoản đã được đổi sang %(phone)s lúc %(time)s. Nếu không "
        "phải bạn thực hiện, hãy gọi tổng đài hỗ trợ ngay."
    ) % {"phone": phone.masked, "time": _when(now)}
    if old_number:
        send_sms(old_number, notice, purpose="otp_phone_changed")
    if account.email:
        subject = _("Số điện thoại nhận OTP đã thay đổi")
        send_email(account.email, subject, notice, purpose="otp_phone_changed")


# --- Removing methods -----------------------------------------------------------------------------------


def _lock(account: Account) -> None:
    """Serialise changes of one account's methods, so that two removals at once cannot both pass the
    last-method check (PostgreSQL row lock; SQLite's write transactions are serial already)."""
    Account.objects.select_for_update().filter(pk=account.pk).first()


def last_method_message() -> str:
    return _(
        "Không thể xóa vì đây là phương thức đăng nhập duy nhất còn lại của tài khoản. Hãy thêm một phương "
        "thức khác (số điện thoại, chứng thư số hoặc ứng dụng xác thực) trước, rồi mới xóa phương thức này."
    )


def _counts(account: Account, method) -> bool:
    """Whether `method` is one of those sign_in_method_count counts."""
    if isinstance(method, Certificate):
        return method.not_after > timezone.now()
    if account.kind == AccountKind.BUSINESS:
        return False
    if isinstance(method, TotpDevice):
        return method.confirmed_at is not None
    return True


def removal_refusal(account: Account, method: Phone | Certificate | TotpDevice) -> MethodRefused | None:
    """Why `method` cannot be removed now, or None when it can."""
    if (
        isinstance(method, TotpDevice)
        and method.confirmed_at
        and account.kind
        in (
            AccountKind.OFFICIAL,
            AccountKind.ADMIN,
        )
    ):
        return MethodRefused(
            _(
                "Cán bộ, công chức luôn phải đăng nhập bằng ứng dụng xác thực, nên không thể xóa ứng dụng "
                "này."
            ),
            code="totp_required",
        )
    if isinstance(method, Phone) and method.is_default and account.phones.exclude(pk=method.pk).exists():
        return MethodRefused(
            _(
                "Đây là số điện thoại nhận OTP. Hãy chọn một số khác của tài khoản làm số nhận OTP trước, "
                "rồi mới xóa số này."
            ),
            code="choose_new_default_first",
        )
    if _counts(account, method) and sign_in_method_count(account) <= 1:
        return MethodRefused(last_method_message(), code="last_method")
    return None


def can_remove_method(account: Account, method: Phone | Certificate | TotpDevice) -> bool:
    return removal_refusal(account, method) is None


def _remove(request, account: Account, method, *, action: str, subject: str, text: str, **details) -> None:
    with transaction.atomic():
        _lock(account)
        try:
            method.refresh_from_db()  # as it is now that the account is locked
        except type(method).DoesNotExist as exc:
            raise NotFound(_("Phương thức này đã được xóa.")) from exc
        refusal = removal_refusal(account, method)
        if refusal is not None:
            raise refusal
        method.delete()
        audit.record(action, actor=account, target=account, request=request, **details)
        email_notice(account, subject, text, purpose=action.replace("account.", ""))


def remove_phone(request, account: Account, *, phone_id) -> None:
    require_reauthentication(request)
    phone = _own_phone(account, phone_id)
    _remove(
        request,
        account,
        phone,
        action="account.phone_removed",
        subject=_("Đã xóa số điện thoại khỏi tài khoản"),
        text=_("Cổng Dịch vụ công: số điện thoại %(phone)s đã được xóa khỏi tài khoản của bạn lúc %(time)s.")
        % {"phone": phone.masked, "time": _when(timezone.now())},
        phone=phone.masked,
    )


def _own_certificate(account: Account, certificate_id) -> Certificate:
    row = selectors.account_certificate(account, certificate_id)
    if row is None:
        raise NotFound(_("Không tìm thấy chứng thư số này trong tài khoản."))
    return row.certificate


def remove_certificate(request, account: Account, *, certificate_id) -> None:
    require_reauthentication(request)
    certificate = _own_certificate(account, certificate_id)
    _remove(
        request,
        account,
        certificate,
        action="account.certificate_removed",
        subject=_("Đã xóa chứng thư số khỏi tài khoản"),
        text=_(
            "Cổng Dịch vụ công: chứng thư số %(kind)s số hiệu %(serial)s đã được xóa khỏi tài khoản của bạn "
            "lúc %(time)s."
        )
        % {
            "kind": certificate.get_kind_display(),
            "serial": certificate.serial_number,
            "time": _when(timezone.now()),
        },
        kind=certificate.kind,
        serial_number=certificate.serial_number,
    )


# --- Authenticator app (TOTP) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str  # shown as text for apps that cannot scan
    uri: str  # otpauth:// URI, shown as a QR code


def _enrolment(account: Account, secret: str) -> TotpEnrolment:
    return TotpEnrolment(secret=secret, uri=totp.provisioning_uri(secret, account))


def pending_totp_enrolment(account: Account) -> TotpEnrolment | None:
    device = TotpDevice.objects.filter(account=account, confirmed_at__isnull=True).first()
    return _enrolment(account, device.secret) if device is not None else None


def start_totp_enrolment(request, account: Account) -> TotpEnrolment:
    """A new secret for an authenticator app, pending until a code from the app confirms it."""
    require_reauthentication(request)
    if TotpDevice.objects.filter(account=account, confirmed_at__isnull=False).exists():
        raise MethodRefused(
            _("Tài khoản đã có ứng dụng xác thực. Hãy xóa ứng dụng cũ trước khi thêm ứng dụng mới."),
            code="totp_exists",
        )
    secret = totp.new_secret()
    TotpDevice.objects.update_or_create(
        account=account, defaults={"secret": secret, "confirmed_at": None, "last_used_step": 0}
    )
    audit.record("account.totp_enrolment_started", actor=account, target=account, request=request)
    return _enrolment(account, secret)


def confirm_totp(request, account: Account, *, code: str) -> TotpDevice:
    """A code from the app proves it holds the secret: the authenticator app becomes a sign-in method."""
    require_reauthentication(request)
    device = TotpDevice.objects.filter(account=account, confirmed_at__isnull=True).first()
    if device is None:
        raise MethodRefused(
            _("Chưa có yêu cầu thêm ứng dụng xác thực. Vui lòng bắt đầu lại."), code="totp_not_started"
        )
    enforce(request, [Limit("totp-confirm", str(account.pk), rate) for rate in TOTP_CONFIRM_LIMITS])
    step = totp.matching_step(device.secret, code, after=device.last_used_step)
    if step is None:
        message = _("Mã không đúng. Hãy nhập mã 6 chữ số đang hiển thị trong ứng dụng xác thực.")
        raise OtpError(message, code="totp_invalid", fields={"code": [message]})
    now = timezone.now()
    with transaction.atomic():
        device.confirmed_at, device.last_used_step = now, step
        device.save(update_fields=["confirmed_at", "last_used_step"])
        audit.record("account.totp_added", actor=account, target=account, request=request)
        email_notice(
            account,
            _("Đã thêm ứng dụng xác thực"),
            _("Cổng Dịch vụ công: một ứng dụng xác thực đã được thêm vào tài khoản của bạn lúc %(time)s.")
            % {"time": _when(now)},
            purpose="totp_added",
        )
    return device


def remove_totp(request, account: Account) -> None:
    """Remove the authenticator app, or cancel an enrolment that was not confirmed."""
    require_reauthentication(request)
    device = TotpDevice.objects.filter(account=account).first()
    if device is None:
        raise NotFound(_("Tài khoản chưa có ứng dụng xác thực."))
    if device.confirmed_at is None:
        device.delete()
        audit.record("account.totp_enrolment_cancelled", actor=account, target=account, request=request)
        return
    _remove(
        request,
        account,
        device,
        action="account.totp_removed",
        subject=_("Đã xóa ứng dụng xác thực"),
        text=_("Cổng Dịch vụ công: ứng dụng xác thực đã được xóa khỏi tài khoản của bạn lúc %(time)s.")
        % {"time": _when(timezone.now())},
    )
