"""Account management (issue 3 §5, "sign out everywhere" of §3): services, selectors and pages."""

import re
from datetime import timedelta

import pyotp
import pytest
from django.test import Client, RequestFactory
from django.utils import timezone
from freezegun import freeze_time

from opendvc.accounts import selectors
from opendvc.accounts.errors import InvalidCredentials, MethodRefused, OtpError, ReauthenticationRequired
from opendvc.accounts.models import (
    AccessEvent,
    AccessMethod,
    Account,
    AccountKind,
    AssuranceLevel,
    Certificate,
    CertificateKind,
    Phone,
    RegistrationMethod,
    TotpDevice,
    new_public_username,
)
from opendvc.accounts.services import account as service
from opendvc.accounts.services.account import REAUTHENTICATED_AT
from opendvc.accounts.services.common import InvalidInput
from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_citizen, make_official
from opendvc.core.errors import NotFound
from opendvc.core.models import AuditEvent
from opendvc.notifications.selectors import last_message_to, messages_to

pytestmark = pytest.mark.django_db

SECOND_PHONE = "0987654321"
THIRD_PHONE = "0358889999"


def rq(*, reauthenticated=True):
    request = RequestFactory().post(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 Firefox/133.0"
    )
    request.session = {}
    if reauthenticated:
        request.session[REAUTHENTICATED_AT] = timezone.now().timestamp()
    return request


def audited(action, account):
    return AuditEvent.objects.filter(action=action, target_id=str(account.pk))


def add_certificate(account, *, serial="1a2b3c", days=365, kind=CertificateKind.USB_TOKEN):
    return Certificate.objects.create(
        account=account,
        kind=kind,
        fingerprint=f"{serial:0>64}",
        serial_number=serial,
        subject=f"CN={account.full_name},UID=CCCD:001088012345,C=VN",
        issuer="CN=OpenDVC Test CA,O=OpenDVC,C=VN",
        not_after=timezone.now() + timedelta(days=days),
    )


def add_totp(account):
    secret = pyotp.random_base32()
    TotpDevice.objects.create(account=account, secret=secret, confirmed_at=timezone.now())
    return secret


def make_business():
    account = Account(
        username=new_public_username("dn"),
        kind=AccountKind.BUSINESS,
        full_name="Công ty TNHH Sao Mai",
        tax_code="0101234567",
        representative_name="Nguyễn Văn An",
        representative_id_number="001088012345",
        assurance_level=AssuranceLevel.LEVEL_3,
        registration_method=RegistrationMethod.USB_TOKEN,
        verified_at=timezone.now(),
    )
    account.set_unusable_password()
    account.save()
    return account


# --- Personal information -------------------------------------------------------------------------------


def test_personal_info_saves_address_and_email_and_tells_the_old_address():
    account = make_citizen(email="cu@example.vn")
    service.update_personal_info(rq(), account, address="  Số 1   phố Huế, Hà Nội ", email="moi@example.vn")
    account.refresh_from_db()
    assert account.address == "Số 1 phố Huế, Hà Nội"
    assert account.email == "moi@example.vn"
    event = audited("account.personal_info_updated", account).get()
    assert event.details["fields"] == ["address", "email"]
    notice = last_message_to("cu@example.vn", channel="email")
    assert "m**@example.vn" in notice.body
    assert "moi@example.vn" not in notice.body


def test_an_invalid_email_is_refused_and_nothing_changes():
    account = make_citizen(email="cu@example.vn")
    with pytest.raises(InvalidInput) as refused:
        service.update_personal_info(rq(), account, address="Hà Nội", email="khong-phai-email")
    assert "email" in refused.value.fields
    account.refresh_from_db()
    assert (account.address, account.email) == ("", "cu@example.vn")
    assert not audited("account.personal_info_updated", account).exists()


def test_saving_unchanged_personal_info_records_nothing():
    account = make_citizen(email="an@example.vn")
    service.update_personal_info(rq(), account, address="", email="an@example.vn")
    assert not audited("account.personal_info_updated", account).exists()


