"""Sign-in with an ID number (or an official's username) and a password, then a second factor.

Citizens: password → OTP by SMS to the account's OTP phone (or another phone of the account: "Chọn
phương thức xác thực khác"). Officials: password → TOTP (services.officials). The password step never
says whether an ID has an account: a wrong ID and a wrong password get the same answer, and both count
towards the same lockout.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from opendvc.accounts import lockout, otp, totp
from opendvc.accounts.errors import InvalidCredentials, LockedOut, MethodRefused, OtpError
from opendvc.accounts.flows import finish_flow, flow_data, get_flow, start_flow, update_flow
from opendvc.accounts.models import AccessMethod, Account, AccountKind, FlowPurpose, Phone
from opendvc.accounts.services.access import record_access
from opendvc.accounts.services.common import Checker, citizen_by_id
from opendvc.core.limits import Limit, enforce
from opendvc.core.request_info import client_ip


def lockout_error(until) -> LockedOut:
    local = timezone.localtime(until)
    return LockedOut(
        _(
            "Bạn đã nhập sai thông tin đăng nhập %(n)d lần. Để bảo vệ tài khoản, việc đăng nhập bằng số "
            "định danh này tạm khóa đến %(time)s ngày %(date)s. Bạn có thể đăng nhập lại ngay sau "
            "khi đặt lại "
            "mật khẩu bằng chức năng “Quên mật khẩu”."
        )
        % {
            "n": settings.AXES_FAILURE_LIMIT,
            "time": formats.time_format(local, "H:i"),
            "date": formats.date_format(local, "d/m/Y"),
        },
        fields={"locked_until": [local.isoformat()]},
    )


def _limit_attempts_per_ip(request) -> None:
    ip = client_ip(request) or "none"
    enforce(request, [Limit("login-ip", ip, rate) for rate in settings.LOGIN_LIMITS_PER_IP])


def _record_failure(request, identifier: str, *, by_username: bool, reason: str) -> None:
    """A failed password step goes into the history of the account it was for, if there is one."""
    if by_username:
        known = Account.objects.filter(
            kind__in=[AccountKind.OFFICIAL, AccountKind.ADMIN], username__iexact=identifier
        ).first()
        method = AccessMethod.PASSWORD_TOTP
    else:
        known, method = citizen_by_id(identifier), AccessMethod.PASSWORD_OTP
    if known is not None:
        record_access(request, known, method, success=False, reason=reason)


def start_password_login(request, *, id_number: str = "", username: str = "", password: str = ""):
    """Check the password; on success send the second factor. Returns (flow, token)."""
    check = Checker()
    identifier = username.strip() if username else check.id_number(id_number)
    check.required("password", password, _("Vui lòng nhập mật khẩu."))
    check.done()
    _limit_attempts_per_ip(request)

    until = lockout.locked_until(identifier)
    if until:
        _record_failure(request, identifier, by_username=bool(username), reason="locked_out")
        raise lockout_error(until)
    credentials = {"username": identifier} if username else {"id_number": identifier}
    account = authenticate(request, password=password, **credentials)
    if account is None:
        _record_failure(request, identifier, by_username=bool(username), reason="wrong_password")
        until = lockout.locked_until(identifier)
        if until:
            raise lockout_error(until)
        raise InvalidCredentials(
            _("Tên đăng nhập hoặc mật khẩu không đúng.")
            if username
            else _("Số định danh hoặc mật khẩu không đúng."),
        )
    if account.kind in (AccountKind.OFFICIAL, AccountKind.ADMIN):
        from opendvc.accounts.services.officials import start_second_factor

        return start_second_factor(request, account)
    if account.kind != AccountKind.CITIZEN:
        raise MethodRefused(_("Tài khoản doanh nghiệp đăng nhập bằng USB ký số hoặc SIM ký số."))
    phone = account.otp_phone
    if phone is None:
        if totp.has_authenticator(account):
            # No phone, but an authenticator app: its code is the second factor.
            return start_flow(FlowPurpose.LOGIN, step="totp", account=account, tries=0)
        raise MethodRefused(
            _("Tài khoản chưa có số điện thoại nhận OTP. Vui lòng đăng nhập bằng USB ký số hoặc SIM ký số.")
        )
    flow, token = start_flow(FlowPurpose.LOGIN, step="otp", account=account, phone_id=phone.pk)
    otp.send_code(request, flow, phone.number, text="login", owner_key=str(account.pk))
    return flow, token


def use_authenticator(token: str) -> None:
    """ "Dùng ứng dụng xác thực": a citizen with an authenticator app types its code instead of the OTP.
    The code is then checked by services.officials.verify_totp, with the same limits as officials'."""
    flow = _login_flow(token)
    if not totp.has_authenticator(flow.account):
        raise MethodRefused(_("Tài khoản chưa cài đặt ứng dụng xác thực."), code="no_authenticator")
    update_flow(flow, step="totp", tries=0)


def _login_flow(token: str):
    return get_flow(token, FlowPurpose.LOGIN, step="otp")


def login_phones(token: str) -> tuple[list[Phone], int]:
    """The phones of the account signing in, and the one the current code went to."""
    flow = _login_flow(token)
    return list(flow.account.phones.all()), flow_data(flow).get("phone_id")


def send_login_code(request, token: str, *, phone_id: int | None = None):
    """Resend the code, to the same phone or ("Chọn phương thức xác thực khác") to another of the account."""
    flow = _login_flow(token)
    phone_id = phone_id or flow_data(flow).get("phone_id")
    phone = flow.account.phones.filter(pk=phone_id).first()
    if phone is None:
        raise MethodRefused(
            _("Số điện thoại này không thuộc tài khoản."), fields={"phone_id": [_("Không hợp lệ.")]}
        )
    update_flow(flow, phone_id=phone.pk)
    otp.send_code(request, flow, phone.number, text="login", owner_key=str(flow.account_id))
    return phone


def finish_otp_login(request, token: str, code: str) -> Account:
    """Accept the OTP; the caller then starts the session (access.sign_in) or issues an API token."""
    flow = _login_flow(token)
    try:
        otp.verify_code(flow, code)
    except OtpError as exc:
        record_access(request, flow.account, AccessMethod.PASSWORD_OTP, success=False, reason=exc.code)
        raise
    finish_flow(flow)
    return Account.objects.get(pk=flow.account_id)
