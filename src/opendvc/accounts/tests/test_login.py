"""Sign-in with ID number + password + OTP, lockout, enumeration, password reset and the lost OTP phone."""

import pytest
from django.test import RequestFactory
from freezegun import freeze_time

from opendvc.accounts.errors import InvalidCredentials, LockedOut, MethodRefused, RegistryMismatch
from opendvc.accounts.models import AccessEvent, ApiToken
from opendvc.accounts.services import login, recovery
from opendvc.accounts.services.access import account_for_api_token, issue_api_token
from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_citizen
from opendvc.core.errors import DomainError
from opendvc.core.limits import RateLimited
from opendvc.core.models import AuditEvent
from opendvc.notifications.selectors import last_message_to, messages_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def rq():
    return RequestFactory().post("/", REMOTE_ADDR="198.51.100.20", HTTP_USER_AGENT="Mozilla/5.0 Chrome/131.0")


def test_password_then_otp_signs_in_and_records_the_access(rq):
    account = make_citizen()
    _flow, token = login.start_password_login(rq, id_number="001088012345", password=PASSWORD)
    assert login.finish_otp_login(rq, token, last_otp("0912345678")) == account


def test_a_wrong_password_and_an_unknown_id_get_the_same_answer(rq):
    make_citizen()
    with pytest.raises(InvalidCredentials) as wrong_password:
        login.start_password_login(rq, id_number="001088012345", password="Wrong#2026x")
    with pytest.raises(InvalidCredentials) as unknown_id:
        login.start_password_login(rq, id_number="001088099999", password="Wrong#2026x")
    assert wrong_password.value.message == unknown_id.value.message
    assert wrong_password.value.status == unknown_id.value.status == 401
    assert AccessEvent.objects.filter(success=False, reason="wrong_password").count() == 1


def test_five_wrong_passwords_lock_the_id_for_thirty_minutes_and_say_until_when(rq):
    make_citizen()
    with freeze_time("2026-12-01 02:00:00"):  # 09:00 in Hà Nội
        for _ in range(4):
            with pytest.raises(InvalidCredentials):
                login.start_password_login(rq, id_number="001088012345", password="Wrong#2026x")
        with pytest.raises(LockedOut):
            login.start_password_login(rq, id_number="001088012345", password="Wrong#2026x")
        with pytest.raises(LockedOut) as locked:
            login.start_password_login(rq, id_number="001088012345", password=PASSWORD)
    assert "tạm khóa đến 09:30 ngày 01/12/2026" in locked.value.message
    assert "Quên mật khẩu" in locked.value.message
    with freeze_time("2026-12-01 02:31:00"):
        later = RequestFactory().post("/", REMOTE_ADDR="198.51.100.20")
        login.start_password_login(later, id_number="001088012345", password=PASSWORD)


def test_an_id_without_an_account_is_locked_out_the_same_way(rq):
    with freeze_time("2026-12-01 02:00:00"):
        for _ in range(4):
            with pytest.raises(InvalidCredentials):
                login.start_password_login(rq, id_number="001088099999", password="Wrong#2026x")
        with pytest.raises(LockedOut):
            login.start_password_login(rq, id_number="001088099999", password="Wrong#2026x")
        with pytest.raises(LockedOut):
            login.start_password_login(rq, id_number="001088099999", password="Wrong#2026x")


def test_a_password_reset_lifts_the_lockout_and_ends_every_session(rq):
    account = make_citizen()
    api_token = issue_api_token(rq, account, "password_otp")
    for _ in range(5):
        with pytest.raises((InvalidCredentials, LockedOut)):
            login.start_password_login(rq, id_number="001088012345", password="Wrong#2026x")
    _flow, token = recovery.start_password_reset(rq, id_number="001088012345", phone="0912345678")
    recovery.confirm_reset_code(token, last_otp("0912345678"))
    recovery.complete_password_reset(
        rq, token, password="Moi#Matkhau2027", password_confirm="Moi#Matkhau2027"
    )

    assert account_for_api_token(api_token) is None
    assert ApiToken.objects.get().revoked_at is not None
    assert "vừa được đặt lại" in last_message_to("0912345678").body
    login.start_password_login(rq, id_number="001088012345", password="Moi#Matkhau2027")
    assert AuditEvent.objects.filter(action="account.password_reset").exists()


def test_a_reset_for_a_phone_that_is_not_the_accounts_sends_nothing_but_looks_the_same(rq):
    make_citizen()
    _flow, token = recovery.start_password_reset(rq, id_number="001088012345", phone="0987000111")
    assert not messages_to("0987000111").exists()
    with pytest.raises(DomainError) as refused:
        recovery.confirm_reset_code(token, "123456")
    assert refused.value.code == "otp_invalid"
    recovery.start_password_reset(rq, id_number="001088099999", phone="0912345678")
    assert messages_to("0912345678").count() == 0


def test_another_phone_of_the_account_can_receive_the_code(rq):
    make_citizen(extra_phones=["0355556666"])
    _flow, token = login.start_password_login(rq, id_number="001088012345", password=PASSWORD)
    phones, current = login.login_phones(token)
    other = next(p for p in phones if p.pk != current)
    login.send_login_code(rq, token, phone_id=other.pk)
    login.finish_otp_login(rq, token, last_otp("0355556666"))


def test_a_phone_of_another_account_cannot_be_chosen(rq):
    make_citizen()
    stranger = make_citizen(id_number="079190001234", phone="0987654321", full_name="Trần Thị Bình")
    _flow, token = login.start_password_login(rq, id_number="001088012345", password=PASSWORD)
    with pytest.raises(MethodRefused):
        login.send_login_code(rq, token, phone_id=stranger.otp_phone.pk)


