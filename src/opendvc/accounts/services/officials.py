"""Officials' second factor (seed 000 / issue §3): an authenticator app (TOTP, RFC 6238) is mandatory,
with single-use recovery codes for when the phone is lost.

After the password (services.login.start_password_login), an official or admin gets a LOGIN flow at step
"totp" — or, at the first sign-in, "totp_enroll": enrolment comes before anything else. Enrolment shows a
new secret (QR code and text), is confirmed with a current code, then issues 10 recovery codes that are
shown once ("recovery_codes" step) and stored hashed.

A code is accepted for the current 30-second step and one on either side (clock drift), and never for a
step already used (replay). A flow allows 5 wrong codes, then it ends and the official starts over with
the password; attempts per account are also capped per hour and day. Only an agency admin (for their
own agency) or a system admin can reset an official's authenticator; the official enrols again.
"""

import secrets
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opendvc.accounts import totp
from opendvc.accounts.errors import FlowExpired, Forbidden, OtpError
from opendvc.accounts.flows import finish_flow, flow_data, get_flow, start_flow, update_flow
from opendvc.accounts.models import (
    AccessMethod,
    Account,
    AccountKind,
    ApiToken,
    AuthFlow,
    FlowPurpose,
    OfficialRole,
    RecoveryCode,
    TotpDevice,
    token_hash,
)
from opendvc.accounts.services.access import record_access
from opendvc.core import audit
from opendvc.core.limits import Limit, RateLimited, duration, enforce

# One step either side of the current one: an authenticator whose clock is up to 30 s off still works.
MAX_ATTEMPTS_PER_FLOW = 5
# Across flows: a stolen password does not buy unlimited guesses by starting over.
ATTEMPT_LIMITS_PER_ACCOUNT = ["20/h", "60/d"]
RECOVERY_CODE_COUNT = 10
RECOVERY_CODES_LOW = 3
# No 0/O, 1/I/L: codes are read from paper and typed by hand.
UNAMBIGUOUS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

STEP_TOTP = "totp"
STEP_ENROLL = "totp_enroll"
STEP_RECOVERY_CODES = "recovery_codes"


# --- Sign-in -----------------------------------------------------------------------------------------


def start_second_factor(request, account: Account) -> tuple[AuthFlow, str]:
    """After an official's or admin's password was accepted: the TOTP step, or enrolment if none yet."""
    enrolled = TotpDevice.objects.filter(account=account, confirmed_at__isnull=False).exists()
    return start_flow(
        FlowPurpose.LOGIN, step=STEP_TOTP if enrolled else STEP_ENROLL, account=account, tries=0
    )


def second_factor_step(token: str | None) -> str:
    """Which step an official's sign-in is at ("totp", "totp_enroll" or "recovery_codes")."""
    return get_flow(token, FlowPurpose.LOGIN, step=(STEP_TOTP, STEP_ENROLL, STEP_RECOVERY_CODES)).step


def verify_totp(request, token: str, code: str) -> Account:
    """Accept a current code of the official's authenticator; the caller then signs them in
    (access.sign_in with AccessMethod.PASSWORD_TOTP)."""
    flow = get_flow(token, FlowPurpose.LOGIN, step=STEP_TOTP)
    device = TotpDevice.objects.filter(account=flow.account, confirmed_at__isnull=False).first()
    if device is None:  # reset by an admin while this sign-in was under way
        finish_flow(flow)
        raise FlowExpired()

    _attempt(request, flow, AccessMethod.PASSWORD_TOTP, partial(totp.use_code, device, code))
    return Account.objects.get(pk=flow.account_id)


