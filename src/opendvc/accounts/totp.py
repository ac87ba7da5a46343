"""Authenticator apps (RFC 6238 TOTP, pyotp): one set of rules for officials and citizens.

Codes of the current 30-second step and one step either side are accepted (clock drift), each step at
most once per device (TotpDevice.last_used_step, moved by a conditional UPDATE so two requests with the
same code cannot both pass).
"""

import hmac

import pyotp
import segno
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from opendvc.accounts.models import Account, AccountKind, TotpDevice
from opendvc.core.personal_data import mask

ISSUER = "Cổng Dịch vụ công"
VALID_WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def account_label(account: Account) -> str:
    """The name the app shows. It is stored on the person's phone: a masked ID, never the number."""
    if account.kind in (AccountKind.OFFICIAL, AccountKind.ADMIN):
        return account.username
    return mask(account.id_number or account.tax_code or account.username)


def provisioning_uri(secret: str, account: Account) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_label(account), issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, *, after: int = -1) -> int | None:
    """The time step whose code `code` is (within the window), newer than `after`; None otherwise."""
    code = "".join((code or "").split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(timezone.now())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def use_code(device: TotpDevice, code: str) -> tuple[str, str]:
    """Accept a code of a confirmed device once: ("", "") when accepted, else (reason, message)."""
    step = matching_step(device.secret, code)
    if step is None:
        return "wrong_totp", _("Mã xác thực không đúng.")
    moved = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(last_used_step=step)
    if not moved:
        return "replayed_totp", _("Mã xác thực này đã được dùng. Vui lòng chờ mã mới trên ứng dụng.")
    return "", ""


def has_authenticator(account: Account) -> bool:
    return TotpDevice.objects.filter(account=account, confirmed_at__isnull=False).exists()


def qr_svg(uri: str) -> str:
    """The provisioning URI as an inline SVG QR code made here (no external service, no script, no style:
    the CSP allows it), named for screen readers; pages show the secret as text beside it."""
    title = _("Mã QR để thêm tài khoản vào ứng dụng xác thực")
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, title=escape(title), svgclass="totp-qr")
    svg = svg.replace("<svg ", '<svg role="img" aria-labelledby="totp-qr-title" ', 1)
    # segno draws the code from the URI it encodes itself; the only text in it is the escaped title.
    return mark_safe(svg.replace("<title>", '<title id="totp-qr-title">', 1))  # noqa: S308
