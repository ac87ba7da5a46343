"""Registration by mobile subscriber and by social-insurance number (seed 000 §I.1; 002 §2).

Three steps, each a call: start (details checked against the registries, OTP sent) → confirm the OTP →
choose a password (the account is created, in one transaction). Nothing is stored but the flow until the
last step, so a registry that is down or a person who gives up leaves no half-made account.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from opendvc.accounts import otp
from opendvc.accounts.flows import finish_flow, flow_data, get_flow, start_flow, update_flow
from opendvc.accounts.models import (
    Account,
    AssuranceLevel,
    FlowPurpose,
    RegistrationMethod,
)
from opendvc.accounts.services import identity_checks
from opendvc.accounts.services.common import (
    Checker,
    check_new_password,
    create_citizen,
    person_from_data,
    refuse_existing_citizen,
)
from opendvc.core.limits import Limit, enforce
from opendvc.core.personal_data import digits, is_social_insurance_number, lookup_digest
from opendvc.core.request_info import client_ip

REGISTRATION_PURPOSES = (FlowPurpose.REGISTER_MOBILE, FlowPurpose.REGISTER_SOCIAL_INSURANCE)


def _send_registration_code(request, flow, data):
    otp.send_code(
        request, flow, data["phone"], text="register", owner_key=lookup_digest(data["id_number"], kind="id")
    )


def start_mobile_registration(
    request, *, id_number: str, full_name: str, date_of_birth, gender: str, phone: str, email: str = ""
):
    """Check the details with the population registry and the carrier, then send an OTP to the phone.
    Returns (flow, token)."""
    check = Checker()
    id_number = check.id_number(id_number)
    full_name = check.full_name(full_name)
    born = check.date_of_birth(date_of_birth)
    gender = check.gender(gender)
    phone = check.phone(phone)
    email = check.email(email)
    check.done()
    _limit_registrations(request, id_number)

    person = identity_checks.find_person(id_number)
    identity_checks.check_declared_identity(person, full_name=full_name, date_of_birth=born, gender=gender)
    carrier = identity_checks.check_owner_registered_phone(person, phone)
    refuse_existing_citizen(person.id_number, person.old_id_number)

    data = _person_data(person) | {"phone": phone, "email": email, "carrier": carrier}
    flow, token = start_flow(FlowPurpose.REGISTER_MOBILE, step="otp", **data)
    _send_registration_code(request, flow, data)
    return flow, token


def start_social_insurance_registration(request, *, social_insurance_number: str, id_number: str, phone: str):
    """Check the social-insurance number, ID and phone with BHXH and the population registry; send an OTP."""
    check = Checker()
    number = digits(social_insurance_number or "")
    if check.required(
        "social_insurance_number", social_insurance_number, _("Vui lòng nhập mã số BHXH.")
    ) and not is_social_insurance_number(number):
        check.add("social_insurance_number", _("Mã số BHXH có 10 chữ số."))
    id_number = check.id_number(id_number)
    phone = check.phone(phone)
    check.done()
    _limit_registrations(request, id_number)

    person = identity_checks.find_person(id_number)
    identity_checks.find_insured(number, id_numbers=identity_checks.person_ids(person), phone=phone)
    refuse_existing_citizen(person.id_number, person.old_id_number)

    data = _person_data(person) | {"phone": phone, "email": "", "social_insurance_number": number}
    flow, token = start_flow(FlowPurpose.REGISTER_SOCIAL_INSURANCE, step="otp", **data)
    _send_registration_code(request, flow, data)
    return flow, token


def _limit_registrations(request, id_number: str) -> None:
    """Each start asks the national registries, and a mismatch says which detail differs: neither a
    client nor many clients together can use registration to trawl the registries or one person."""
    ip = client_ip(request) or "none"
    digest = lookup_digest(id_number, kind="id")
    enforce(
        request,
        [Limit("register-ip", ip, rate) for rate in settings.REGISTRATION_LIMITS_PER_IP]
        + [Limit("register-id", digest, rate) for rate in settings.REGISTRATION_LIMITS_PER_ID],
    )


def _person_data(person) -> dict:
    return {
        "id_number": person.id_number,
        "old_id_number": person.old_id_number,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "gender": person.gender,
        "address": person.address,
    }


def resend_registration_code(request, token: str):
    flow = get_flow(token, REGISTRATION_PURPOSES, step="otp")
    _send_registration_code(request, flow, flow_data(flow))
    return flow


def confirm_registration_code(token: str, code: str):
    flow = get_flow(token, REGISTRATION_PURPOSES, step="otp")
    otp.verify_code(flow, code)
    update_flow(flow, step="password")
    return flow


def registration_summary(token: str) -> dict:
    """What the person will see before choosing a password (masked where personal)."""
    flow = get_flow(token, REGISTRATION_PURPOSES)
    return flow_data(flow) | {"step": flow.step, "purpose": flow.purpose}


def complete_registration(request, token: str, *, password: str, password_confirm: str) -> Account:
    """Set the password and create the level-2 account with its OTP phone, in one transaction."""
    flow = get_flow(token, REGISTRATION_PURPOSES, step="password")
    data = flow_data(flow)
    check_new_password(
        password,
        password_confirm,
        id_number=data["id_number"],
        phone_numbers=[data["phone"], data.get("old_id_number") or ""],
        full_name=data["full_name"],
        email=data.get("email", ""),
    )
    method = (
        RegistrationMethod.MOBILE
        if flow.purpose == FlowPurpose.REGISTER_MOBILE
        else RegistrationMethod.SOCIAL_INSURANCE
    )
    with transaction.atomic():
        account = create_citizen(
            request,
            person_from_data(data),
            method=method,
            level=AssuranceLevel.LEVEL_2,
            password=password,
            phone=data["phone"],
            carrier_verified=method == RegistrationMethod.MOBILE,
            email=data.get("email", ""),
            social_insurance_number=data.get("social_insurance_number"),
        )
        finish_flow(flow)
    return account
