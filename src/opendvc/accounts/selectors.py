"""Reads of the accounts app for the account pages and the API: access history, authentication methods,
the identity summary. Every function reads one account's own data only; nothing here writes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.models import (
    AccessEvent,
    Account,
    AccountKind,
    Certificate,
    OfficialRole,
    Phone,
    TotpDevice,
)
from opendvc.accounts.services.access import ACCESS_HISTORY_DAYS
from opendvc.core.personal_data import mask

ACCESS_HISTORY_PAGE_SIZE = 20
# A user agent is shown only when it could not be described as "Chrome 131 · Windows 10": cut it short.
USER_AGENT_SHOWN = 60

# Why a sign-in failed, as the access history says it. The codes are those the sign-in services record
# (accounts.services.login, officials, pki) and identity.pki.verify's error codes.
REASON_TEXTS = {
    "wrong_password": _("Sai mật khẩu"),
    "otp_invalid": _("Sai mã OTP"),
    "otp_expired": _("Mã OTP đã hết hạn"),
    "otp_attempts_exceeded": _("Nhập sai mã OTP quá số lần cho phép"),
    "otp_missing": _("Chưa có mã OTP hợp lệ"),
    "otp_used": _("Mã OTP đã được dùng"),
    "wrong_totp": _("Sai mã của ứng dụng xác thực"),
    "wrong_recovery_code": _("Sai mã khôi phục"),
    "locked_out": _("Tài khoản đang tạm khóa đăng nhập"),
    "reauth_wrong_password": _("Sai mật khẩu khi xác thực lại"),
    "reauth_wrong_otp": _("Sai mã OTP khi xác thực lại"),
    "malformed": _("Chữ ký số không đúng định dạng"),
    "invalid_signature": _("Chữ ký số không hợp lệ"),
    "certificate_expired": _("Chứng thư số đã hết hạn"),
    "certificate_not_yet_valid": _("Chứng thư số chưa có hiệu lực"),
    "certificate_untrusted": _("Chứng thư số không do tổ chức tin cậy cấp"),
    "certificate_revoked": _("Chứng thư số đã bị thu hồi"),
    "revocation_unknown": _("Không kiểm tra được tình trạng thu hồi của chứng thư số"),
    "key_usage_not_allowed": _("Chứng thư số không dùng để ký"),
    "sim_refused": _("Yêu cầu ký trên điện thoại bị từ chối"),
}
UNKNOWN_REASON = _("Xác thực không thành công")


# --- Access history -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessRow:
    at: datetime
    ip_address: str
    device: str
    method: str
    success: bool
    reason: str  # for a failure: why, in words
    method_code: str = ""  # AccessMethod value
    reason_code: str = ""  # the recorded reason code (the API gives both)


@dataclass(frozen=True)
class AccessHistoryPage:
    """One page of the access history; `page` and `pages` as templates/_pagination.html expects them."""

    items: list[AccessRow]
    page: int
    pages: int
    count: int
    days: int = ACCESS_HISTORY_DAYS


def reason_text(code: str) -> str:
    if not code:
        return ""
    if code in REASON_TEXTS:
        return str(REASON_TEXTS[code])
    # A reason recorded as words (not a code) is shown as it is; an unknown code is not shown raw.
    return code if not code.isascii() else str(UNKNOWN_REASON)


def _device(event: AccessEvent) -> str:
    if event.device:
        return event.device
    agent = event.user_agent.strip()
    return agent if len(agent) <= USER_AGENT_SHOWN else agent[: USER_AGENT_SHOWN - 1].rstrip() + "…"


def access_history(account: Account, page=1) -> AccessHistoryPage:
    """The account's sign-ins and sign-outs of the last 90 days, newest first, 20 a page. A page number
    that is not a number gives the first page, one past the end the last."""
    since = timezone.now() - timedelta(days=ACCESS_HISTORY_DAYS)
    events = AccessEvent.objects.filter(account=account, at__gte=since).order_by("-at", "-id")
    paginator = Paginator(events, ACCESS_HISTORY_PAGE_SIZE)
    current = paginator.get_page(page)
    items = [
        AccessRow(
            at=event.at,
            ip_address=event.ip_address or "",
            device=_device(event),
            method=event.get_method_display(),
            success=event.success,
            reason="" if event.success else reason_text(event.reason),
            method_code=event.method,
            reason_code=event.reason,
        )
        for event in current.object_list
    ]
    return AccessHistoryPage(
        items=items, page=current.number, pages=paginator.num_pages, count=paginator.count
    )


# --- Authentication methods ---------------------------------------------------------------------------


def _name_part(rfc4514: str, oid) -> str:
    try:
        attributes = x509.Name.from_rfc4514_string(rfc4514).get_attributes_for_oid(oid)
    except ValueError:
        return ""
    return str(attributes[0].value) if attributes else ""


def common_name(rfc4514: str) -> str:
    """'CN=Nguyễn Văn An,UID=CCCD:…,C=VN' -> 'Nguyễn Văn An' (the whole name when it has no CN)."""
    return _name_part(rfc4514, NameOID.COMMON_NAME) or rfc4514


@dataclass(frozen=True)
class CertificateRow:
    certificate: Certificate
    common_name: str
    issuer_name: str
    expired: bool


@dataclass(frozen=True)
class AuthenticationMethods:
    phones: list[Phone]
    certificates: list[CertificateRow]
    totp: TotpDevice | None  # a confirmed authenticator app
    totp_pending: bool  # enrolment started, not confirmed yet
    totp_required: bool  # officials and admins always sign in with it
    has_password: bool
    count: int  # methods that can sign this account in (sign_in_method_count)

    @property
    def otp_phone(self) -> Phone | None:
        return next((phone for phone in self.phones if phone.is_default), None)


def _certificate_row(certificate: Certificate, now) -> CertificateRow:
    return CertificateRow(
        certificate=certificate,
        common_name=common_name(certificate.subject),
        issuer_name=common_name(certificate.issuer),
        expired=certificate.not_after <= now,
    )


def sign_in_method_count(account: Account) -> int:
    """How many methods can sign the account in; it must never drop to zero.

    Citizens: each phone (password + OTP; the password alone never signs a citizen in), each certificate
    still valid, a confirmed authenticator app. Businesses sign in only with a certificate
    (services.login refuses their password). Officials and admins need password + authenticator app,
    which they cannot remove at all (services.account), so their phones and certificates are extras.
    """
    now = timezone.now()
    certificates = account.certificates.filter(not_after__gt=now).count()
    if account.kind == AccountKind.BUSINESS:
        return certificates
    if not account.has_usable_password():
        # Phones and the authenticator app are second factors after the password: without one they
        # sign nobody in (an account registered with a certificate), so only certificates count.
        return certificates
    totp = TotpDevice.objects.filter(account=account, confirmed_at__isnull=False).count()
    return account.phones.count() + certificates + totp


def account_phone(account: Account, phone_id) -> Phone | None:
    """One phone of the account (None for another account's phone or a malformed id)."""
    if not str(phone_id).isdigit():
        return None
    return Phone.objects.filter(account=account, pk=phone_id).first()


def account_certificate(account: Account, certificate_id) -> CertificateRow | None:
    if not str(certificate_id).isdigit():
        return None
    certificate = Certificate.objects.filter(account=account, pk=certificate_id).first()
    return _certificate_row(certificate, timezone.now()) if certificate is not None else None


def totp_device(account: Account) -> TotpDevice | None:
    """The account's authenticator app, confirmed or still being enrolled."""
    return TotpDevice.objects.filter(account=account).first()


def authentication_methods(account: Account) -> AuthenticationMethods:
    now = timezone.now()
    device = totp_device(account)
    return AuthenticationMethods(
        phones=list(account.phones.all()),
        certificates=[_certificate_row(c, now) for c in account.certificates.all()],
        totp=device if device is not None and device.confirmed_at else None,
        totp_pending=device is not None and device.confirmed_at is None,
        totp_required=account.kind in (AccountKind.OFFICIAL, AccountKind.ADMIN),
        has_password=account.has_usable_password(),
        count=sign_in_method_count(account),
    )


# --- Identity information -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityInformation:
    account: Account
    masked_id_number: str
    masked_old_id_number: str
    masked_representative_id_number: str
    otp_phone: Phone | None
    certificate_issuer: str  # level 3: who issued the certificate the identity was verified with
    agency_name: str
    roles: list[str]
    registered_at_agency: str  # Vietnam Post: where the counter registration took place


def identity_information(account: Account) -> IdentityInformation:
    """What the account page shows about who the account is and how that was verified (masked numbers
    come from the model: Account.masked_id_number, core.personal_data.mask)."""
    issuer = ""
    if account.assurance_level >= 3:
        first = account.certificates.order_by("added_at", "pk").first()
        issuer = common_name(first.issuer) if first is not None else ""
    labels = dict(OfficialRole.choices)
    clerk = account.registered_by
    return IdentityInformation(
        account=account,
        masked_id_number=account.masked_id_number,
        masked_old_id_number=mask(account.old_id_number or ""),
        masked_representative_id_number=mask(account.representative_id_number or ""),
        otp_phone=account.otp_phone,
        certificate_issuer=issuer,
        agency_name=str(account.agency) if account.agency_id else "",
        roles=[str(labels.get(role, role)) for role in (account.roles or [])] if account.is_official else [],
        registered_at_agency=str(clerk.agency) if clerk is not None and clerk.agency_id else "",
    )
