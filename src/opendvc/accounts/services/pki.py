"""Sign-in and registration with a certificate: USB token (browser plug-in) or SIM PKI (the carrier's
mobile-signature service).

The server issues a single-use random challenge; the token or SIM signs it (detached CMS); the
server checks that the challenge is fresh and unused, then the signature and certificate
(identity.pki.verify_signature: validity, key usage, chain to a trusted root, revocation). The signed
bytes name the purpose, so a signature made to sign in cannot register, nor the other way round.
"""

import base64
import binascii
import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.accounts.errors import AccountExists, ChallengeInvalid, FlowExpired, MethodRefused, RegistryDown
from opendvc.accounts.flows import finish_flow, flow_data, get_flow, start_flow, update_flow
from opendvc.accounts.models import (
    AccessMethod,
    Account,
    AccountKind,
    AssuranceLevel,
    Certificate,
    CertificateKind,
    FlowPurpose,
    PkiChallenge,
    RegistrationMethod,
    new_public_username,
)
from opendvc.accounts.services import identity_checks
from opendvc.accounts.services.access import record_access
from opendvc.accounts.services.common import (
    Checker,
    create_citizen,
    person_from_data,
    refuse_existing_citizen,
)
from opendvc.core import audit
from opendvc.core.errors import DomainError
from opendvc.core.limits import Limit, duration, enforce
from opendvc.core.personal_data import lookup_digest, mask, mask_phone
from opendvc.core.request_info import client_ip
from opendvc.identity.pki import PkiError, VerifiedSigner, verify_signature
from opendvc.identity.registries import (
    MobileSignatureNotSubscribed,
    RegistryUnavailable,
    mobile_signature_service,
)

LOGIN = "login"
REGISTER = "register"
ADD_CERTIFICATE = "add_certificate"
AUDIENCES = ("citizen", "business")
# What `issue_challenge` makes (secrets.token_urlsafe), within the column's 64 characters.
NONCE_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


# --- Challenges ---------------------------------------------------------------------------------------


def issue_challenge(purpose: str, request=None) -> PkiChallenge:
    """A new challenge; with `request`, counted against the client's allowance of challenges."""
    if request is not None:
        ip = client_ip(request) or "none"
        enforce(request, [Limit("challenge-ip", ip, rate) for rate in settings.CHALLENGE_LIMITS_PER_IP])
    now = timezone.now()
    return PkiChallenge.objects.create(
        nonce=secrets.token_urlsafe(32),
        purpose=purpose,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.PKI_CHALLENGE_LIFETIME),
    )


def challenge_bytes(nonce: str, purpose: str) -> bytes:
    """What the token signs: the portal, the purpose and the nonce."""
    return f"dichvucong|{purpose}|{nonce}".encode()


def challenge_base64(challenge: PkiChallenge) -> str:
    return base64.b64encode(challenge_bytes(challenge.nonce, challenge.purpose)).decode()


def _well_formed(nonce: str) -> bool:
    """Whether the nonce the client sent back could be one `issue_challenge` made. Anything else is
    unknown without asking the database, which refuses some strings outright (PostgreSQL and NUL)."""
    return bool(NONCE_SHAPE.fullmatch(nonce or ""))


def _challenge_problem(nonce: str, purpose: str) -> ChallengeInvalid | None:
    """Why this challenge cannot be answered now (used, expired, unknown), or None."""
    challenge = (
        PkiChallenge.objects.filter(nonce=nonce, purpose=purpose).first() if _well_formed(nonce) else None
    )
    if challenge is None:
        return ChallengeInvalid(
            _("Yêu cầu ký không hợp lệ. Vui lòng thực hiện lại."), code="challenge_unknown"
        )
    if challenge.used_at is not None:
        return ChallengeInvalid(
            _("Yêu cầu ký này đã được dùng. Vui lòng thực hiện lại để nhận yêu cầu ký mới."),
            code="challenge_used",
        )
    if challenge.expires_at <= timezone.now():
        return ChallengeInvalid(
            _("Yêu cầu ký đã hết hạn (sau %(wait)s). Vui lòng thực hiện lại.")
            % {"wait": duration(settings.PKI_CHALLENGE_LIFETIME)},
            code="challenge_expired",
        )
    return None


