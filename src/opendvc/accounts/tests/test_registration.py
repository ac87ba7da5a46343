"""Registration by mobile subscriber and by social-insurance number, through the services."""

from datetime import date

import pytest
from django.test import RequestFactory, override_settings
from freezegun import freeze_time

from opendvc.accounts.errors import AccountExists, FlowExpired, RegistryDown, RegistryMismatch
from opendvc.accounts.models import Account, AccountKind, AuthFlow, Phone
from opendvc.accounts.services import registration
from opendvc.accounts.services.common import InvalidInput
from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_citizen
from opendvc.core.errors import DomainError
from opendvc.core.limits import RateLimited
from opendvc.core.models import AuditEvent

pytestmark = pytest.mark.django_db

AN = {
    "id_number": "001088012345",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": date(1988, 5, 12),
    "gender": "male",
    "phone": "0912345678",
    "email": "an@example.vn",
}


@pytest.fixture
def rq():
    request = RequestFactory().post(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 Firefox/133.0"
    )
    return request


def register(rq, **changes):
    _flow, token = registration.start_mobile_registration(rq, **(AN | changes))
    return token


def test_mobile_registration_creates_a_level_2_account_with_its_otp_phone(rq):
    token = register(rq)
    registration.confirm_registration_code(token, last_otp("0912345678"))
    account = registration.complete_registration(rq, token, password=PASSWORD, password_confirm=PASSWORD)

    assert account.kind == AccountKind.CITIZEN
    assert account.assurance_level == 2
    assert account.registration_method == "mobile"
    assert account.full_name == "Nguyễn Văn An"
    assert account.check_password(PASSWORD)
    assert account.otp_phone.number == "0912345678"
    assert account.otp_phone.carrier_verified_at is not None
    assert AuditEvent.objects.filter(action="account.registered", target_id=str(account.pk)).exists()


def test_details_that_differ_from_the_population_registry_are_refused_field_by_field(rq):
    with pytest.raises(RegistryMismatch) as refused:
        register(rq, full_name="Nguyễn Văn Ân", date_of_birth=date(1988, 5, 13))
    assert set(refused.value.fields) == {"full_name", "date_of_birth"}
    assert not AuthFlow.objects.exists()


def test_a_phone_registered_to_someone_else_is_not_owner_registered(rq):
    with pytest.raises(RegistryMismatch) as refused:
        register(
            rq,
            id_number="001192007777",
            full_name="Phạm Thị Dung",
            date_of_birth=date(1992, 7, 7),
            gender="female",
            phone="0903334444",
        )
    assert refused.value.code == "phone_not_owner_registered"
    assert "chính chủ" in refused.value.message


def test_an_unregistered_phone_is_refused(rq):
    with pytest.raises(RegistryMismatch) as refused:
        register(rq, phone="0869999000")
    assert refused.value.code == "phone_not_registered"


def test_a_deceased_person_cannot_register(rq):
    with pytest.raises(RegistryMismatch) as refused:
        register(
            rq,
            id_number="001060009999",
            full_name="Hoàng Văn Em",
            date_of_birth=date(1960, 1, 1),
            phone="0911000111",
        )
    assert refused.value.code == "person_not_eligible"


def test_an_id_that_already_has_an_account_is_told_so(rq):
    make_citizen()
    with pytest.raises(AccountExists) as refused:
        register(rq)
    assert "Quên mật khẩu" in refused.value.message


def test_the_old_nine_digit_id_registers_the_person_under_the_new_number(rq):
    token = register(
        rq,
        id_number="012345678",
        full_name="Đỗ Văn Hải",
        date_of_birth=date(1987, 9, 15),
        phone="0945556677",
        email="",
    )
    registration.confirm_registration_code(token, last_otp("0945556677"))
    account = registration.complete_registration(rq, token, password=PASSWORD, password_confirm=PASSWORD)
    assert account.id_number == "001087003333"
    assert account.old_id_number == "012345678"


def test_a_registry_that_is_down_leaves_nothing_behind(rq):
    with pytest.raises(RegistryDown) as refused:
        register(
            rq,
            id_number="001099000000",
            full_name="Ngô Văn Khánh",
            date_of_birth=date(1999, 12, 31),
            phone="0919999000",
        )
    assert refused.value.status == 503
    assert not AuthFlow.objects.exists()
    assert not Account.objects.exists()


def test_missing_and_malformed_fields_are_all_reported_at_once(rq):
    with pytest.raises(InvalidInput) as refused:
        registration.start_mobile_registration(
            rq, id_number="12345", full_name="", date_of_birth=None, gender="", phone="12", email="x@"
        )
    assert set(refused.value.fields) == {
        "id_number",
        "full_name",
        "date_of_birth",
        "gender",
        "phone",
        "email",
    }


def test_a_wrong_otp_says_how_many_tries_are_left_and_the_sixth_is_refused(rq):
    token = register(rq)
    for left in (4, 3, 2, 1):
        with pytest.raises(DomainError, match=f"còn {left} lần"):
            registration.confirm_registration_code(
                token, "000000" if last_otp("0912345678") != "000000" else "111111"
            )
    with pytest.raises(DomainError):
        registration.confirm_registration_code(
            token, "999999" if last_otp("0912345678") != "999999" else "888888"
        )
    with pytest.raises(DomainError) as refused:
        registration.confirm_registration_code(token, last_otp("0912345678"))
    assert refused.value.code == "otp_attempts_exceeded"