# --- Re-authentication ----------------------------------------------------------------------------------


def test_reauthentication_lasts_five_minutes():
    account = make_citizen()
    with freeze_time("2026-03-02 09:00:00") as frozen:
        request = rq()
        frozen.tick(timedelta(minutes=4, seconds=59))
        service.start_add_phone(request, account, phone=SECOND_PHONE)
        frozen.tick(timedelta(seconds=2))
        with pytest.raises(ReauthenticationRequired):
            service.start_add_phone(request, account, phone=THIRD_PHONE)


def test_a_session_that_never_reauthenticated_cannot_change_methods():
    account = make_citizen(extra_phones=[SECOND_PHONE])
    phone = account.phones.get(is_default=False)
    with pytest.raises(ReauthenticationRequired):
        service.remove_phone(rq(reauthenticated=False), account, phone_id=phone.pk)
    assert account.phones.count() == 2


def test_reauthenticating_with_the_password_renews_the_window():
    account = make_citizen()
    with freeze_time("2026-03-02 09:00:00") as frozen:
        request = rq()
        frozen.tick(timedelta(minutes=10))
        assert service.reauthentication_needed(request)
        service.reauthenticate(request, account, password=PASSWORD)
        assert not service.reauthentication_needed(request)
        assert request.session[REAUTHENTICATED_AT] == timezone.now().timestamp()
    assert audited("account.reauthenticated", account).get().details == {"method": "password"}


def test_a_wrong_password_does_not_reauthenticate_and_shows_in_the_access_history():
    account = make_citizen()
    request = rq(reauthenticated=False)
    with pytest.raises(InvalidCredentials) as refused:
        service.reauthenticate(request, account, password="Sai-mat-khau#1")
    assert "password" in refused.value.fields
    assert REAUTHENTICATED_AT not in request.session
    event = AccessEvent.objects.get(account=account)
    assert (event.success, event.reason) == (False, "reauth_wrong_password")


def test_an_account_without_a_password_reauthenticates_with_an_otp_to_its_otp_phone():
    account = make_citizen()
    account.set_unusable_password()
    account.save()
    request = rq(reauthenticated=False)
    _flow, token = service.start_reauthentication_code(request, account)
    with pytest.raises(OtpError):
        service.reauthenticate(
            request, account, code="000000" if last_otp("0912345678") != "000000" else "111111", token=token
        )
    assert service.reauthentication_needed(request)
    service.reauthenticate(request, account, code=last_otp("0912345678"), token=token)
    assert not service.reauthentication_needed(request)


def test_an_account_with_a_password_cannot_reauthenticate_by_otp_alone():
    account = make_citizen()
    with pytest.raises(MethodRefused):
        service.start_reauthentication_code(rq(), account)


# --- Phones ---------------------------------------------------------------------------------------------


def test_adding_a_phone_sends_the_otp_to_the_new_phone_and_stores_it_as_an_extra_phone():
    account = make_citizen()
    request = rq()
    _flow, token = service.start_add_phone(request, account, phone="098 765 4321")
    assert last_message_to("0912345678") is None  # nothing to the OTP phone
    phone = service.confirm_add_phone(request, account, token=token, code=last_otp(SECOND_PHONE))
    assert phone.number == SECOND_PHONE
    assert not phone.is_default
    assert account.otp_phone.number == "0912345678"
    assert audited("account.phone_added", account).get().details == {"phone": "098****321"}


def test_a_wrong_code_does_not_add_the_phone():
    account = make_citizen()
    _flow, token = service.start_add_phone(rq(), account, phone=SECOND_PHONE)
    wrong = "123456" if last_otp(SECOND_PHONE) != "123456" else "654321"
    with pytest.raises(OtpError):
        service.confirm_add_phone(rq(), account, token=token, code=wrong)
    assert account.phones.count() == 1


