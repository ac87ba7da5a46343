"""Sign-in and registration with a certificate: USB token (browser plug-in) or SIM PKI (the carrier's
mobile-signature service).

The server issues a single-use random challenge; the token or SIM signs it (detached CMS); the
server checks that the challenge is fresh and unused, then the signature and certificate
(identity.pki.verify_signature: validity, key usage, chain to a trusted root, revocation). The signed
bytes name the purpose, so a signature made to sign in cannot register, nor the other way round.
"""

import base64
import binascii
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.accounts.errors import AccountExists, ChallengeInvalid, FlowExpired, MethodRefused, RegistryDown
from opendvc.accounts.flows import finish_flow, flow_data, get_flow, start_flow, update_flow
from opendvc.accounts.models import (
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
from opendvc.accounts.services.common import (
    Checker,
    create_citizen,
    person_from_data,
    refuse_existing_citizen,
)
from opendvc.core import audit
from opendvc.core.limits import Limit, duration, enforce
from opendvc.core.personal_data import mask
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


def consume_challenge(nonce: str, purpose: str) -> bytes:
    """Use the challenge up (once, even under concurrent posts) and return the bytes that were signed."""
    now = timezone.now()
    used = PkiChallenge.objects.filter(
        nonce=nonce or "", purpose=purpose, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if used:
        return challenge_bytes(nonce, purpose)
    challenge = PkiChallenge.objects.filter(nonce=nonce or "", purpose=purpose).first()
    if challenge is not None and challenge.used_at is not None:
        raise ChallengeInvalid(
            _("Yêu cầu ký này đã được dùng. Vui lòng thực hiện lại để nhận yêu cầu ký mới."),
            code="challenge_used",
        )
    if challenge is not None:
        raise ChallengeInvalid(
            _("Yêu cầu ký đã hết hạn (sau %(wait)s). Vui lòng thực hiện lại.")
            % {"wait": duration(settings.PKI_CHALLENGE_LIFETIME)},
            code="challenge_expired",
        )
    raise ChallengeInvalid(_("Yêu cầu ký không hợp lệ. Vui lòng thực hiện lại."), code="challenge_unknown")


def decode_base64(value: str, field: str) -> bytes:
    try:
        return base64.b64decode((value or "").strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        message = _("Dữ liệu chữ ký số không hợp lệ.")
        raise PkiError(message, code="malformed", fields={field: [message]}) from exc


def _verified(nonce: str, purpose: str, signature: bytes, certificate: bytes | None) -> VerifiedSigner:
    data = consume_challenge(nonce, purpose)
    return verify_signature(data, signature, certificate or None)


# --- Sign-in ------------------------------------------------------------------------------------------


def _certificate_account(request, signer: VerifiedSigner, kind: str, phone: str = "") -> Account:
    """The account this certificate signs in to. A renewed certificate of a known identity (same ID
    number or tax code, from a trusted CA) is added to that account."""
    certificate = Certificate.objects.select_related("account").filter(fingerprint=signer.fingerprint).first()
    if certificate is not None:
        account = certificate.account
    else:
        account = _account_of_identity(signer)
        if account is None:
            raise MethodRefused(
                _(
                    "Chứng thư số này chưa gắn với tài khoản nào trên Cổng. Hãy đăng ký tài khoản "
                    "bằng USB ký "
                    "số hoặc SIM ký số, hoặc thêm chứng thư số trong mục “Phương thức xác thực” của "
                    "tài khoản."
                ),
                code="certificate_not_registered",
            )
        certificate = _save_certificate(account, signer, kind, phone)
        audit.record(
            "account.certificate_added",
            actor=account,
            target=account,
            request=request,
            serial=signer.serial_number,
            on_sign_in=True,
        )
    if not account.is_active:
        raise MethodRefused(
            _("Tài khoản đang bị khóa. Vui lòng liên hệ tổng đài hỗ trợ."), code="account_inactive"
        )
    certificate.last_used_at = timezone.now()
    certificate.save(update_fields=["last_used_at"])
    if account.assurance_level < AssuranceLevel.LEVEL_3:
        account.assurance_level = AssuranceLevel.LEVEL_3
        account.save(update_fields=["assurance_level"])
    return account


def _account_of_identity(signer: VerifiedSigner) -> Account | None:
    if signer.tax_code:
        return Account.objects.filter(kind=AccountKind.BUSINESS, tax_code=signer.tax_code).first()
    if signer.id_number:
        from opendvc.accounts.services.common import citizen_by_id

        return citizen_by_id(signer.id_number)
    return None


def _save_certificate(account: Account, signer: VerifiedSigner, kind: str, phone: str = "") -> Certificate:
    return Certificate.objects.create(
        account=account,
        kind=kind,
        fingerprint=signer.fingerprint,
        serial_number=signer.serial_number,
        subject=signer.subject[:500],
        issuer=signer.issuer[:500],
        not_after=signer.not_after,
        phone=phone or None,
    )


def login_with_token(request, *, nonce: str, signature: bytes, certificate: bytes | None = None) -> Account:
    """USB token sign-in: the plug-in signed the challenge. The caller starts the session."""
    signer = _verified(nonce, LOGIN, signature, certificate)
    return _certificate_account(request, signer, CertificateKind.USB_TOKEN)


def add_certificate(
    request, account: Account, *, nonce: str, signature: bytes, certificate: bytes | None = None
):
    """Account management: add a USB token whose certificate belongs to this account's identity."""
    signer = _verified(nonce, ADD_CERTIFICATE, signature, certificate)
    if Certificate.objects.filter(fingerprint=signer.fingerprint).exists():
        raise MethodRefused(_("Chứng thư số này đã được gắn với một tài khoản."), code="certificate_in_use")
    own = (account.kind == AccountKind.BUSINESS and signer.tax_code == account.tax_code) or (
        account.kind == AccountKind.CITIZEN and signer.id_number in {account.id_number, account.old_id_number}
    )
    if not own:
        raise MethodRefused(
            _("Chứng thư số không mang số định danh (hoặc mã số thuế) của tài khoản này."),
            code="certificate_not_yours",
        )
    cert = _save_certificate(account, signer, CertificateKind.USB_TOKEN)
    audit.record(
        "account.certificate_added",
        actor=account,
        target=account,
        request=request,
        serial=signer.serial_number,
    )
    return cert


# --- SIM PKI ------------------------------------------------------------------------------------------


def start_sim_signature(request, *, phone: str, purpose: str, audience: str = "citizen"):
    """Ask the carrier to have the SIM of `phone` sign a challenge. Returns (flow, token); the page then
    polls `poll_sim_signature` while the person confirms on the phone."""
    check = Checker()
    phone = check.phone(phone)
    check.done()
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
    return {"code": data["code"], "phone": data["phone"]}


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
    signer = _verified(data["nonce"], purpose, status.signature, status.certificate)
    if flow.purpose == FlowPurpose.LOGIN:
        finish_flow(flow)
        return _certificate_account(request, signer, CertificateKind.SIM_PKI, phone=data["phone"])
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
            "subject": signer.subject,
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
    address = " ".join((details.get("address") or prefill.get("address", "")).split())
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