def test_an_otp_expires_after_five_minutes(rq):
    with freeze_time("2026-12-01 09:00:00"):
        token = register(rq)
        code = last_otp("0912345678")
    with freeze_time("2026-12-01 09:05:01"), pytest.raises(DomainError) as refused:
        registration.confirm_registration_code(token, code)
    assert refused.value.code == "otp_expired"


def test_resending_waits_sixty_seconds_and_the_new_code_replaces_the_old(rq):
    with freeze_time("2026-12-01 09:00:00"):
        token = register(rq)
        first = last_otp("0912345678")
        with pytest.raises(RateLimited, match="giây"):
            registration.resend_registration_code(rq, token)
    with freeze_time("2026-12-01 09:01:01"):
        registration.resend_registration_code(rq, token)
        second = last_otp("0912345678")
        if first != second:
            with pytest.raises(DomainError):
                registration.confirm_registration_code(token, first)
        registration.confirm_registration_code(token, second)


@override_settings(
    OTP_LIMITS={"phone": ["3/h", "10/d"], "account": ["10/h", "20/d"], "ip": ["50/h", "100/d"]}
)
def test_codes_to_one_phone_are_capped_per_hour(rq):
    with freeze_time("2026-12-01 09:00:00") as clock:
        token = register(rq)
        for _ in range(2):
            clock.tick(61)
            registration.resend_registration_code(rq, token)
        clock.tick(61)
        with pytest.raises(RateLimited, match="quá nhiều mã OTP"):
            registration.resend_registration_code(rq, token)


def test_a_code_is_used_once(rq):
    token = register(rq)
    code = last_otp("0912345678")
    registration.confirm_registration_code(token, code)
    with pytest.raises(DomainError):
        registration.confirm_registration_code(token, code)


def test_the_password_rule_lists_what_is_missing_and_refuses_personal_numbers(rq):
    token = register(rq)
    registration.confirm_registration_code(token, last_otp("0912345678"))
    with pytest.raises(InvalidInput) as weak:
        registration.complete_registration(rq, token, password="abcdefgh", password_confirm="abcdefgh")
    assert "chữ in hoa" in " ".join(weak.value.fields["password"])
    with pytest.raises(InvalidInput) as personal:
        registration.complete_registration(
            rq, token, password="An@0912345678", password_confirm="An@0912345678"
        )
    assert "số điện thoại" in " ".join(personal.value.fields["password"])
    with pytest.raises(InvalidInput) as common:
        registration.complete_registration(rq, token, password="Password1!", password_confirm="Password1!")
    assert common.value.fields["password"]
    with pytest.raises(InvalidInput) as different:
        registration.complete_registration(rq, token, password=PASSWORD, password_confirm=PASSWORD + "x")
    assert "password_confirm" in different.value.fields
    assert not Account.objects.exists()


def test_the_password_step_is_not_reachable_before_the_otp(rq):
    token = register(rq)
    with pytest.raises(DomainError) as refused:
        registration.complete_registration(rq, token, password=PASSWORD, password_confirm=PASSWORD)
    assert refused.value.code == "wrong_step"


def test_a_registration_flow_expires(rq):
    with freeze_time("2026-12-01 09:00:00"):
        token = register(rq)
    with freeze_time("2026-12-01 09:16:00"), pytest.raises(FlowExpired):
        registration.confirm_registration_code(token, "123456")


def test_social_insurance_registration_checks_the_phone_registered_with_bhxh(rq):
    with pytest.raises(RegistryMismatch) as refused:
        registration.start_social_insurance_registration(
            rq, social_insurance_number="7912345678", id_number="079190001234", phone="0912345678"
        )
    assert refused.value.code == "insured_phone_mismatch"
    _flow, token = registration.start_social_insurance_registration(
        rq, social_insurance_number="7912345678", id_number="079190001234", phone="0987654321"
    )
    registration.confirm_registration_code(token, last_otp("0987654321"))
    account = registration.complete_registration(rq, token, password=PASSWORD, password_confirm=PASSWORD)
    assert account.registration_method == "social_insurance"
    assert account.full_name == "Trần Thị Bình"
    assert account.social_insurance_number == "7912345678"
    assert Phone.objects.get(account=account).is_default


def test_registrations_started_from_one_ip_are_limited(rq, settings):
    settings.REGISTRATION_LIMITS_PER_IP = ["2/h"]
    for _ in range(2):
        with pytest.raises(RegistryMismatch):
            register(rq, phone="0869999000")
    with pytest.raises(RateLimited):
        register(rq, phone="0869999000")


def test_registrations_of_one_id_are_limited_whatever_the_ip(settings):
    settings.REGISTRATION_LIMITS_PER_ID = ["2/h"]
    for n in range(2):
        request = RequestFactory().post("/", REMOTE_ADDR=f"203.0.113.{n}")
        with pytest.raises(RegistryMismatch):
            registration.start_mobile_registration(request, **(AN | {"full_name": "Nguyễn Văn Ân"}))
    with pytest.raises(RateLimited):
        registration.start_mobile_registration(
            RequestFactory().post("/", REMOTE_ADDR="203.0.113.9"), **(AN | {"full_name": "Nguyễn Văn Ân"})
        )


def test_a_short_password_is_refused_in_vietnamese(rq):
    token = register(rq)
    registration.confirm_registration_code(token, last_otp("0912345678"))
    with pytest.raises(InvalidInput) as short:
        registration.complete_registration(rq, token, password="Ab1#", password_confirm="Ab1#")
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in short.value.fields["password"]
