"""Accounts for tests, made through the models (the flows themselves are tested through services)."""

import re
from datetime import date

import pyotp
from django.utils import timezone

from opendvc.accounts.models import (
    Account,
    AccountKind,
    AssuranceLevel,
    Phone,
    RegistrationMethod,
    TotpDevice,
    new_public_username,
)
from opendvc.notifications.selectors import last_message_to

PASSWORD = "Sao-Mai#2026"


def make_citizen(
    *,
    id_number="001088012345",
    full_name="Nguyễn Văn An",
    phone="0912345678",
    password=PASSWORD,
    extra_phones=(),
    method=RegistrationMethod.MOBILE,
    **fields,
) -> Account:
    account = Account(
        username=new_public_username("cd"),
        kind=AccountKind.CITIZEN,
        full_name=full_name,
        id_number=id_number,
        date_of_birth=fields.pop("date_of_birth", date(1988, 5, 12)),
        gender=fields.pop("gender", "male"),
        assurance_level=AssuranceLevel.LEVEL_2,
        registration_method=method,
        verified_at=timezone.now(),
        **fields,
    )
    account.set_password(password)
    account.save()
    if phone:
        Phone.objects.create(
            account=account, number=phone, is_default=True, carrier_verified_at=timezone.now()
        )
    for number in extra_phones:
        Phone.objects.create(account=account, number=number)
    return account


def make_official(
    *,
    username="canbo.hoankiem",
    agency_code="000.00.20.H26",
    roles=("desk_clerk",),
    password=PASSWORD,
    totp=True,
    full_name="Trần Văn Cán Bộ",
) -> tuple[Account, str | None]:
    """An official of a demo agency; with `totp`, an enrolled authenticator whose secret is returned."""
    from opendvc.catalog.models import Agency

    account = Account(
        username=username,
        kind=AccountKind.OFFICIAL,
        full_name=full_name,
        agency=Agency.objects.get(code=agency_code),
        roles=list(roles),
        assurance_level=AssuranceLevel.LEVEL_2,
        registration_method=RegistrationMethod.STAFF,
    )
    account.set_password(password)
    account.save()
    secret = None
    if totp:
        secret = pyotp.random_base32()
        TotpDevice.objects.create(account=account, secret=secret, confirmed_at=timezone.now())
    return account, secret


def last_otp(phone: str) -> str:
    """The 6-digit code of the last SMS sent to `phone` (the outbox is the test's phone)."""
    message = last_message_to(phone, channel="sms")
    assert message is not None, f"no SMS was sent to {phone}"
    return re.search(r"\b(\d{6})\b", message.body).group(1)