def verify_recovery_code(request, token: str, code: str) -> Account:
    """Accept one unused recovery code (it is used up); the caller signs the official in with
    AccessMethod.RECOVERY_CODE and tells them how many remain (`recovery_codes_left`)."""
    flow = get_flow(token, FlowPurpose.LOGIN, step=STEP_TOTP)
    account = flow.account

    def check():
        digest = _recovery_hash(account, code)
        used = RecoveryCode.objects.filter(account=account, code_hash=digest, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        return ("", "") if used else ("wrong_recovery_code", _("Mã khôi phục không đúng hoặc đã được dùng."))

    _attempt(request, flow, AccessMethod.RECOVERY_CODE, check)
    audit.record(
        "official.recovery_code_used",
        actor=account,
        target=account,
        request=request,
        left=recovery_codes_left(account),
    )
    return Account.objects.get(pk=account.pk)


def _attempt(
    request, flow: AuthFlow, method: str, check, *, on_success=finish_flow, reason_prefix=""
) -> None:
    """Run `check` (→ (reason, message), both empty when the code is accepted) counting wrong tries in
    the flow, under a row lock so that parallel guesses cannot exceed the limit. An accepted code calls
    `on_success(flow)` (by default the flow ends); the last allowed wrong try ends the flow."""
    _limit_attempts(request, flow.account)
    with transaction.atomic():
        locked = AuthFlow.objects.select_for_update().filter(pk=flow.pk, completed_at__isnull=True).first()
        if locked is None:
            raise FlowExpired()
        reason, message = check()
        if not reason:
            on_success(locked)
            return
        tries = flow_data(locked).get("tries", 0) + 1
        update_flow(locked, tries=tries)
        if tries >= MAX_ATTEMPTS_PER_FLOW:
            finish_flow(locked)
    record_access(request, flow.account, method, success=False, reason=reason_prefix + reason)
    left = MAX_ATTEMPTS_PER_FLOW - tries
    if left <= 0:
        raise OtpError(
            _("Bạn đã nhập sai mã %(n)d lần. Để bảo vệ tài khoản, vui lòng đăng nhập lại từ đầu.")
            % {"n": MAX_ATTEMPTS_PER_FLOW},
            code="totp_attempts_exceeded",
        )
    text = ngettext(
        "%(problem)s Bạn còn %(left)d lần thử.", "%(problem)s Bạn còn %(left)d lần thử.", left
    ) % {
        "problem": message,
        "left": left,
    }
    raise OtpError(text, code="totp_invalid", fields={"code": [text]})


def _limit_attempts(request, account: Account) -> None:
    try:
        enforce(
            request, [Limit("totp-account", str(account.pk), rate) for rate in ATTEMPT_LIMITS_PER_ACCOUNT]
        )
    except RateLimited as exc:
        raise RateLimited(
            _("Tài khoản đã nhập mã xác thực quá nhiều lần. Vui lòng thử lại sau %(wait)s.")
            % {"wait": duration(exc.retry_after)},
            retry_after=exc.retry_after,
        ) from None


# --- Enrolment -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrollment:
    secret: str
    provisioning_uri: str
    account_name: str

    @property
    def grouped_secret(self) -> str:
        return totp.grouped(self.secret)


def enrollment(token: str) -> Enrollment:
    """The secret the official is adding to their authenticator (made once per flow, kept encrypted in
    the flow until confirmed, so that reloading the page does not change it)."""
    flow = get_flow(token, FlowPurpose.LOGIN, step=STEP_ENROLL)
    secret = flow_data(flow).get("secret")
    if not secret:
        secret = totp.new_secret()
        update_flow(flow, secret=secret)
    return Enrollment(secret, totp.provisioning_uri(secret, flow.account), flow.account.username)


def confirm_enrollment(request, token: str, code: str) -> list[str]:
    """Check a current code of the new authenticator, save it as the account's, and issue recovery
    codes (returned, and kept in the flow until the official confirms they saved them)."""
    flow = get_flow(token, FlowPurpose.LOGIN, step=STEP_ENROLL)
    secret = flow_data(flow).get("secret")
    if not secret:
        raise FlowExpired()
    account = flow.account
    codes: list[str] = []

    def check():
        step = totp.matching_step(secret, code)
        if step is None:
            return "wrong_totp", _("Mã xác thực không đúng. Hãy nhập mã đang hiện trên ứng dụng.")
        now = timezone.now()
        TotpDevice.objects.update_or_create(
            account=account, defaults={"secret": secret, "confirmed_at": now, "last_used_step": step}
        )
        codes.extend(_replace_recovery_codes(account))
        return "", ""

    def to_recovery_codes(locked):
        update_flow(locked, step=STEP_RECOVERY_CODES, secret="", recovery_codes=codes)

    _attempt(
        request, flow, AccessMethod.PASSWORD_TOTP, check, on_success=to_recovery_codes, reason_prefix="enrol_"
    )
    audit.record("official.authenticator_enrolled", actor=account, target=account, request=request)
    return codes


def pending_recovery_codes(token: str) -> list[str]:
    """The recovery codes just issued, while the official has not yet confirmed they saved them."""
    flow = get_flow(token, FlowPurpose.LOGIN, step=STEP_RECOVERY_CODES)
    return list(flow_data(flow).get("recovery_codes") or [])


def finish_enrollment(request, token: str) -> Account:
    """ "Tôi đã lưu các mã khôi phục": the codes leave the flow for good; the caller signs the official in
    (AccessMethod.PASSWORD_TOTP — the code of the new authenticator was the second factor)."""
    flow = get_flow(token, FlowPurpose.LOGIN, step=STEP_RECOVERY_CODES)
    update_flow(flow, recovery_codes=[])
    finish_flow(flow)
    return Account.objects.get(pk=flow.account_id)


# --- Recovery codes --------------------------------------------------------------------------------------


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(UNAMBIGUOUS) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _recovery_hash(account: Account, code: str) -> str:
    # Bound to the account: a code only ever works for the account it was issued to.
    return token_hash(f"recovery:{account.pk}:{_normalize_recovery_code(code)}")


def _replace_recovery_codes(account: Account) -> list[str]:
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(account=account).delete()
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(account=account, code_hash=_recovery_hash(account, code)) for code in codes]
        )
    return codes


