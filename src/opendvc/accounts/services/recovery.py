"""Getting back in: forgotten password (ID + phone → OTP → new password) and a lost OTP phone
(seed 000 §II.2.2: after the password step, a new number is verified by OTP and against the carrier)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.accounts import lockout, otp
from opendvc.accounts.errors import MethodRefused, RegistryMismatch
from opendvc.accounts.flows import finish_flow, flow_data, get_flow, start_flow, update_flow
from opendvc.accounts.models import Account, ApiToken, FlowPurpose, Phone
from opendvc.accounts.services.account import make_otp_phone
from opendvc.accounts.services.common import Checker, check_new_password, citizen_by_id
from opendvc.accounts.services.identity_checks import subscriber_matches
from opendvc.accounts.services.login import _limit_attempts_per_ip
from opendvc.core import audit
from opendvc.core.personal_data import lookup_digest, mask_phone
from opendvc.notifications.services import send_sms

# --- Forgotten password ---------------------------------------------------------------------------------


def start_password_reset(request, *, id_number: str, phone: str):
    """Always answers the same way: when the ID and phone belong together an OTP is sent; otherwise a
    decoy flow goes through the same steps and the OTP step fails. Returns (flow, token)."""
    check = Checker()
    id_number = check.id_number(id_number)
    phone = check.phone(phone)
    check.done()
    _limit_attempts_per_ip(request)
    account = citizen_by_id(id_number)
    digest = lookup_digest(phone, kind="phone")
    matches = account is not None and account.phones.filter(digest=digest).exists()
    # The allowance is the typed ID's, whether or not it has an account: both paths count alike.
    owner_key = lookup_digest(id_number, kind="id")
    flow, token = start_flow(
        FlowPurpose.RESET_PASSWORD,
        step="otp",
        account=account if matches else None,
        phone=phone,
        owner_key=owner_key,
    )
    otp.send_code(request, flow, phone, text="reset_password", owner_key=owner_key, deliver=matches)
    return flow, token


def resend_reset_code(request, token: str):
    flow = get_flow(token, FlowPurpose.RESET_PASSWORD, step="otp")
    data = flow_data(flow)
    otp.send_code(
        request,
        flow,
        data["phone"],
        text="reset_password",
        owner_key=data["owner_key"],
        deliver=flow.account_id is not None,
    )


def confirm_reset_code(token: str, code: str):
    flow = get_flow(token, FlowPurpose.RESET_PASSWORD, step="otp")
    if flow.account_id is None:
        # The decoy: no code was sent, so every code is wrong, counted like real ones.
        otp.verify_code(flow, "invalid")
    otp.verify_code(flow, code)
    update_flow(flow, step="password")
    return flow


def complete_password_reset(request, token: str, *, password: str, password_confirm: str) -> Account:
    """Set the new password, end every session and API token, lift a lockout, tell the person."""
    flow = get_flow(token, FlowPurpose.RESET_PASSWORD, step="password")
    account = flow.account
    check_new_password(password, password_confirm, account=account)
    with transaction.atomic():
        account.set_password(password)
        account.session_epoch = F("session_epoch") + 1
        account.save(update_fields=["password", "session_epoch"])
        account.refresh_from_db()
        ApiToken.objects.filter(account=account, revoked_at__isnull=True).update(revoked_at=timezone.now())
        finish_flow(flow)
        audit.record("account.password_reset", actor=account, target=account, request=request)
        phone = account.otp_phone
        if phone is not None:
            send_sms(
                phone.number,
                _(
                    "Cổng DVCQG: mật khẩu tài khoản của bạn vừa được đặt lại. Nếu không phải bạn, "
                    "hãy gọi tổng đài hỗ trợ."
                ),
                purpose="password_changed",
            )
    lockout.unlock_account(account)
    return account


# --- Lost OTP phone ---------------------------------------------------------------------------------------


def start_otp_phone_change(request, token: str, *, new_phone: str):
    """From the OTP step of a sign-in (the password is already checked): send a code to the new number."""
    flow = get_flow(token, FlowPurpose.LOGIN, step=("otp", "new_phone"))
    check = Checker()
    new_phone = check.phone(new_phone, field="new_phone")
    check.done()
    account = flow.account
    if account.phones.filter(digest=lookup_digest(new_phone, kind="phone"), is_default=True).exists():
        raise MethodRefused(
            _("Đây đã là số điện thoại nhận OTP của tài khoản."),
            fields={"new_phone": [_("Số này đang được dùng.")]},
        )
    update_flow(flow, step="new_phone", new_phone=new_phone)
    otp.send_code(request, flow, new_phone, text="change_phone", owner_key=str(account.pk))
    return flow


def resend_otp_phone_change_code(request, token: str):
    flow = get_flow(token, FlowPurpose.LOGIN, step="new_phone")
    otp.send_code(
        request, flow, flow_data(flow)["new_phone"], text="change_phone", owner_key=str(flow.account_id)
    )


def confirm_otp_phone_change(request, token: str, code: str) -> Account:
    """Accept the code, then compare the account's identity with the carrier's subscriber data of the
    new number: a match makes it the OTP phone (the old phone and e-mail are told); no match refuses."""
    flow = get_flow(token, FlowPurpose.LOGIN, step="new_phone")
    otp.verify_code(flow, code)
    account = flow.account
    new_phone = flow_data(flow)["new_phone"]
    ids = {account.id_number, account.old_id_number} - {None, ""}
    if not subscriber_matches(ids, account.full_name, account.date_of_birth, new_phone):
        audit.record(
            "account.otp_phone_change_refused",
            actor=account,
            target=account,
            request=request,
            new_phone=mask_phone(new_phone),
        )
        update_flow(flow, step="otp")
        raise RegistryMismatch(
            _(
                "Thông tin thuê bao của số điện thoại %(phone)s không khớp với thông tin định danh của tài "
                "khoản. Vui lòng kiểm tra lại thông tin cá nhân của thuê bao với nhà mạng, hoặc đến "
                "quầy giao "
                "dịch để được hỗ trợ đổi số điện thoại nhận OTP."
            )
            % {"phone": mask_phone(new_phone)},
            code="subscriber_mismatch",
        )
    with transaction.atomic():
        now = timezone.now()
        phone = account.phones.filter(digest=lookup_digest(new_phone, kind="phone")).first()
        if phone is None:
            phone = Phone.objects.create(account=account, number=new_phone, carrier_verified_at=now)
        else:
            Phone.objects.filter(pk=phone.pk).update(carrier_verified_at=now)
        make_otp_phone(request, account, phone, via="lost_phone", drop_old=True)
        finish_flow(flow)
    return Account.objects.get(pk=account.pk)