def test_a_phone_already_on_the_account_is_not_added_twice():
    account = make_citizen(extra_phones=[SECOND_PHONE])
    with pytest.raises(MethodRefused) as refused:
        service.start_add_phone(rq(), account, phone=SECOND_PHONE)
    assert refused.value.code == "phone_exists"
    assert last_message_to(SECOND_PHONE) is None


def test_an_invalid_number_is_refused_on_its_field():
    account = make_citizen()
    with pytest.raises(InvalidInput) as refused:
        service.start_add_phone(rq(), account, phone="12345")
    assert "phone" in refused.value.fields


def test_another_account_cannot_confirm_a_phone_someone_else_is_adding():
    account = make_citizen()
    other = make_citizen(id_number="038085004321", full_name="Lê Văn Cường", phone="0971112233")
    _flow, token = service.start_add_phone(rq(), account, phone=SECOND_PHONE)
    with pytest.raises(NotFound):
        service.confirm_add_phone(rq(), other, token=token, code=last_otp(SECOND_PHONE))
    assert not other.phones.filter(is_default=False).exists()


def test_changing_the_otp_phone_needs_an_otp_to_that_phone_and_tells_the_old_phone_and_email():
    account = make_citizen(extra_phones=[SECOND_PHONE], email="an@example.vn")
    second = account.phones.get(is_default=False)
    request = rq()
    _flow, token, _phone = service.start_set_default_phone(request, account, phone_id=second.pk)
    service.set_default_phone(request, account, token=token, code=last_otp(SECOND_PHONE))
    assert account.otp_phone.number == SECOND_PHONE
    assert Phone.objects.get(pk=second.pk).is_default
    assert Phone.objects.filter(account=account).count() == 2  # the old phone stays, as an extra
    old_notice = last_message_to("0912345678")
    assert old_notice.purpose == "otp_phone_changed"
    assert "098****321" in old_notice.body
    assert last_message_to("an@example.vn", channel="email").purpose == "otp_phone_changed"
    event = audited("account.otp_phone_changed", account).get()
    assert event.details["old_phone"] == "091****678"
    assert event.details["new_phone"] == "098****321"


def test_a_new_number_made_the_otp_phone_needs_no_second_code():
    account = make_citizen()
    request = rq()
    _flow, token = service.start_add_phone(request, account, phone=SECOND_PHONE, make_default=True)
    phone = service.confirm_add_phone(request, account, token=token, code=last_otp(SECOND_PHONE))
    assert phone.is_default
    assert messages_to(SECOND_PHONE).count() == 1  # only the one OTP
    assert last_message_to("0912345678").purpose == "otp_phone_changed"


def test_the_first_phone_of_an_account_without_one_becomes_the_otp_phone():
    account = make_citizen(phone=None)
    add_certificate(account)
    request = rq()
    _flow, token = service.start_add_phone(request, account, phone=SECOND_PHONE)
    assert service.confirm_add_phone(request, account, token=token, code=last_otp(SECOND_PHONE)).is_default


def test_the_otp_phone_is_not_made_the_otp_phone_again():
    account = make_citizen()
    with pytest.raises(MethodRefused) as refused:
        service.start_set_default_phone(rq(), account, phone_id=account.otp_phone.pk)
    assert refused.value.code == "already_default"


def test_an_extra_phone_can_be_removed():
    account = make_citizen(extra_phones=[SECOND_PHONE], email="an@example.vn")
    second = account.phones.get(is_default=False)
    service.remove_phone(rq(), account, phone_id=second.pk)
    assert list(account.phones.values_list("pk", flat=True)) == [account.otp_phone.pk]
    assert audited("account.phone_removed", account).get().details == {"phone": "098****321"}
    assert last_message_to("an@example.vn", channel="email").purpose == "phone_removed"


def test_the_last_method_cannot_be_removed():
    account = make_citizen()
    with pytest.raises(MethodRefused) as refused:
        service.remove_phone(rq(), account, phone_id=account.otp_phone.pk)
    assert refused.value.code == "last_method"
    assert "duy nhất" in refused.value.message
    assert account.phones.count() == 1