def test_sign_in_attempts_from_one_ip_are_rate_limited(rq, settings):
    settings.LOGIN_LIMITS_PER_IP = ["3/h"]
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            login.start_password_login(rq, id_number="001088099999", password="x")
    with pytest.raises(RateLimited):
        login.start_password_login(rq, id_number="001088099998", password="x")


def test_a_lost_otp_phone_is_replaced_by_an_owner_registered_number(rq):
    account = make_citizen(
        id_number="038085004321",
        full_name="Lê Văn Cường",
        phone="0971112233",
        date_of_birth=__import__("datetime").date(1985, 11, 3),
        email="cuong@example.vn",
    )
    _flow, token = login.start_password_login(rq, id_number="038085004321", password=PASSWORD)
    recovery.start_otp_phone_change(rq, token, new_phone="0355556666")
    changed = recovery.confirm_otp_phone_change(rq, token, last_otp("0355556666"))

    assert changed == account
    assert changed.otp_phone.number == "0355556666"
    assert changed.phones.count() == 1
    assert "đã được đổi sang 035****666" in last_message_to("0971112233").body
    assert last_message_to("cuong@example.vn", channel="email") is not None
    assert AuditEvent.objects.filter(action="account.otp_phone_changed").exists()


def test_a_new_number_registered_to_someone_else_is_refused_and_the_old_phone_kept(rq):
    make_citizen(id_number="038085004321", full_name="Lê Văn Cường", phone="0971112233")
    _flow, token = login.start_password_login(rq, id_number="038085004321", password=PASSWORD)
    recovery.start_otp_phone_change(rq, token, new_phone="0903334444")
    with pytest.raises(RegistryMismatch) as refused:
        recovery.confirm_otp_phone_change(rq, token, last_otp("0903334444"))
    assert "quầy giao dịch" in refused.value.message
    assert AuditEvent.objects.filter(action="account.otp_phone_change_refused").exists()
    phones, _current = login.login_phones(token)
    assert [p.number for p in phones] == ["0971112233"]


def test_the_phone_change_needs_the_password_step_first(rq):
    with pytest.raises(DomainError) as refused:
        recovery.start_otp_phone_change(rq, "made-up-token", new_phone="0355556666")
    assert refused.value.code == "flow_expired"


def test_api_tokens_end_after_thirty_idle_minutes_and_twelve_hours(rq):
    account = make_citizen()
    with freeze_time("2026-12-01 08:00:00") as clock:
        token = issue_api_token(rq, account, "password_otp")
        clock.tick(29 * 60)
        assert account_for_api_token(token) == account
        clock.tick(31 * 60)
        assert account_for_api_token(token) is None
    with freeze_time("2026-12-01 08:00:00") as clock:
        token = issue_api_token(rq, account, "password_otp")
        for _ in range(12 * 3 + 1):
            clock.tick(20 * 60)
            account_for_api_token(token)
        assert account_for_api_token(token) is None


def test_housekeeping_keeps_ninety_days_of_history_and_drops_dead_flows(rq):
    from opendvc.accounts.models import AuthFlow, PkiChallenge
    from opendvc.accounts.services.access import record_access
    from opendvc.accounts.services.pki import issue_challenge
    from opendvc.accounts.tasks import purge_access_history_task, purge_expired_flows_task

    account = make_citizen()
    with freeze_time("2026-08-01 08:00:00"):
        record_access(rq, account, "password_otp", success=True)
        login.start_password_login(rq, id_number="001088012345", password=PASSWORD)
        issue_challenge("login")
    with freeze_time("2026-10-01 08:00:00"):
        record_access(rq, account, "password_otp", success=True)
    with freeze_time("2026-11-05 08:00:00"):
        assert purge_access_history_task() == 1
        assert purge_expired_flows_task() == 2
    assert AccessEvent.objects.count() == 1
    assert not AuthFlow.objects.exists()
    assert not PkiChallenge.objects.exists()


def test_a_citizen_with_an_authenticator_app_may_use_it_instead_of_the_sms(rq):
    import pyotp
    from django.utils import timezone

    from opendvc.accounts.models import TotpDevice
    from opendvc.accounts.services import officials

    account = make_citizen()
    secret = pyotp.random_base32()
    TotpDevice.objects.create(account=account, secret=secret, confirmed_at=timezone.now())
    _flow, token = login.start_password_login(rq, id_number="001088012345", password=PASSWORD)
    login.use_authenticator(token)
    assert officials.verify_totp(rq, token, pyotp.TOTP(secret).now()) == account


def test_a_citizen_without_a_phone_but_with_an_authenticator_goes_to_its_step(rq):
    import pyotp
    from django.utils import timezone

    from opendvc.accounts.models import TotpDevice

    account = make_citizen(phone=None)
    TotpDevice.objects.create(account=account, secret=pyotp.random_base32(), confirmed_at=timezone.now())
    flow, _token = login.start_password_login(rq, id_number="001088012345", password=PASSWORD)
    assert flow.step == "totp"


def test_the_old_nine_digit_id_signs_in_too(rq):
    account = make_citizen(id_number="001087003333", old_id_number="012345678", phone="0945556677")
    _flow, token = login.start_password_login(rq, id_number="012345678", password=PASSWORD)
    assert login.finish_otp_login(rq, token, last_otp("0945556677")) == account


def test_a_wrong_otp_is_recorded_with_its_reason(rq):
    account = make_citizen()
    _flow, token = login.start_password_login(rq, id_number="001088012345", password=PASSWORD)
    with pytest.raises(DomainError):
        login.finish_otp_login(rq, token, "000000" if last_otp("0912345678") != "000000" else "111111")
    assert AccessEvent.objects.get(account=account, success=False).reason == "otp_invalid"
