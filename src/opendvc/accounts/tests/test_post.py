"""Registration at a Vietnam Post counter and the citizen's activation, through the services and pages."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client, RequestFactory
from freezegun import freeze_time

from opendvc.accounts.errors import AccountExists, Forbidden, RegistryDown, RegistryMismatch
from opendvc.accounts.models import Account, ActivationCode, Phone
from opendvc.accounts.services import login, post
from opendvc.accounts.services.common import InvalidInput
from opendvc.accounts.tests.factories import last_otp, make_citizen, make_official
from opendvc.core.errors import DomainError
from opendvc.core.limits import RateLimited
from opendvc.core.models import AuditEvent
from opendvc.notifications.models import Message
from opendvc.notifications.selectors import last_message_to, messages_to

pytestmark = pytest.mark.django_db

LAN = {
    "id_number": "001195008888",
    "full_name": "Bùi Thị Lan",
    "date_of_birth": date(1995, 3, 8),
    "gender": "female",
    "phone": "0932223344",
    "email": "",
    "id_card_checked": True,
}
NEW_PASSWORD = "Lan#Buudien2026"


@pytest.fixture
def rq():
    return RequestFactory().post("/", REMOTE_ADDR="203.0.113.40", HTTP_USER_AGENT="Mozilla/5.0 Firefox/133.0")


@pytest.fixture
def clerk():
    account, _secret = make_official(
        username="buudien.hoankiem", roles=("post_clerk",), full_name="Đặng Văn Nam"
    )
    return account


def activation_code(phone="0932223344"):
    message = last_message_to(phone)
    assert message is not None, f"no SMS to {phone}"
    return re.search(r"Mã kích hoạt: ([A-Z0-9]{8})", message.body).group(1)


def register(rq, clerk, **changes):
    return post.register_at_post(rq, clerk, **(LAN | changes))


def activate(rq, code, id_number="001195008888", password=NEW_PASSWORD, confirm=None):
    return post.activate_account(
        rq, id_number=id_number, code=code, password=password, password_confirm=confirm or password
    )


# --- Registration by the clerk -------------------------------------------------------------------------


def test_the_clerk_creates_a_level_2_account_without_a_password_and_the_citizen_gets_an_sms(rq, clerk):
    account = register(rq, clerk)
    assert account.kind == "citizen" and account.assurance_level == 2
    assert account.registration_method == "vietnam_post"
    assert account.registered_by == clerk
    assert account.full_name == "Bùi Thị Lan" and account.id_number == "001195008888"
    assert not account.has_usable_password()
    phone = Phone.objects.get(account=account)
    assert phone.is_default and phone.number == "0932223344"
    assert phone.carrier_verified_at is not None  # her number is registered to her at the carrier

    sms = last_message_to("0932223344")
    code = activation_code()
    assert f"/kich-hoat/?ma={code}" in sms.body
    assert "001195008888" not in sms.body and "Lan" not in sms.body
    stored = ActivationCode.objects.get(account=account)
    assert stored.code_hash != code and code not in stored.code_hash
    assert stored.expires_at - stored.created_at == timedelta(hours=72)
    registered = AuditEvent.objects.get(action="account.registered", target_id=str(account.pk))
    assert registered.actor == clerk and registered.details["method"] == "vietnam_post"
    assert AuditEvent.objects.filter(action="identity.viewed", actor=clerk).exists()


def test_a_number_not_registered_to_the_person_is_accepted_but_not_marked_carrier_verified(rq, clerk):
    account = register(rq, clerk, phone="0903334444")
    assert account.otp_phone.carrier_verified_at is None
    assert last_message_to("0903334444") is not None


def test_only_a_post_clerk_can_register_at_the_counter(rq):
    desk_clerk, _ = make_official(roles=("desk_clerk", "agency_admin"))
    with pytest.raises(Forbidden) as refused:
        register(rq, desk_clerk)
    assert refused.value.status == 403
    assert not Account.objects.filter(kind="citizen").exists()


def test_the_clerk_must_confirm_checking_the_original_id_card(rq, clerk):
    with pytest.raises(InvalidInput) as refused:
        register(rq, clerk, id_card_checked=False)
    assert "id_card_checked" in refused.value.fields
    assert not Account.objects.filter(kind="citizen").exists()


def test_an_id_that_already_has_an_account_is_refused(rq, clerk):
    make_citizen(id_number="001195008888", full_name="Bùi Thị Lan", phone="0932223344")
    with pytest.raises(AccountExists):
        register(rq, clerk)
    assert ActivationCode.objects.count() == 0


def test_a_registry_that_is_down_leaves_nothing_behind(rq, clerk):
    with pytest.raises(RegistryDown) as refused:
        register(
            rq,
            clerk,
            id_number="001099000000",
            full_name="Ngô Văn Khánh",
            date_of_birth=date(1999, 12, 31),
            gender="male",
            phone="0919999000",
        )
    assert refused.value.status == 503
    assert not Account.objects.filter(kind="citizen").exists()
    assert not Message.objects.exists()


def test_details_that_differ_from_the_registry_and_deceased_people_are_refused(rq, clerk):
    with pytest.raises(RegistryMismatch) as mismatch:
        register(rq, clerk, date_of_birth=date(1995, 3, 9))
    assert set(mismatch.value.fields) == {"date_of_birth"}
    with pytest.raises(RegistryMismatch) as deceased:
        register(
            rq,
            clerk,
            id_number="001060009999",
            full_name="Hoàng Văn Em",
            date_of_birth=date(1960, 1, 1),
            gender="male",
            phone="0911000111",
        )
    assert deceased.value.code == "person_not_eligible"
    assert not Account.objects.filter(kind="citizen").exists()


# --- Activation by the citizen ------------------------------------------------------------------------------


def test_activation_sets_the_password_and_the_citizen_then_signs_in_with_an_otp(rq, clerk):
    account = register(rq, clerk)
    code = activation_code()
    assert activate(rq, code.lower()) == account
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    assert ActivationCode.objects.get(account=account).used_at is not None
    assert AuditEvent.objects.filter(action="account.activated", target_id=str(account.pk)).exists()
    _flow, token = login.start_password_login(rq, id_number="001195008888", password=NEW_PASSWORD)
    assert login.finish_otp_login(rq, token, last_otp("0932223344")) == account


def test_an_activation_code_works_once(rq, clerk):
    register(rq, clerk)
    code = activation_code()
    activate(rq, code)
    with pytest.raises(DomainError) as again:
        activate(rq, code, password="Other#Pass2026")
    assert again.value.code == "already_activated"


def test_a_wrong_code_and_a_wrong_id_get_the_same_answer(rq, clerk):
    register(rq, clerk)
    code = activation_code()
    with pytest.raises(DomainError) as wrong_code:
        activate(rq, "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA")
    with pytest.raises(DomainError) as wrong_id:
        activate(rq, code, id_number="001088012345")
    with pytest.raises(DomainError) as unknown_id:
        activate(rq, code, id_number="001088099999")
    assert wrong_code.value.message == wrong_id.value.message == unknown_id.value.message
    assert wrong_code.value.code == wrong_id.value.code == unknown_id.value.code == "activation_invalid"


def test_five_wrong_codes_void_the_code_and_the_counter_must_resend(rq, clerk):
    account = register(rq, clerk)
    code = activation_code()
    wrong = "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA"
    for _ in range(5):
        with pytest.raises(DomainError) as refused:
            activate(rq, wrong)
        assert refused.value.code == "activation_invalid"
    with pytest.raises(DomainError) as locked:
        activate(rq, code)
    assert locked.value.code == "activation_locked"
    assert "bưu điện" in locked.value.message
    post.resend_activation(rq, clerk, account)
    assert activate(rq, activation_code()) == account


def test_an_expired_code_is_refused_with_a_clear_message(rq, clerk):
    start = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    with freeze_time(start):
        register(rq, clerk)
        code = activation_code()
    with freeze_time(start + timedelta(hours=72, seconds=1)), pytest.raises(DomainError) as expired:
        activate(rq, code)
    assert expired.value.code == "activation_expired"
    assert "72 giờ" in expired.value.message
    with freeze_time(start + timedelta(hours=71, minutes=59)):
        activate(rq, code)


def test_the_password_rule_applies_and_a_refused_password_does_not_use_the_code(rq, clerk):
    account = register(rq, clerk)
    code = activation_code()
    with pytest.raises(InvalidInput) as weak:
        activate(rq, code, password="abcdefgh")
    assert "chữ in hoa" in " ".join(weak.value.fields["password"])
    with pytest.raises(InvalidInput) as personal:
        activate(rq, code, password="Lan@0932223344")
    assert "số điện thoại" in " ".join(personal.value.fields["password"])
    with pytest.raises(InvalidInput) as different:
        activate(rq, code, password=NEW_PASSWORD, confirm=NEW_PASSWORD + "x")
    assert "password_confirm" in different.value.fields
    assert activate(rq, code) == account


def test_resending_voids_the_old_code(rq, clerk):
    account = register(rq, clerk)
    old = activation_code()
    post.resend_activation(rq, clerk, account)
    new = activation_code()
    assert new != old
    with pytest.raises(DomainError) as replaced:
        activate(rq, old)
    assert replaced.value.code == "activation_replaced"
    assert activate(rq, new) == account
    assert messages_to("0932223344").count() == 2


def test_only_the_clerk_who_registered_resends_and_only_before_activation(rq, clerk):
    account = register(rq, clerk)
    other, _ = make_official(username="buudien.khac", roles=("post_clerk",))
    with pytest.raises(Forbidden):
        post.resend_activation(rq, other, account)
    activate(rq, activation_code())
    with pytest.raises(DomainError) as activated:
        post.resend_activation(rq, clerk, account)
    assert activated.value.code == "already_activated"


def test_activation_attempts_are_rate_limited_per_ip(rq, clerk, monkeypatch):
    monkeypatch.setattr(post, "ACTIVATION_LIMITS_PER_IP", ["3/h"])
    register(rq, clerk)
    for _ in range(3):
        with pytest.raises(DomainError):
            activate(rq, "WRONGCDE")
    with pytest.raises(RateLimited):
        activate(rq, activation_code())
    elsewhere = RequestFactory().post("/", REMOTE_ADDR="203.0.113.41")
    activate(elsewhere, activation_code())


# --- Pages ------------------------------------------------------------------------------------------------


def form_data(**changes):
    data = LAN | {"date_of_birth": "1995-03-08", "id_card_checked": "on"} | changes
    return {key: value for key, value in data.items() if value is not None}


def test_the_clerk_registers_on_the_page_and_sees_masked_numbers(client, clerk):
    client.force_login(clerk)
    page = client.get("/buu-dien/dang-ky/").content.decode()
    assert "Các trường có dấu * là bắt buộc." in page and "required-mark" in page
    response = client.post("/buu-dien/dang-ky/", form_data())
    assert response.status_code == 302
    confirmation = client.get(response["Location"]).content.decode()
    assert "0011******88" in confirmation and "093****344" in confirmation
    assert "Đã gửi tin nhắn kích hoạt" in confirmation
    assert "001195008888" not in confirmation and "0932223344" not in confirmation


def test_the_page_refuses_an_unticked_id_card_box(client, clerk):
    client.force_login(clerk)
    response = client.post("/buu-dien/dang-ky/", form_data(id_card_checked=None))
    assert response.status_code == 400
    assert "bản gốc thẻ căn cước" in response.content.decode()
    assert not Account.objects.filter(kind="citizen").exists()


def test_the_page_says_when_the_registry_is_down(client, clerk):
    client.force_login(clerk)
    response = client.post(
        "/buu-dien/dang-ky/",
        form_data(
            id_number="001099000000",
            full_name="Ngô Văn Khánh",
            date_of_birth="1999-12-31",
            gender="male",
            phone="0919999000",
        ),
    )
    assert response.status_code == 503
    assert "tạm thời không phản hồi" in response.content.decode()


def test_officials_without_the_post_clerk_role_get_a_403(client):
    desk_clerk, _ = make_official()
    client.force_login(desk_clerk)
    response = client.get("/buu-dien/dang-ky/")
    assert response.status_code == 403
    assert "nhân viên Bưu điện" in response.content.decode()


def test_the_confirmation_page_resends_and_is_only_for_the_clerk_who_registered(client, clerk, rq):
    account = register(rq, clerk)
    first = activation_code()
    client.force_login(clerk)
    url = f"/buu-dien/da-dang-ky/{account.pk}/"
    response = client.post(url, {"action": "resend"}, follow=True)
    assert "Đã gửi lại tin nhắn kích hoạt" in response.content.decode()
    assert activation_code() != first
    other, _ = make_official(username="buudien.khac", roles=("post_clerk",))
    client.force_login(other)
    assert client.get(url).status_code == 403


def test_the_activation_link_fills_in_the_code_and_sends_the_citizen_to_sign_in(client, clerk, rq):
    register(rq, clerk)
    code = activation_code()
    page = client.get(f"/kich-hoat/?ma={code}").content.decode()
    assert f'value="{code}"' in page
    data = {
        "id_number": "001195008888",
        "code": code,
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        "captcha_0": "x",
        "captcha_1": "PASSED",
    }
    response = client.post("/kich-hoat/", data, follow=True)
    assert response.redirect_chain[-1][0] == "/dang-nhap/"
    assert "Kích hoạt tài khoản thành công" in response.content.decode()


def test_a_wrong_activation_code_on_the_page_keeps_the_id_but_not_the_password(client, clerk, rq):
    register(rq, clerk)
    data = {
        "id_number": "001195008888",
        "code": "WRONGCDE",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        "captcha_0": "x",
        "captcha_1": "PASSED",
    }
    response = client.post("/kich-hoat/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Số định danh hoặc mã kích hoạt không đúng" in page
    assert 'value="001195008888"' in page and NEW_PASSWORD not in page


def test_activation_and_registration_posts_need_the_csrf_token(clerk):
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post("/kich-hoat/", {"id_number": "001195008888", "code": "X"}).status_code == 403
    csrf_client.force_login(clerk)
    assert csrf_client.post("/buu-dien/dang-ky/", form_data()).status_code == 403