def test_the_otp_phone_is_removed_only_after_another_phone_became_the_otp_phone():
    account = make_citizen(extra_phones=[SECOND_PHONE])
    with pytest.raises(MethodRefused) as refused:
        service.remove_phone(rq(), account, phone_id=account.otp_phone.pk)
    assert refused.value.code == "choose_new_default_first"
    assert account.phones.count() == 2


def test_a_confirmed_authenticator_app_counts_as_a_method():
    account = make_citizen()
    add_totp(account)
    service.remove_phone(rq(), account, phone_id=account.otp_phone.pk)
    assert not account.phones.exists()


def test_an_expired_certificate_does_not_count_as_a_method():
    account = make_citizen()
    add_certificate(account, days=-1)
    with pytest.raises(MethodRefused) as refused:
        service.remove_phone(rq(), account, phone_id=account.otp_phone.pk)
    assert refused.value.code == "last_method"


def test_another_accounts_phone_cannot_be_removed():
    account = make_citizen(extra_phones=[SECOND_PHONE])
    other = make_citizen(id_number="038085004321", full_name="Lê Văn Cường", phone="0971112233")
    with pytest.raises(NotFound):
        service.remove_phone(rq(), other, phone_id=account.phones.get(is_default=False).pk)
    assert account.phones.count() == 2


# --- Certificates ---------------------------------------------------------------------------------------


def test_a_certificate_is_removed_when_another_method_remains():
    account = make_citizen()
    certificate = add_certificate(account)
    service.remove_certificate(rq(), account, certificate_id=certificate.pk)
    assert not account.certificates.exists()
    assert audited("account.certificate_removed", account).get().details["serial_number"] == "1a2b3c"


def test_a_business_cannot_remove_its_last_certificate_even_with_a_phone():
    business = make_business()
    Phone.objects.create(account=business, number=SECOND_PHONE, is_default=True)
    certificate = add_certificate(business)
    with pytest.raises(MethodRefused) as refused:
        service.remove_certificate(rq(), business, certificate_id=certificate.pk)
    assert refused.value.code == "last_method"
    assert business.certificates.count() == 1


def test_another_accounts_certificate_cannot_be_removed():
    account = make_citizen()
    certificate = add_certificate(account)
    other = make_citizen(id_number="038085004321", full_name="Lê Văn Cường", phone="0971112233")
    add_certificate(other, serial="ffee")
    with pytest.raises(NotFound):
        service.remove_certificate(rq(), other, certificate_id=certificate.pk)
    assert Certificate.objects.filter(pk=certificate.pk).exists()


# --- Authenticator app ----------------------------------------------------------------------------------


def test_a_citizen_enrols_an_authenticator_app_with_a_code_from_it():
    account = make_citizen(email="an@example.vn")
    request = rq()
    enrolment = service.start_totp_enrolment(request, account)
    assert enrolment.uri.startswith("otpauth://totp/")
    assert "001088012345" not in enrolment.uri
    assert not selectors.authentication_methods(account).totp
    service.confirm_totp(request, account, code=pyotp.TOTP(enrolment.secret).now())
    methods = selectors.authentication_methods(account)
    assert methods.totp is not None
    assert methods.count == 2
    assert audited("account.totp_added", account).exists()
    assert last_message_to("an@example.vn", channel="email").purpose == "totp_added"


def test_a_wrong_authenticator_code_does_not_confirm_the_app():
    account = make_citizen()
    enrolment = service.start_totp_enrolment(rq(), account)
    code = pyotp.TOTP(enrolment.secret).now()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(OtpError) as refused:
        service.confirm_totp(rq(), account, code=wrong)
    assert refused.value.code == "totp_invalid"
    assert TotpDevice.objects.get(account=account).confirmed_at is None


def test_an_account_with_an_authenticator_app_cannot_start_a_second_one():
    account = make_citizen()
    add_totp(account)
    with pytest.raises(MethodRefused) as refused:
        service.start_totp_enrolment(rq(), account)
    assert refused.value.code == "totp_exists"


