"""One-time codes sent by SMS (seed 000 §II): 6 digits, hashed at rest, 5 minutes, single use, at most
5 wrong tries per code, 60 s between sends, caps per phone, per account and per IP per hour and day."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opendvc.accounts.errors import OtpError
from opendvc.accounts.models import AuthFlow, OneTimeCode
from opendvc.core.limits import Limit, RateLimited, duration, enforce
from opendvc.core.personal_data import lookup_digest
from opendvc.core.request_info import client_ip
from opendvc.notifications.services import send_sms


def _code_hash(flow: AuthFlow, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"otp:{flow.pk}:{code}".encode(), hashlib.sha256).hexdigest()


SMS_TEXTS = {
    "register": "Cổng DVCQG: mã OTP đăng ký tài khoản của bạn là {code}, hiệu lực 5 phút. Không "
    "cung cấp mã này cho bất kỳ ai.",
    "login": "Cổng DVCQG: mã OTP đăng nhập của bạn là {code}, hiệu lực 5 phút. Không cung cấp mã "
    "này cho bất kỳ ai.",
    "reset_password": "Cổng DVCQG: mã OTP đặt lại mật khẩu là {code}, hiệu lực 5 phút. Nếu bạn "
    "không yêu cầu, hãy bỏ qua tin này.",
    "change_phone": "Cổng DVCQG: mã OTP xác nhận số điện thoại nhận OTP mới là {code}, hiệu lực 5 phút.",
}


def send_code(request, flow: AuthFlow, phone: str, *, text: str, owner_key: str, deliver: bool = True):
    """Send a new code for `flow` to `phone`, superseding earlier ones.

    `owner_key` identifies whose allowance it uses: the account id, or the ID number's digest while an
    account is being registered. With `deliver=False` (a decoy for an unknown account, so that the
    response does not reveal it) the same checks run and a code is recorded, but nothing is sent.
    """
    now = timezone.now()
    phone_digest = lookup_digest(phone, kind="phone")
    last = flow.codes.filter(phone_digest=phone_digest).first()
    if last is not None:
        wait = settings.OTP_RESEND_COOLDOWN - int((now - last.sent_at).total_seconds())
        if wait > 0:
            raise RateLimited(
                _("Vui lòng chờ %(wait)s trước khi yêu cầu gửi lại mã OTP.") % {"wait": duration(wait)},
                retry_after=wait,
            )
    limits = []
    for rate in settings.OTP_LIMITS["phone"]:
        limits.append(Limit("otp-phone", phone_digest, rate))
    for rate in settings.OTP_LIMITS["account"]:
        limits.append(Limit("otp-account", owner_key, rate))
    for rate in settings.OTP_LIMITS["ip"]:
        limits.append(Limit("otp-ip", client_ip(request) or "none", rate))
    _enforce(request, limits)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        flow.codes.filter(used_at__isnull=True, superseded=False).update(superseded=True)
        otp = OneTimeCode.objects.create(
            flow=flow,
            phone_digest=phone_digest,
            code_hash=_code_hash(flow, code),
            sent_at=now,
            expires_at=now + timedelta(seconds=settings.OTP_LIFETIME),
        )
        if deliver:
            send_sms(phone, SMS_TEXTS[text].format(code=code), purpose=f"otp_{text}", secret=code)
    return otp


def _enforce(request, limits):
    try:
        enforce(request, limits)
    except RateLimited as exc:
        raise RateLimited(
            _("Đã gửi quá nhiều mã OTP. Để bảo vệ tài khoản, vui lòng thử lại sau %(wait)s.")
            % {"wait": duration(exc.retry_after)},
            retry_after=exc.retry_after,
        ) from None


def _refusal(otp: OneTimeCode | None) -> OtpError:
    """Why this code can no longer be tried: none sent, used, locked after 5 wrong tries, expired."""
    if otp is None or otp.used_at is not None:
        return OtpError(
            _("Chưa có mã OTP hợp lệ. Vui lòng bấm “Gửi lại OTP”."),
            code="otp_missing",
            fields={"code": [_("Chưa có mã OTP hợp lệ.")]},
        )
    if otp.failed_attempts >= settings.OTP_MAX_ATTEMPTS:
        return OtpError(
            _("Bạn đã nhập sai mã OTP %(n)d lần. Vui lòng bấm “Gửi lại OTP” để nhận mã mới.")
            % {"n": settings.OTP_MAX_ATTEMPTS},
            code="otp_attempts_exceeded",
            fields={"code": [_("Mã OTP này đã bị khóa.")]},
        )
    return OtpError(
        _("Mã OTP đã hết hạn. Vui lòng bấm “Gửi lại OTP” để nhận mã mới."),
        code="otp_expired",
        fields={"code": [_("Mã OTP đã hết hạn.")]},
    )


def verify_code(flow: AuthFlow, code: str) -> None:
    """Accept the flow's current code once; raise OtpError saying what is wrong otherwise.

    Each try is claimed in the database before the comparison (a conditional UPDATE of the try count),
    so parallel guesses cannot get more than OTP_MAX_ATTEMPTS comparisons, and only one of two
    parallel right answers uses the code."""
    code = (code or "").strip()
    otp = flow.codes.filter(superseded=False).first()
    now = timezone.now()
    live = OneTimeCode.objects.filter(
        pk=otp.pk if otp else None,
        used_at__isnull=True,
        failed_attempts__lt=settings.OTP_MAX_ATTEMPTS,
        expires_at__gt=now,
    )
    if otp is None or not live.update(failed_attempts=F("failed_attempts") + 1):
        raise _refusal(OneTimeCode.objects.filter(pk=otp.pk).first() if otp else None)
    otp.refresh_from_db(fields=["failed_attempts"])
    if len(code) == 6 and code.isdigit() and hmac.compare_digest(otp.code_hash, _code_hash(flow, code)):
        # A right answer gives its try back, and uses the code up (once).
        if OneTimeCode.objects.filter(pk=otp.pk, used_at__isnull=True).update(
            used_at=now, failed_attempts=F("failed_attempts") - 1
        ):
            return
        raise OtpError(
            _("Mã OTP đã được sử dụng."), code="otp_used", fields={"code": [_("Mã OTP đã được sử dụng.")]}
        )
    left = settings.OTP_MAX_ATTEMPTS - otp.failed_attempts
    if left <= 0:
        message = _("Mã OTP không đúng. Bạn đã nhập sai %(n)d lần; vui lòng bấm “Gửi lại OTP”.") % {
            "n": settings.OTP_MAX_ATTEMPTS
        }
    else:
        message = ngettext(
            "Mã OTP không đúng. Bạn còn %(left)d lần thử.",
            "Mã OTP không đúng. Bạn còn %(left)d lần thử.",
            left,
        ) % {"left": left}
    raise OtpError(message, code="otp_invalid", fields={"code": [message]})