def recovery_codes_left(account: Account) -> int:
    return RecoveryCode.objects.filter(account=account, used_at__isnull=True).count()


def regenerate_recovery_codes(request, account: Account, *, code: str) -> list[str]:
    """A signed-in official makes a new set (the old ones stop working); a current authenticator code
    confirms it is them. Returns the new codes, to be shown once."""
    device = TotpDevice.objects.filter(account=account, confirmed_at__isnull=False).first()
    if device is None:
        raise Forbidden(_("Tài khoản chưa thiết lập ứng dụng xác thực."))
    _limit_attempts(request, account)
    reason, message = totp.use_code(device, code)
    if reason:
        record_access(
            request, account, AccessMethod.PASSWORD_TOTP, success=False, reason=f"regenerate_{reason}"
        )
        raise OtpError(message, code="totp_invalid", fields={"code": [message]})
    codes = _replace_recovery_codes(account)
    audit.record("official.recovery_codes_regenerated", actor=account, target=account, request=request)
    return codes


# --- Administration --------------------------------------------------------------------------------------


def is_system_admin(account: Account) -> bool:
    return account.is_active and (account.kind == AccountKind.ADMIN or account.is_superuser)


def can_manage_official(actor: Account, official: Account) -> bool:
    """A system admin manages any official or admin; an agency admin the officials of their own agency."""
    if official.kind not in (AccountKind.OFFICIAL, AccountKind.ADMIN) or actor.pk == official.pk:
        return False
    if is_system_admin(actor):
        return True
    return (
        actor.is_active
        and actor.has_role(OfficialRole.AGENCY_ADMIN)
        and actor.agency_id is not None
        and official.kind == AccountKind.OFFICIAL
        and official.agency_id == actor.agency_id
    )


def reset_authenticator(actor: Account, official: Account, *, request=None) -> None:
    """Remove the official's authenticator and recovery codes and end their sessions; at their next
    sign-in they enrol a new authenticator. Nobody resets their own (another admin must)."""
    if actor.pk == official.pk:
        raise Forbidden(
            _(
                "Bạn không thể tự đặt lại ứng dụng xác thực của mình. Vui lòng đề nghị một quản trị khác "
                "thực hiện."
            )
        )
    if not can_manage_official(actor, official):
        raise Forbidden(_("Bạn không có quyền đặt lại ứng dụng xác thực của tài khoản này."))
    with transaction.atomic():
        had_device = TotpDevice.objects.filter(account=official).delete()[0] > 0
        RecoveryCode.objects.filter(account=official).delete()
        # Whoever holds the old phone or a session must not stay in.
        Account.objects.filter(pk=official.pk).update(session_epoch=F("session_epoch") + 1)
        ApiToken.objects.filter(account=official, revoked_at__isnull=True).update(revoked_at=timezone.now())
        AuthFlow.objects.filter(
            account=official, purpose=FlowPurpose.LOGIN, completed_at__isnull=True
        ).update(completed_at=timezone.now())
        audit.record(
            "official.authenticator_reset",
            actor=actor,
            target=official,
            request=request,
            had_authenticator=had_device,
        )


has_authenticator = totp.has_authenticator


def agency_officials(actor: Account) -> list[Account]:
    """The officials of an agency admin's agency (themselves included), each with `has_totp` and
    `recovery_left` annotated."""
    if not actor.has_role(OfficialRole.AGENCY_ADMIN) or actor.agency_id is None:
        raise Forbidden(_("Chỉ quản trị cơ quan xem được danh sách cán bộ của cơ quan."))
    confirmed = TotpDevice.objects.filter(account=OuterRef("pk"), confirmed_at__isnull=False)
    return list(
        Account.objects.filter(kind=AccountKind.OFFICIAL, agency_id=actor.agency_id)
        .annotate(
            has_totp=Exists(confirmed),
            recovery_left=Count("recovery_codes", filter=Q(recovery_codes__used_at__isnull=True)),
        )
        .order_by("full_name", "username")
    )


__all__ = [
    "Enrollment",
    "Forbidden",
    "agency_officials",
    "can_manage_official",
    "confirm_enrollment",
    "enrollment",
    "finish_enrollment",
    "has_authenticator",
    "pending_recovery_codes",
    "recovery_codes_left",
    "regenerate_recovery_codes",
    "reset_authenticator",
    "second_factor_step",
    "start_second_factor",
    "verify_recovery_code",
    "verify_totp",
]