def test_a_citizen_removes_the_authenticator_app():
    account = make_citizen()
    add_totp(account)
    service.remove_totp(rq(), account)
    assert not TotpDevice.objects.filter(account=account).exists()
    assert audited("account.totp_removed", account).exists()


def test_an_official_cannot_remove_the_mandatory_authenticator_app():
    official, _secret = make_official()
    Phone.objects.create(account=official, number=SECOND_PHONE, is_default=True)
    with pytest.raises(MethodRefused) as refused:
        service.remove_totp(rq(), official)
    assert refused.value.code == "totp_required"
    assert TotpDevice.objects.filter(account=official).exists()


# --- Selectors ------------------------------------------------------------------------------------------


def event(account, *, ago, success=True, reason="", device="Chrome 131 · Windows 10", user_agent=""):
    return AccessEvent.objects.create(
        account=account,
        at=timezone.now() - ago,
        ip_address="203.0.113.7",
        device=device,
        user_agent=user_agent,
        method=AccessMethod.PASSWORD_OTP,
        success=success,
        reason=reason,
    )


def test_the_access_history_is_paginated_20_a_page_newest_first():
    account = make_citizen()
    for minutes in range(25):
        event(account, ago=timedelta(minutes=minutes))
    first = selectors.access_history(account, 1)
    second = selectors.access_history(account, 2)
    assert (first.count, first.pages, len(first.items), len(second.items)) == (25, 2, 20, 5)
    times = [row.at for row in first.items + second.items]
    assert times == sorted(times, reverse=True)
    assert selectors.access_history(account, "x").page == 1
    assert selectors.access_history(account, 99).page == 2


def test_the_access_history_holds_only_the_accounts_own_events_of_the_last_90_days():
    account = make_citizen()
    other = make_citizen(id_number="038085004321", full_name="Lê Văn Cường", phone="0971112233")
    event(account, ago=timedelta(days=89))
    event(account, ago=timedelta(days=91))
    event(other, ago=timedelta(days=1))
    history = selectors.access_history(account, 1)
    assert history.count == 1
    assert history.items[0].at < timezone.now() - timedelta(days=88)


def test_a_failure_says_why_in_words_and_an_unknown_device_shows_a_short_user_agent():
    account = make_citizen()
    agent = "Mozilla/5.0 (X11; SomeOS x86_64) AppleWebKit/537.36 (KHTML, like Gecko) UnknownBrowser/1.2.3.4"
    event(account, ago=timedelta(minutes=2), success=False, reason="wrong_password")
    event(
        account, ago=timedelta(minutes=1), success=False, reason="some_new_code", device="", user_agent=agent
    )
    newest, older = selectors.access_history(account, 1).items
    assert older.reason == "Sai mật khẩu"
    assert newest.reason == "Xác thực không thành công"
    assert newest.device.endswith("…") and len(newest.device) <= 60
    assert agent.startswith(newest.device[:-1])


# --- Pages ----------------------------------------------------------------------------------------------


def signed_in(client, account, *, reauthenticated=True):
    client.force_login(account)
    session = client.session
    now = timezone.now().timestamp()
    session["opendvc_signed_in_at"] = session["opendvc_last_seen"] = now
    if reauthenticated:
        session[REAUTHENTICATED_AT] = now
    session.save()
    return client


ACCOUNT_PAGES = [
    "/tai-khoan/",
    "/tai-khoan/thong-tin-ca-nhan/",
    "/tai-khoan/phuong-thuc-xac-thuc/",
    "/tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/",
    "/tai-khoan/doi-so-dien-thoai-nhan-otp/",
    "/tai-khoan/phuong-thuc-xac-thuc/ung-dung-xac-thuc/",
    "/tai-khoan/xac-thuc-lai/",
    "/tai-khoan/lich-su-truy-cap/",
]


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_account_pages_send_visitors_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/?next={url}"


