"""The account flows as JSON for mobile apps: the same services, limits and messages as the pages.

A multi-step flow returns a `flow_token` that the client sends with the next step. Completed sign-ins
return a bearer `access_token` (idle 30 minutes, at most 12 hours, ended by "sign out everywhere").
Officials sign in on the web only (TOTP); these endpoints are for citizens and businesses.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from opendvc.accounts import captcha, selectors
from opendvc.accounts.models import AccessMethod, Account
from opendvc.accounts.services import login, pki, recovery, registration
from opendvc.accounts.services.access import (
    account_for_api_token,
    issue_api_token,
    record_access,
    revoke_api_token,
    sign_out_everywhere,
)
from opendvc.accounts.services.common import citizen_by_id  # noqa: F401 - documented lookups live in services
from opendvc.core.personal_data import mask, mask_phone

router = Router(tags=["accounts"])


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        account = account_for_api_token(token)
        if account is not None:
            request.api_token = token
        return account


bearer = BearerToken()


# --------------------------------------------------------------------------------------------- schemas


class In(Schema):
    """A request body. Its texts are refused (400 `invalid_parameters`, naming the field) when they hold
    what no person types and the services cannot store: a NUL character (PostgreSQL refuses it) or a
    lone surrogate from a JSON escape such as "\\ud800" (not encodable as UTF-8). Django's form fields
    refuse the first on the pages; a page never receives the second."""

    @field_validator("*", mode="before")
    @classmethod
    def _plain_text(cls, value):
        if isinstance(value, str):
            if "\x00" in value:
                raise PydanticCustomError("text_nul", _("Có ký tự điều khiển NUL, không hợp lệ."))
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise PydanticCustomError("text_encoding", _("Có ký tự không phải Unicode hợp lệ.")) from None
        return value


class CaptchaOut(Schema):
    key: str
    image_url: str


class FlowOut(Schema):
    flow_token: str
    step: str
    phone_masked: str = ""
    otp_valid_seconds: int = 0


class StepOut(Schema):
    step: str


class SentOut(Schema):
    sent_to: str


class TokenOut(Schema):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    idle_timeout_seconds: int
    absolute_timeout_seconds: int


class MobileRegistrationIn(In):
    id_number: str
    full_name: str
    date_of_birth: date
    gender: str
    phone: str
    email: str = ""


class SocialInsuranceRegistrationIn(In):
    social_insurance_number: str
    id_number: str
    phone: str


class FlowIn(In):
    flow_token: str


class OtpIn(FlowIn):
    code: str


class PasswordIn(FlowIn):
    password: str
    password_confirm: str


class CaptchaAnswer(In):
    captcha_key: str
    captcha_value: str


class LoginIn(CaptchaAnswer):
    id_number: str
    password: str


class ResendIn(FlowIn):
    phone_id: int | None = None


class PhoneOut(Schema):
    id: int
    masked: str
    is_default: bool


class NewPhoneIn(FlowIn):
    new_phone: str


class PasswordResetIn(CaptchaAnswer):
    id_number: str
    phone: str


class ChallengeIn(In):
    purpose: str  # "login" | "register"


class ChallengeOut(Schema):
    nonce: str
    data: str  # base64 of the bytes to sign
    expires_at: str


class SignedIn(In):
    nonce: str
    signature: str  # base64 DER CMS, detached
    certificate: str = ""  # base64 DER, when the plug-in sends it apart


class TokenRegistrationIn(SignedIn):
    audience: str = "citizen"


class DetailsOut(Schema):
    flow_token: str
    step: str
    audience: str
    prefill: dict


class DetailsIn(FlowIn):
    email: str = ""
    address: str = ""
    business_name: str = ""
    representative_name: str = ""
    representative_id_number: str = ""


class SimStartIn(In):
    phone: str
    purpose: str  # "login" | "register"
    audience: str = "citizen"


class SimStartOut(Schema):
    flow_token: str
    step: str
    verification_code: str


class SimPollOut(Schema):
    state: str  # "pending" | "signed_in" | "details"
    access_token: str = ""
    prefill: dict | None = None


class MeOut(Schema):
    full_name: str
    kind: str
    id_number_masked: str
    tax_code: str | None
    date_of_birth: date | None
    gender: str
    address: str
    email: str
    assurance_level: int
    registration_method: str
    otp_phone_masked: str


class AccessEventOut(Schema):
    at: str
    ip_address: str | None
    device: str
    method: str  # code, e.g. "password_otp"
    method_text: str  # in the request's language
    success: bool
    reason: str  # code of a failure, e.g. "otp_invalid"
    reason_text: str


class AccessHistoryOut(Schema):
    page: int
    pages: int
    count: int
    items: list[AccessEventOut]


class CertificateOut(Schema):
    kind: str  # "usb_token" | "sim_pki"
    holder: str
    issuer: str
    serial_number: str
    not_after: str
    expired: bool


class MethodsOut(Schema):
    phones: list[PhoneOut]
    certificates: list[CertificateOut]
    authenticator_app: bool


def _token_out(request, account: Account, method: str) -> dict:
    from django.conf import settings

    return {
        "access_token": issue_api_token(request, account, method),
        "idle_timeout_seconds": settings.SESSION_IDLE_TIMEOUT,
        "absolute_timeout_seconds": settings.SESSION_ABSOLUTE_TIMEOUT,
    }


def _otp_flow(token: str, phone: str) -> dict:
    from django.conf import settings

    return {
        "flow_token": token,
        "step": "otp",
        "phone_masked": mask_phone(phone),
        "otp_valid_seconds": settings.OTP_LIFETIME,
    }


# --------------------------------------------------------------------------------------------- captcha


@router.get("/auth/captcha", response=CaptchaOut, summary="A new captcha (image URL and key)")
def new_captcha(request):
    return captcha.new_challenge()


# --------------------------------------------------------------------------------------- registration


@router.post("/auth/register/mobile", response={201: FlowOut}, summary="Register by mobile subscriber")
def register_mobile(request, body: MobileRegistrationIn):
    _flow, token = registration.start_mobile_registration(request, **body.dict())
    return Status(201, _otp_flow(token, body.phone))


@router.post(
    "/auth/register/social-insurance", response={201: FlowOut}, summary="Register by social-insurance number"
)
def register_social_insurance(request, body: SocialInsuranceRegistrationIn):
    _flow, token = registration.start_social_insurance_registration(request, **body.dict())
    return Status(201, _otp_flow(token, body.phone))


@router.post("/auth/register/otp", response=StepOut, summary="Confirm the registration OTP")
def register_otp(request, body: OtpIn):
    registration.confirm_registration_code(body.flow_token, body.code)
    return {"step": "password"}


@router.post("/auth/register/otp/resend", response=StepOut, summary="Send the registration OTP again")
def register_otp_resend(request, body: FlowIn):
    registration.resend_registration_code(request, body.flow_token)
    return {"step": "otp"}


@router.post("/auth/register/password", response={201: TokenOut}, summary="Set the password: account created")
def register_password(request, body: PasswordIn):
    account = registration.complete_registration(
        request, body.flow_token, password=body.password, password_confirm=body.password_confirm
    )
    return Status(201, _token_out(request, account, AccessMethod.PASSWORD_OTP))


# ---------------------------------------------------------------------------------------------- sign-in


@router.post("/auth/login", response=FlowOut, summary="ID number + password + captcha; an OTP is sent")
def login_password(request, body: LoginIn):
    """The next step is "otp" (sent to the OTP phone), or "totp" for an account whose only second
    factor is an authenticator app (then POST /auth/login/authenticator)."""
    captcha.verify(body.captcha_key, body.captcha_value)
    flow, token = login.start_password_login(request, id_number=body.id_number, password=body.password)
    if flow.step == "totp":
        return {"flow_token": token, "step": "totp"}
    phones, current = login.login_phones(token)
    phone = next(p for p in phones if p.pk == current)
    return _otp_flow(token, phone.number)


@router.post("/auth/login/phones", response=list[PhoneOut], summary="The phones that may receive the OTP")
def login_phone_list(request, body: FlowIn):
    phones, _current = login.login_phones(body.flow_token)
    return [{"id": p.pk, "masked": p.masked, "is_default": p.is_default} for p in phones]


@router.post(
    "/auth/login/otp/resend", response=SentOut, summary="Resend the OTP, or send it to another phone"
)
def login_otp_resend(request, body: ResendIn):
    phone = login.send_login_code(request, body.flow_token, phone_id=body.phone_id)
    return {"sent_to": phone.masked}


@router.post("/auth/login/otp", response=TokenOut, summary="Confirm the OTP: signed in")
def login_otp(request, body: OtpIn):
    account = login.finish_otp_login(request, body.flow_token, body.code)
    return _token_out(request, account, AccessMethod.PASSWORD_OTP)


@router.post(
    "/auth/login/authenticator",
    response=TokenOut,
    summary="A code of the authenticator app instead of the OTP",
)
def login_authenticator(request, body: OtpIn):
    from opendvc.accounts.flows import get_flow
    from opendvc.accounts.models import FlowPurpose
    from opendvc.accounts.services import officials

    if get_flow(body.flow_token, FlowPurpose.LOGIN, step=("otp", "totp")).step == "otp":
        login.use_authenticator(body.flow_token)
    account = officials.verify_totp(request, body.flow_token, body.code)
    return _token_out(request, account, AccessMethod.PASSWORD_TOTP)


@router.post(
    "/auth/login/lost-phone", response=FlowOut, summary="Lost OTP phone: send an OTP to a new number"
)
def lost_phone(request, body: NewPhoneIn):
    recovery.start_otp_phone_change(request, body.flow_token, new_phone=body.new_phone)
    return _otp_flow(body.flow_token, body.new_phone) | {"step": "new_phone_otp"}


@router.post("/auth/login/lost-phone/confirm", response=TokenOut, summary="Confirm the new OTP phone")
def lost_phone_confirm(request, body: OtpIn):
    account = recovery.confirm_otp_phone_change(request, body.flow_token, body.code)
    return _token_out(request, account, AccessMethod.PASSWORD_OTP)


# ----------------------------------------------------------------------------------------- password reset


@router.post("/auth/password-reset", response=FlowOut, summary="Forgotten password: ID + phone + captcha")
def password_reset(request, body: PasswordResetIn):
    captcha.verify(body.captcha_key, body.captcha_value)
    _flow, token = recovery.start_password_reset(request, id_number=body.id_number, phone=body.phone)
    return _otp_flow(token, body.phone)


@router.post("/auth/password-reset/otp", response=StepOut, summary="Confirm the password-reset OTP")
def password_reset_otp(request, body: OtpIn):
    recovery.confirm_reset_code(body.flow_token, body.code)
    return {"step": "password"}


@router.post("/auth/password-reset/otp/resend", response=StepOut, summary="Resend the password-reset OTP")
def password_reset_resend(request, body: FlowIn):
    recovery.resend_reset_code(request, body.flow_token)
    return {"step": "otp"}


@router.post("/auth/password-reset/password", response=StepOut, summary="Set the new password")
def password_reset_password(request, body: PasswordIn):
    recovery.complete_password_reset(
        request, body.flow_token, password=body.password, password_confirm=body.password_confirm
    )
    return {"step": "done"}


# ------------------------------------------------------------------------------------ USB token, SIM PKI


@router.post("/auth/pki/challenge", response={201: ChallengeOut}, summary="A single-use challenge to sign")
def pki_challenge(request, body: ChallengeIn):
    purpose = pki.LOGIN if body.purpose == pki.LOGIN else pki.REGISTER
    challenge = pki.issue_challenge(purpose, request)
    return Status(
        201,
        {
            "nonce": challenge.nonce,
            "data": pki.challenge_base64(challenge),
            "expires_at": timezone.localtime(challenge.expires_at).isoformat(),
        },
    )


def _signed(body: SignedIn):
    return {
        "nonce": body.nonce,
        "signature": pki.decode_base64(body.signature, "signature"),
        "certificate": pki.decode_base64(body.certificate, "certificate") if body.certificate else None,
    }


@router.post("/auth/pki/login", response=TokenOut, summary="Sign in with a USB token's signature")
def pki_login(request, body: SignedIn):
    account = pki.login_with_token(request, **_signed(body))
    return _token_out(request, account, AccessMethod.USB_TOKEN)


@router.post(
    "/auth/pki/register", response={201: DetailsOut}, summary="Register with a USB token's signature"
)
def pki_register(request, body: TokenRegistrationIn):
    _flow, token = pki.start_token_registration(request, audience=body.audience, **_signed(body))
    details = pki.registration_details(token)
    return Status(
        201,
        {
            "flow_token": token,
            "step": "details",
            "audience": details["audience"],
            "prefill": _public_prefill(details),
        },
    )


def _public_prefill(details: dict) -> dict:
    prefill = dict(details["prefill"])
    prefill.pop("old_id_number", None)
    if prefill.get("id_number"):
        prefill["id_number"] = mask(prefill["id_number"])
    return prefill


@router.post(
    "/auth/pki/register/complete", response={201: TokenOut}, summary="Finish a certificate registration"
)
def pki_register_complete(request, body: DetailsIn):
    details = pki.registration_details(body.flow_token)
    fields = body.dict(exclude={"flow_token"})
    account = pki.complete_certificate_registration(request, body.flow_token, **fields)
    method = AccessMethod.USB_TOKEN if details["kind"] == "usb_token" else AccessMethod.SIM_PKI
    return Status(201, _token_out(request, account, method))


@router.post("/auth/sim/start", response={201: SimStartOut}, summary="Ask the SIM of a phone to sign")
def sim_start(request, body: SimStartIn):
    purpose = pki.LOGIN if body.purpose == pki.LOGIN else pki.REGISTER
    _flow, token = pki.start_sim_signature(request, phone=body.phone, purpose=purpose, audience=body.audience)
    return Status(
        201,
        {
            "flow_token": token,
            "step": "sim_wait",
            "verification_code": pki.sim_wait_info(token)["code"],
        },
    )


@router.post("/auth/sim/poll", response=SimPollOut, summary="Has the phone signed yet?")
def sim_poll(request, body: FlowIn):
    result = pki.poll_sim_signature(request, body.flow_token)
    if result is None:
        return {"state": "pending"}
    if isinstance(result, Account):
        return {
            "state": "signed_in",
            "access_token": _token_out(request, result, AccessMethod.SIM_PKI)["access_token"],
        }
    return {"state": "details", "prefill": _public_prefill(pki.registration_details(body.flow_token))}


# ----------------------------------------------------------------------------------------------- my account


@router.post("/auth/logout", auth=bearer, response={204: None}, summary="End this access token")
def logout(request):
    record_access(request, request.auth, AccessMethod.LOGOUT, success=True)
    revoke_api_token(request.api_token)
    return Status(204, None)


@router.post(
    "/auth/logout-everywhere", auth=bearer, response={204: None}, summary="End every session and token"
)
def logout_everywhere(request):
    sign_out_everywhere(request, request.auth)
    return Status(204, None)


@router.get("/me", auth=bearer, response=MeOut, summary="My account (personal numbers masked)")
def me(request):
    account = request.auth
    phone = account.otp_phone
    return {
        "full_name": account.full_name,
        "kind": account.kind,
        "id_number_masked": account.masked_id_number,
        "tax_code": account.tax_code,
        "date_of_birth": account.date_of_birth,
        "gender": account.gender,
        "address": account.address,
        "email": account.email,
        "assurance_level": account.assurance_level,
        "registration_method": account.registration_method,
        "otp_phone_masked": phone.masked if phone else "",
    }


@router.get("/me/access-history", auth=bearer, response=AccessHistoryOut, summary="My sign-ins, last 90 days")
def access_history(request, page: int = 1):
    history = selectors.access_history(request.auth, page)
    return {
        "page": history.page,
        "pages": history.pages,
        "count": history.count,
        "items": [
            {
                "at": timezone.localtime(row.at).isoformat(),
                "ip_address": row.ip_address or None,
                "device": row.device,
                "method": row.method_code,
                "method_text": row.method,
                "success": row.success,
                "reason": row.reason_code,
                "reason_text": row.reason,
            }
            for row in history.items
        ],
    }


@router.get("/me/authentication-methods", auth=bearer, response=MethodsOut, summary="My sign-in methods")
def authentication_methods(request):
    methods = selectors.authentication_methods(request.auth)
    return {
        "phones": [{"id": p.pk, "masked": p.masked, "is_default": p.is_default} for p in methods.phones],
        "certificates": [
            {
                "kind": row.certificate.kind,
                "holder": row.common_name,
                "issuer": row.issuer_name,
                "serial_number": row.certificate.serial_number,
                "not_after": timezone.localtime(row.certificate.not_after).isoformat(),
                "expired": row.expired,
            }
            for row in methods.certificates
        ],
        "authenticator_app": methods.totp is not None,
    }