def consume_challenge(nonce: str, purpose: str) -> None:
    """Use the challenge up: once, even under concurrent posts (a conditional UPDATE)."""
    now = timezone.now()
    used = _well_formed(nonce) and PkiChallenge.objects.filter(
        nonce=nonce, purpose=purpose, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not used:
        raise _challenge_problem(nonce, purpose) or ChallengeInvalid(
            _("Yêu cầu ký này đã được dùng. Vui lòng thực hiện lại để nhận yêu cầu ký mới."),
            code="challenge_used",
        )


def decode_base64(value: str, field: str) -> bytes:
    try:
        return base64.b64decode((value or "").strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        message = _("Dữ liệu chữ ký số không hợp lệ.")
        raise PkiError(message, code="malformed", fields={field: [message]}) from exc


def _verified(nonce: str, purpose: str, signature: bytes, certificate: bytes | None) -> VerifiedSigner:
    """Verify the signature over a live challenge, then use the challenge up. A signature that fails
    for a reason the person can fix ("revocation could not be checked, try again") leaves the
    challenge usable; a replay fails at the consumption, which is atomic."""
    problem = _challenge_problem(nonce, purpose)
    if problem is not None:
        raise problem
    signer = verify_signature(challenge_bytes(nonce, purpose), signature, certificate or None)
    consume_challenge(nonce, purpose)
    return signer


# --- Sign-in ------------------------------------------------------------------------------------------


def _certificate_account(request, signer: VerifiedSigner) -> Account:
    """The account this certificate was registered or added to. A certificate the account does not
    hold (a renewed token, or one its owner removed) does not sign in: it is added under
    "Phương thức xác thực" after signing in another way, with re-authentication."""
    certificate = Certificate.objects.select_related("account").filter(fingerprint=signer.fingerprint).first()
    if certificate is None:
        raise MethodRefused(
            _(
                "Chứng thư số này chưa gắn với tài khoản nào trên Cổng. Nếu bạn chưa có tài khoản, hãy "
                "đăng ký bằng USB ký số hoặc SIM ký số. Nếu đã có, hãy đăng nhập bằng cách khác rồi thêm "
                "chứng thư số này trong mục “Phương thức xác thực”."
            ),
            code="certificate_not_registered",
        )
    account = certificate.account
    if not account.is_active:
        raise MethodRefused(
            _("Tài khoản đang bị khóa. Vui lòng liên hệ tổng đài hỗ trợ."), code="account_inactive"
        )
    certificate.last_used_at = timezone.now()
    certificate.save(update_fields=["last_used_at"])
    return account


def masked_subject(signer: VerifiedSigner) -> str:
    """The certificate subject as stored and shown: the ID number in it masked (UID=CCCD:0010******45)."""
    subject = signer.subject
    if signer.id_number:
        subject = subject.replace(signer.id_number, mask(signer.id_number))
    return subject[:500]


def _save_certificate(account: Account, signer: VerifiedSigner, kind: str, phone: str = "") -> Certificate:
    return Certificate.objects.create(
        account=account,
        kind=kind,
        fingerprint=signer.fingerprint,
        serial_number=signer.serial_number,
        subject=masked_subject(signer),
        issuer=signer.issuer[:500],
        not_after=signer.not_after,
        phone=phone or None,
    )


def login_with_token(request, *, nonce: str, signature: bytes, certificate: bytes | None = None) -> Account:
    """USB token sign-in: the plug-in signed the challenge. The caller starts the session."""
    try:
        signer = _verified(nonce, LOGIN, signature, certificate)
    except PkiError as exc:
        _record_certificate_failure(request, certificate, exc.code)
        raise
    return _certificate_account(request, signer)


def _record_certificate_failure(request, certificate: bytes | None, reason: str) -> None:
    """A refused token that belongs to an account (revoked, expired…) shows in that account's history."""
    if not certificate:
        return
    fingerprint = hashlib.sha256(certificate).hexdigest()
    known = Certificate.objects.select_related("account").filter(fingerprint=fingerprint).first()
    if known is not None:
        record_access(request, known.account, AccessMethod.USB_TOKEN, success=False, reason=reason)


def add_certificate(
    request, account: Account, *, nonce: str, signature: bytes, certificate: bytes | None = None
):
    """Account management: add a USB token whose certificate carries this account's identity (a renewed
    token, say). Needs a recent re-authentication; the account's e-mail is told; the account becomes
    level 3."""
    from opendvc.accounts.services.account import email_notice, require_reauthentication

    require_reauthentication(request)
    signer = _verified(nonce, ADD_CERTIFICATE, signature, certificate)
    own = (account.kind == AccountKind.BUSINESS and signer.tax_code == account.tax_code) or (
        account.kind == AccountKind.CITIZEN and signer.id_number in {account.id_number, account.old_id_number}
    )
    if not own:
        raise MethodRefused(
            _("Chứng thư số không mang số định danh (hoặc mã số thuế) của tài khoản này."),
            code="certificate_not_yours",
        )
    try:
        with transaction.atomic():
            cert = _save_certificate(account, signer, CertificateKind.USB_TOKEN)
            if account.assurance_level < AssuranceLevel.LEVEL_3:
                account.assurance_level = AssuranceLevel.LEVEL_3
                account.save(update_fields=["assurance_level"])
            audit.record(
                "account.certificate_added",
                actor=account,
                target=account,
                request=request,
                serial=signer.serial_number,
            )
    except IntegrityError as exc:  # on this or another account already (fingerprints are unique)
        raise MethodRefused(
            _("Chứng thư số này đã được gắn với một tài khoản."), code="certificate_in_use"
        ) from exc
    email_notice(
        account,
        _("Đã thêm chứng thư số vào tài khoản"),
        _("Chứng thư số số hiệu %(serial)s do %(issuer)s cấp vừa được thêm vào tài khoản của bạn.")
        % {"serial": signer.serial_number, "issuer": signer.issuer},
        purpose="certificate_added",
    )
    return cert


# --- SIM PKI ------------------------------------------------------------------------------------------


def start_sim_signature(request, *, phone: str, purpose: str, audience: str = "citizen"):
    """Ask the carrier to have the SIM of `phone` sign a challenge. Returns (flow, token); the page then
    polls `poll_sim_signature` while the person confirms on the phone."""
    check = Checker()
    phone = check.phone(phone)
    check.done()
    # Each request makes the phone ask its owner: a number cannot be flooded with prompts.
    digest = lookup_digest(phone, kind="phone")
    enforce(request, [Limit("sim-phone", digest, rate) for rate in settings.OTP_LIMITS["phone"]])
    challenge = issue_challenge(purpose, request)
    code = challenge.nonce[:4].upper()
    message = (
        _("Cổng DVCQG: xác nhận đăng nhập, mã %(code)s")
        if purpose == LOGIN
        else _("Cổng DVCQG: xác nhận đăng ký tài khoản, mã %(code)s")
    ) % {"code": code}
    try:
        request_id = mobile_signature_service().request_signature(
            phone, challenge_bytes(challenge.nonce, purpose), message
        )
    except MobileSignatureNotSubscribed as exc:
        message = _("Số điện thoại này chưa đăng ký dịch vụ SIM ký số. Vui lòng liên hệ nhà mạng để đăng ký.")
        raise MethodRefused(message, code="sim_not_subscribed", fields={"phone": [message]}) from exc
    except RegistryUnavailable as exc:
        raise RegistryDown(
            _("Dịch vụ ký số trên SIM của nhà mạng tạm thời không phản hồi. Vui lòng thử lại sau.")
        ) from exc
    flow_purpose = FlowPurpose.LOGIN if purpose == LOGIN else FlowPurpose.REGISTER_CERTIFICATE
    return start_flow(
        flow_purpose,
        step="sim_wait",
        phone=phone,
        request_id=request_id,
        nonce=challenge.nonce,
        code=code,
        audience=audience,
        kind=CertificateKind.SIM_PKI,
    )


def sim_wait_info(token: str) -> dict:
    flow = get_flow(token, (FlowPurpose.LOGIN, FlowPurpose.REGISTER_CERTIFICATE), step="sim_wait")
    data = flow_data(flow)
    return {"code": data["code"], "phone": mask_phone(data["phone"])}


def poll_sim_signature(request, token: str):
    """None while the person has not answered; for a sign-in the Account, for a registration the flow
    (now at step "details"). Refusal and expiry raise with a message."""
    flow = get_flow(token, (FlowPurpose.LOGIN, FlowPurpose.REGISTER_CERTIFICATE), step="sim_wait")
    data = flow_data(flow)
    try:
        status = mobile_signature_service().status(data["request_id"])
    except RegistryUnavailable as exc:
        raise RegistryDown(
            _("Dịch vụ ký số trên SIM của nhà mạng tạm thời không phản hồi. Vui lòng thử lại sau.")
        ) from exc
    if status.state == "pending":
        return None
    if status.state == "refused":
        finish_flow(flow)
        raise MethodRefused(_("Yêu cầu ký đã bị từ chối trên điện thoại."), code="sim_refused")
    if status.state != "approved":
        finish_flow(flow)
        raise FlowExpired(_("Yêu cầu ký đã hết hạn vì chưa được xác nhận trên điện thoại. Vui lòng thử lại."))
    purpose = LOGIN if flow.purpose == FlowPurpose.LOGIN else REGISTER
    try:
        signer = _verified(data["nonce"], purpose, status.signature, status.certificate)
    except DomainError:
        finish_flow(flow)  # this phone's answer cannot be used again: the person starts over
        raise
    if flow.purpose == FlowPurpose.LOGIN:
        finish_flow(flow)
        return _certificate_account(request, signer)
    details = _details_data(
        signer, kind=CertificateKind.SIM_PKI, audience=data["audience"], phone=data["phone"]
    )
    update_flow(flow, step="details", **details)
    return flow


# --- Registration -------------------------------------------------------------------------------------


def start_token_registration(
    request, *, nonce: str, signature: bytes, certificate: bytes | None, audience: str
):
    """USB token registration: verify the signed challenge; the certificate's identity prefills the
    details step. Returns (flow, token)."""
    signer = _verified(nonce, REGISTER, signature, certificate)
    details = _details_data(signer, kind=CertificateKind.USB_TOKEN, audience=audience)
    return start_flow(FlowPurpose.REGISTER_CERTIFICATE, step="details", **details)


def _details_data(signer: VerifiedSigner, *, kind: str, audience: str, phone: str = "") -> dict:
    if audience not in AUDIENCES:
        audience = "citizen"
    if Certificate.objects.filter(fingerprint=signer.fingerprint).exists():
        raise AccountExists(_("Chứng thư số này đã được dùng cho một tài khoản. Vui lòng đăng nhập."))
    prefill = {"full_name": signer.common_name}
    if audience == "business":
        if not signer.tax_code:
            raise MethodRefused(
                _(
                    "Chứng thư số này không mang mã số thuế của doanh nghiệp. Với chứng thư số cá nhân, "
                    "hãy đăng ký tài khoản ở mục “Công dân” của trang Đăng ký."
                ),
                code="certificate_without_tax_code",
            )
        if Account.objects.filter(kind=AccountKind.BUSINESS, tax_code=signer.tax_code).exists():
            raise AccountExists(
                _("Mã số thuế này đã có tài khoản doanh nghiệp. Vui lòng đăng nhập bằng chứng thư số.")
            )
        prefill |= {"tax_code": signer.tax_code, "business_name": signer.common_name}
    else:
        if not signer.id_number:
            raise MethodRefused(
                _(
                    "Chứng thư số này không mang số định danh cá nhân. Với chứng thư số của doanh nghiệp, "
                    "hãy đăng ký ở mục “Doanh nghiệp, tổ chức” của trang Đăng ký."
                ),
                code="certificate_without_id_number",
            )
        person = identity_checks.find_person(signer.id_number)
        refuse_existing_citizen(person.id_number, person.old_id_number)
        prefill |= {
            "id_number": person.id_number,
            "old_id_number": person.old_id_number,
            "full_name": person.full_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "gender": person.gender,
            "address": person.address,
        }
    return {
        "audience": audience,
        "kind": kind,
        "phone": phone,
        "certificate": {
            "fingerprint": signer.fingerprint,
            "serial_number": signer.serial_number,
            "subject": masked_subject(signer),
            "issuer": signer.issuer,
            "not_after": signer.not_after.isoformat(),
            "revocation": signer.revocation,
        },
        "prefill": prefill,
    }


def registration_details(token: str) -> dict:
    """What the details step shows: the identity from the certificate (and the registry), masked."""
    flow = get_flow(token, FlowPurpose.REGISTER_CERTIFICATE, step="details")
    data = flow_data(flow)
    prefill = data["prefill"]
    return {
        "audience": data["audience"],
        "kind": data["kind"],
        "prefill": prefill,
        "masked_id_number": mask(prefill.get("id_number", "")),
        "certificate": data["certificate"],
    }


def complete_certificate_registration(request, token: str, **details) -> Account:
    """Create the level-3 account with its certificate. Citizens give an e-mail and may edit the
    address; businesses give their address, e-mail and legal representative (checked with the
    population registry)."""
    flow = get_flow(token, FlowPurpose.REGISTER_CERTIFICATE, step="details")
    data = flow_data(flow)
    prefill, cert = data["prefill"], data["certificate"]
    check = Checker()
    email = check.email(details.get("email", ""))
    address = check.address(details.get("address") or prefill.get("address", ""))
    business = data["audience"] == "business"
    representative = None
    if business:
        check.required("address", address, _("Vui lòng nhập địa chỉ trụ sở."))
        check.required("email", email, _("Vui lòng nhập thư điện tử của doanh nghiệp."))
        business_name = check.full_name(
            details.get("business_name") or prefill["business_name"], field="business_name"
        )
        rep_name = check.full_name(details.get("representative_name", ""), field="representative_name")
        rep_id = check.id_number(
            details.get("representative_id_number", ""), field="representative_id_number"
        )
        check.done()
        representative = identity_checks.find_person(rep_id)
        if not identity_checks.same_name(rep_name, representative.full_name):
            message = _("Họ tên người đại diện không khớp với Cơ sở dữ liệu quốc gia về dân cư.")
            raise identity_checks.RegistryMismatch(message, fields={"representative_name": [message]})
    check.done()
    kind = data["kind"]
    method = RegistrationMethod.USB_TOKEN if kind == CertificateKind.USB_TOKEN else RegistrationMethod.SIM_PKI
    try:
        with transaction.atomic():
            if business:
                account = _create_business(
                    request,
                    prefill,
                    name=business_name,
                    representative=representative,
                    method=method,
                    address=address,
                    email=email,
                )
            else:
                account = create_citizen(
                    request,
                    person_from_data(prefill),
                    method=method,
                    level=AssuranceLevel.LEVEL_3,
                    address=address,
                    email=email,
                )
            Certificate.objects.create(
                account=account,
                kind=kind,
                fingerprint=cert["fingerprint"],
                serial_number=cert["serial_number"],
                subject=cert["subject"][:500],
                issuer=cert["issuer"][:500],
                not_after=cert["not_after"],
                phone=data.get("phone") or None,
                last_used_at=timezone.now(),
            )
            finish_flow(flow)
    except IntegrityError as exc:  # the certificate registered by a parallel request a moment ago
        raise AccountExists(
            _("Chứng thư số này vừa được dùng để tạo tài khoản. Vui lòng đăng nhập.")
        ) from exc
    return account


def _create_business(request, prefill, *, name, representative, method, address, email) -> Account:
    try:
        with transaction.atomic():
            account = Account(
                username=new_public_username("dn"),
                kind=AccountKind.BUSINESS,
                full_name=name,
                tax_code=prefill["tax_code"],
                representative_name=representative.full_name,
                representative_id_number=representative.id_number,
                address=address,
                email=email,
                assurance_level=AssuranceLevel.LEVEL_3,
                registration_method=method,
                verified_at=timezone.now(),
            )
            account.set_unusable_password()
            account.save()
            audit.record("account.registered", target=account, request=request, method=method, level=3)
    except IntegrityError as exc:
        raise AccountExists(
            _("Mã số thuế này đã có tài khoản doanh nghiệp. Vui lòng đăng nhập bằng chứng thư số.")
        ) from exc
    return account