def test_the_account_page_shows_masked_identity_and_how_it_was_verified(client):
    account = make_citizen(old_id_number="012345678")
    html = signed_in(client, account).get("/tai-khoan/").content.decode()
    assert "0010******45" in html
    assert "01*****78" in html
    assert "001088012345" not in html and "012345678" not in html
    assert "091****678" in html and "0912345678" not in html
    assert "12/05/1988" in html
    assert "Mức 2" in html and "Thuê bao di động" in html
    assert re.search(r'aria-current="page"[^>]*>Thông tin tài khoản<', html)
    assert "Đăng xuất khỏi mọi thiết bị" in html


def test_the_account_page_of_a_business_shows_its_tax_code_and_masked_representative(client):
    business = make_business()
    add_certificate(business)
    html = signed_in(client, business).get("/tai-khoan/").content.decode()
    assert "0101234567" in html
    assert "Nguyễn Văn An" in html and "0010******45" in html
    assert "OpenDVC Test CA" in html  # level 3: who issued the certificate


def test_the_account_page_of_an_official_shows_agency_and_roles(client):
    official, _secret = make_official(roles=("desk_clerk", "handler"))
    html = signed_in(client, official).get("/tai-khoan/").content.decode()
    assert "Ủy ban nhân dân phường Hoàn Kiếm" in html
    assert "Cán bộ tiếp nhận (một cửa)" in html and "Cán bộ xử lý" in html


def test_the_personal_info_page_keeps_what_was_typed_on_an_error(client):
    account = make_citizen()
    response = signed_in(client, account).post(
        "/tai-khoan/thong-tin-ca-nhan/", {"address": "Số 5 phố Huế", "email": "an@@example"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Địa chỉ thư điện tử không hợp lệ." in html
    assert 'value="an@@example"' in html and "Số 5 phố Huế" in html


def test_the_personal_info_page_shows_registry_fields_locked_with_the_reason(client):
    html = signed_in(client, make_citizen()).get("/tai-khoan/thong-tin-ca-nhan/").content.decode()
    assert re.search(r'value="Nguyễn Văn An" readonly', html)
    assert re.search(r'value="0010\*{6}45" readonly', html)
    assert "Cơ sở dữ liệu quốc gia về dân cư" in html


def test_the_personal_info_page_saves(client):
    account = make_citizen()
    response = signed_in(client, account).post(
        "/tai-khoan/thong-tin-ca-nhan/", {"address": "Số 5 phố Huế", "email": "an@example.vn"}, follow=True
    )
    assert "Đã lưu thông tin cá nhân." in response.content.decode()
    account.refresh_from_db()
    assert account.email == "an@example.vn"


def test_changing_a_method_after_five_minutes_asks_to_reauthenticate_and_comes_back(client):
    account = make_citizen()
    with freeze_time("2026-03-02 09:00:00") as frozen:
        signed_in(client, account)
        frozen.tick(timedelta(minutes=6))
        response = client.get("/tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/")
        assert response.status_code == 302
        assert response["Location"] == (
            "/tai-khoan/xac-thuc-lai/?next=%2Ftai-khoan%2Fphuong-thuc-xac-thuc%2Fthem-so-dien-thoai%2F"
        )
        wrong = client.post(response["Location"], {"password": "Sai-mat-khau#1", "next": "/tai-khoan/"})
        assert wrong.status_code == 400
        assert "Mật khẩu không đúng." in wrong.content.decode()
        back = client.post(
            "/tai-khoan/xac-thuc-lai/",
            {"password": PASSWORD, "next": "/tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/"},
        )
        assert back["Location"] == "/tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/"
        assert client.get(back["Location"]).status_code == 200


def test_reauthentication_does_not_send_people_to_another_site(client):
    response = signed_in(client, make_citizen(), reauthenticated=False).post(
        "/tai-khoan/xac-thuc-lai/", {"password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/tai-khoan/phuong-thuc-xac-thuc/"


def test_adding_a_phone_through_the_pages(client):
    account = make_citizen()
    signed_in(client, account)
    response = client.post("/tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/", {"phone": SECOND_PHONE})
    assert response["Location"] == "/tai-khoan/phuong-thuc-xac-thuc/xac-nhan-so-dien-thoai/"
    page = client.get(response["Location"]).content.decode()
    assert "098****321" in page
    done = client.post(
        response["Location"], {"action": "confirm", "code": last_otp(SECOND_PHONE)}, follow=True
    )
    assert "Đã thêm số điện thoại 098****321 vào tài khoản." in done.content.decode()
    assert account.phones.count() == 2


def test_the_removal_page_of_the_last_method_says_why_and_offers_no_button(client):
    account = make_citizen()
    html = (
        signed_in(client, account)
        .get(f"/tai-khoan/phuong-thuc-xac-thuc/so-dien-thoai/{account.otp_phone.pk}/xoa/")
        .content.decode()
    )
    assert "phương thức đăng nhập duy nhất" in html
    assert 'type="submit">Xóa<' not in html
    response = client.post(f"/tai-khoan/phuong-thuc-xac-thuc/so-dien-thoai/{account.otp_phone.pk}/xoa/")
    assert response.status_code == 400
    assert account.phones.count() == 1


def test_the_removal_page_of_another_accounts_phone_is_not_found(client):
    account = make_citizen(extra_phones=[SECOND_PHONE])
    other = make_citizen(id_number="038085004321", full_name="Lê Văn Cường", phone="0971112233")
    url = f"/tai-khoan/phuong-thuc-xac-thuc/so-dien-thoai/{account.phones.get(is_default=False).pk}/xoa/"
    assert signed_in(client, other).post(url).status_code == 404
    assert account.phones.count() == 2


def test_the_methods_page_lists_phones_masked_and_certificates(client):
    account = make_citizen(extra_phones=[SECOND_PHONE])
    add_certificate(account)
    html = signed_in(client, account).get("/tai-khoan/phuong-thuc-xac-thuc/").content.decode()
    assert "091****678" in html and "098****321" in html
    assert SECOND_PHONE not in html
    assert "OpenDVC Test CA" in html and "1a2b3c" in html
    assert '<th scope="col">' in html


def test_the_authenticator_page_shows_an_accessible_qr_code_and_the_secret(client):
    account = make_citizen()
    signed_in(client, account)
    client.post("/tai-khoan/phuong-thuc-xac-thuc/ung-dung-xac-thuc/", {"action": "start"})
    html = client.get("/tai-khoan/phuong-thuc-xac-thuc/ung-dung-xac-thuc/").content.decode()
    secret = TotpDevice.objects.get(account=account).secret
    assert re.search(r'<svg role="img" aria-labelledby="totp-qr-title"', html)
    assert '<title id="totp-qr-title">' in html
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    done = client.post(
        "/tai-khoan/phuong-thuc-xac-thuc/ung-dung-xac-thuc/",
        {"action": "confirm", "code": pyotp.TOTP(secret).now()},
    )
    assert done["Location"] == "/tai-khoan/phuong-thuc-xac-thuc/"
    assert TotpDevice.objects.get(account=account).confirmed_at is not None


def test_the_access_history_page_is_a_captioned_table_with_pages(client):
    account = make_citizen()
    for minutes in range(21):
        event(account, ago=timedelta(minutes=minutes), success=minutes != 0, reason="otp_invalid")
    html = signed_in(client, account).get("/tai-khoan/lich-su-truy-cap/").content.decode()
    assert "<caption" in html and "trang 1 / 2" in html
    assert '<th scope="col">Thời gian</th>' in html
    assert "Thất bại</span>: Sai mã OTP" in html
    assert 'href="?page=2"' in html and "Trang sau" in html
    second = client.get("/tai-khoan/lich-su-truy-cap/?page=2").content.decode()
    assert "Trang trước" in second and "trang 2 / 2" in second


def test_sign_out_everywhere_ends_the_other_sessions_too(client):
    account = make_citizen()
    other_device = signed_in(Client(), account)
    signed_in(client, account)
    assert other_device.get("/tai-khoan/").status_code == 200
    response = client.post("/tai-khoan/dang-xuat-moi-thiet-bi/", follow=True)
    assert response.redirect_chain[-1][0] == "/dang-nhap/"
    assert "Bạn đã đăng xuất khỏi mọi thiết bị." in response.content.decode()
    assert client.get("/tai-khoan/").status_code == 302
    assert other_device.get("/tai-khoan/")["Location"].startswith("/dang-nhap/")
    assert audited("account.signed_out_everywhere", account).exists()


def test_sign_out_everywhere_is_a_post_protected_by_csrf():
    account = make_citizen()
    browser = signed_in(Client(enforce_csrf_checks=True), account)
    assert browser.get("/tai-khoan/dang-xuat-moi-thiet-bi/").status_code == 405
    assert browser.post("/tai-khoan/dang-xuat-moi-thiet-bi/").status_code == 403
    account.refresh_from_db()
    assert account.session_epoch == 0


def test_changing_methods_is_protected_by_csrf():
    account = make_citizen(extra_phones=[SECOND_PHONE])
    browser = signed_in(Client(enforce_csrf_checks=True), account)
    phone = account.phones.get(is_default=False)
    assert browser.post(f"/tai-khoan/phuong-thuc-xac-thuc/so-dien-thoai/{phone.pk}/xoa/").status_code == 403
    assert browser.post("/tai-khoan/thong-tin-ca-nhan/", {"email": "x@example.vn"}).status_code == 403
    assert account.phones.count() == 2


def test_changing_the_otp_phone_to_an_existing_phone_through_the_pages(client):
    account = make_citizen(extra_phones=[SECOND_PHONE])
    second = account.phones.get(is_default=False)
    signed_in(client, account)
    choice = client.get("/tai-khoan/doi-so-dien-thoai-nhan-otp/").content.decode()
    assert f"/tai-khoan/phuong-thuc-xac-thuc/so-dien-thoai/{second.pk}/nhan-otp/" in choice
    started = client.post(f"/tai-khoan/phuong-thuc-xac-thuc/so-dien-thoai/{second.pk}/nhan-otp/")
    assert started["Location"] == "/tai-khoan/doi-so-dien-thoai-nhan-otp/xac-nhan/"
    wrong = "123456" if last_otp(SECOND_PHONE) != "123456" else "654321"
    refused = client.post(started["Location"], {"action": "confirm", "code": wrong})
    assert refused.status_code == 400 and "Mã OTP không đúng" in refused.content.decode()
    done = client.post(
        started["Location"], {"action": "confirm", "code": last_otp(SECOND_PHONE)}, follow=True
    )
    assert "Đã đổi số điện thoại nhận OTP sang 098****321." in done.content.decode()
    assert account.otp_phone.pk == second.pk


def test_an_account_without_a_password_reauthenticates_with_an_otp_through_the_page(client):
    account = make_citizen()
    account.set_unusable_password()
    account.save()
    signed_in(client, account, reauthenticated=False)
    url = "/tai-khoan/xac-thuc-lai/?next=/tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/"
    assert "Gửi mã OTP" in client.get(url).content.decode()
    assert last_message_to("0912345678") is None  # nothing is sent by just opening the page
    sent = client.post(url, {"action": "send", "next": "/tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/"})
    assert sent.status_code == 302
    assert 'name="code"' in client.get(sent["Location"]).content.decode()
    done = client.post(
        "/tai-khoan/xac-thuc-lai/",
        {
            "action": "confirm",
            "code": last_otp("0912345678"),
            "next": "/tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/",
        },
    )
    assert done["Location"] == "/tai-khoan/phuong-thuc-xac-thuc/them-so-dien-thoai/"
    assert client.get(done["Location"]).status_code == 200
