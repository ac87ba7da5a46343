"""Officials: username + password + authenticator (TOTP), enrolment, recovery codes, resets, the pages,
the admin and the demo accounts."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory, override_settings
from freezegun import freeze_time

from opendvc.accounts.errors import FlowExpired, Forbidden, InvalidCredentials, WrongStep
from opendvc.accounts.models import AccessEvent, Account, AuthFlow, RecoveryCode, TotpDevice
from opendvc.accounts.services import login, officials
from opendvc.accounts.services.common import InvalidInput
from opendvc.accounts.tests.factories import PASSWORD, make_citizen, make_official
from opendvc.core.errors import DomainError
from opendvc.core.limits import RateLimited
from opendvc.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 1, 5, 0, 0, tzinfo=UTC)  # 12:00 in Hà Nội, on a 30 s boundary


@pytest.fixture
def rq():
    return RequestFactory().post(
        "/", REMOTE_ADDR="198.51.100.30", HTTP_USER_AGENT="Mozilla/5.0 Firefox/133.0"
    )


def code_at(secret, when=NOON, steps=0):
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(when) + steps)


def password_step(rq, username="canbo.hoankiem"):
    _flow, token = login.start_password_login(rq, username=username, password=PASSWORD)
    return token


def other_code(code):
    return "000000" if code != "000000" else "111111"


# --- Sign-in with the authenticator -------------------------------------------------------------------


def test_an_enrolled_official_is_asked_for_the_authenticator_code_after_the_password(rq):
    make_official()
    token = password_step(rq)
    assert officials.second_factor_step(token) == "totp"


def test_a_current_code_signs_the_official_in_and_ends_the_flow(rq):
    official, secret = make_official()
    with freeze_time(NOON):
        token = password_step(rq)
        assert officials.verify_totp(rq, token, code_at(secret)) == official
    with pytest.raises(FlowExpired):
        officials.second_factor_step(token)


def test_a_code_one_step_off_is_accepted_but_two_steps_off_is_not(rq):
    _official, secret = make_official()
    with freeze_time(NOON):
        officials.verify_totp(rq, password_step(rq), code_at(secret, steps=-1))
        with pytest.raises(DomainError) as refused:
            officials.verify_totp(rq, password_step(rq), code_at(secret, steps=2))
    assert refused.value.code == "totp_invalid"


def test_a_code_cannot_be_used_twice(rq):
    _official, secret = make_official()
    with freeze_time(NOON):
        officials.verify_totp(rq, password_step(rq), code_at(secret))
        token = password_step(rq)
        with pytest.raises(DomainError) as replayed:
            officials.verify_totp(rq, token, code_at(secret))
        # An older step than the last one used is refused too.
        with pytest.raises(DomainError):
            officials.verify_totp(rq, token, code_at(secret, steps=-1))
    assert "đã được dùng" in replayed.value.message
    assert AccessEvent.objects.filter(reason="replayed_totp", success=False).exists()


def test_wrong_codes_say_how_many_tries_are_left_and_the_fifth_ends_the_flow(rq):
    official, secret = make_official()
    with freeze_time(NOON):
        token = password_step(rq)
        wrong = other_code(code_at(secret))
        for left in (4, 3, 2, 1):
            with pytest.raises(DomainError, match=f"còn {left} lần"):
                officials.verify_totp(rq, token, wrong)
        with pytest.raises(DomainError) as ended:
            officials.verify_totp(rq, token, wrong)
        assert ended.value.code == "totp_attempts_exceeded"
        with pytest.raises(FlowExpired):
            officials.verify_totp(rq, token, code_at(secret))
    assert AccessEvent.objects.filter(account=official, method="password_totp", success=False).count() == 5


def test_attempts_per_account_are_capped_across_flows(rq, monkeypatch):
    monkeypatch.setattr(officials, "ATTEMPT_LIMITS_PER_ACCOUNT", ["3/h"])
    _official, secret = make_official()
    with freeze_time(NOON):
        for _ in range(3):
            with pytest.raises(DomainError):
                officials.verify_totp(rq, password_step(rq), other_code(code_at(secret)))
        with pytest.raises(RateLimited):
            officials.verify_totp(rq, password_step(rq), code_at(secret))


def test_a_reset_during_the_sign_in_ends_it(rq):
    official, secret = make_official()
    admin, _ = make_official(username="admin.hk", roles=("agency_admin",))
    token = password_step(rq)
    officials.reset_authenticator(admin, official)
    with pytest.raises(FlowExpired):
        officials.verify_totp(rq, token, code_at(secret))


def test_officials_cannot_use_the_citizen_sign_in(rq):
    official, _ = make_official()
    with pytest.raises(InvalidInput):
        login.start_password_login(rq, id_number="canbo.hoankiem", password=PASSWORD)
    official.id_number = "001088012345"
    official.save()
    with pytest.raises(InvalidCredentials):
        login.start_password_login(rq, id_number="001088012345", password=PASSWORD)


def test_citizens_cannot_use_the_officials_sign_in(rq):
    citizen = make_citizen()
    with pytest.raises(InvalidCredentials):
        login.start_password_login(rq, username=citizen.username, password=PASSWORD)


# --- Enrolment ----------------------------------------------------------------------------------------------


def test_the_first_sign_in_requires_enrolling_an_authenticator(rq):
    make_official(totp=False)
    token = password_step(rq)
    assert officials.second_factor_step(token) == "totp_enroll"
    with pytest.raises(WrongStep):
        officials.verify_totp(rq, token, "123456")


def test_enrolment_keeps_one_secret_and_names_the_portal_and_the_username(rq):
    make_official(totp=False)
    token = password_step(rq)
    first = officials.enrollment(token)
    assert officials.enrollment(token).secret == first.secret
    assert first.provisioning_uri.startswith(
        "otpauth://totp/C%E1%BB%95ng%20D%E1%BB%8Bch%20v%E1%BB%A5%20c%C3%B4ng:canbo.hoankiem?"
    )
    assert f"secret={first.secret}" in first.provisioning_uri
    assert first.grouped_secret.replace(" ", "") == first.secret


def test_enrolment_is_confirmed_with_a_current_code_and_issues_ten_hashed_recovery_codes(rq):
    official, _ = make_official(totp=False)
    with freeze_time(NOON):
        token = password_step(rq)
        secret = officials.enrollment(token).secret
        with pytest.raises(DomainError, match="còn 4 lần"):
            officials.confirm_enrollment(rq, token, other_code(code_at(secret)))
        assert not TotpDevice.objects.filter(account=official).exists()
        codes = officials.confirm_enrollment(rq, token, code_at(secret))
        assert officials.pending_recovery_codes(token) == codes
        assert officials.finish_enrollment(rq, token) == official
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code) for code in codes)
    stored = set(RecoveryCode.objects.filter(account=official).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not stored & set(codes)
    assert TotpDevice.objects.get(account=official).confirmed_at is not None
    flow = AuthFlow.objects.get(account=official, purpose="login")
    assert flow.completed_at is not None and not any(code in flow.data for code in codes)
    assert AuditEvent.objects.filter(action="official.authenticator_enrolled").exists()


def test_the_code_used_to_enrol_cannot_be_replayed_to_sign_in(rq):
    make_official(totp=False)
    with freeze_time(NOON):
        token = password_step(rq)
        secret = officials.enrollment(token).secret
        officials.confirm_enrollment(rq, token, code_at(secret))
        officials.finish_enrollment(rq, token)
        with pytest.raises(DomainError, match="đã được dùng"):
            officials.verify_totp(rq, password_step(rq), code_at(secret))
    with freeze_time("2026-12-01 05:00:30"):
        officials.verify_totp(rq, password_step(rq), code_at(secret, steps=1))


def test_five_wrong_codes_end_the_enrolment(rq):
    make_official(totp=False)
    token = password_step(rq)
    secret = officials.enrollment(token).secret
    wrong = "12345x"
    for _ in range(4):
        with pytest.raises(DomainError):
            officials.confirm_enrollment(rq, token, wrong)
    with pytest.raises(DomainError) as ended:
        officials.confirm_enrollment(rq, token, wrong)
    assert ended.value.code == "totp_attempts_exceeded"
    with pytest.raises(FlowExpired):
        officials.confirm_enrollment(rq, token, pyotp.TOTP(secret).now())


# --- Recovery codes -------------------------------------------------------------------------------------


def enrolled(rq, username="canbo.hoankiem", **kwargs):
    """An official who went through enrolment; returns (account, secret, recovery codes)."""
    official, _ = make_official(username=username, totp=False, **kwargs)
    token = password_step(rq, username)
    secret = officials.enrollment(token).secret
    codes = officials.confirm_enrollment(rq, token, pyotp.TOTP(secret).now())
    officials.finish_enrollment(rq, token)
    return official, secret, codes


def test_a_recovery_code_signs_in_once(rq):
    official, _secret, codes = enrolled(rq)
    assert (
        officials.verify_recovery_code(rq, password_step(rq), codes[0].lower().replace("-", " ")) == official
    )
    assert officials.recovery_codes_left(official) == 9
    with pytest.raises(DomainError) as reused:
        officials.verify_recovery_code(rq, password_step(rq), codes[0])
    assert reused.value.code == "totp_invalid"
    assert AccessEvent.objects.filter(method="recovery_code", success=False).count() == 1


def test_a_recovery_code_of_another_official_does_not_work(rq):
    _first, _secret, codes = enrolled(rq)
    enrolled(rq, username="xuly.hoankiem")
    with pytest.raises(DomainError):
        officials.verify_recovery_code(rq, password_step(rq, "xuly.hoankiem"), codes[0])


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(rq):
    official, secret, old = enrolled(rq)
    with freeze_time(datetime.now(tz=UTC) + timedelta(seconds=90)):
        with pytest.raises(DomainError):
            officials.regenerate_recovery_codes(rq, official, code=other_code(pyotp.TOTP(secret).now()))
        new = officials.regenerate_recovery_codes(rq, official, code=pyotp.TOTP(secret).now())
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(DomainError):
        officials.verify_recovery_code(rq, password_step(rq), old[0])
    assert officials.verify_recovery_code(rq, password_step(rq), new[0]) == official


# --- Resetting an authenticator -----------------------------------------------------------------------------


def test_an_agency_admin_resets_an_official_of_their_agency_who_then_enrols_again(rq):
    official, _secret, _codes = enrolled(rq)
    admin, _ = make_official(username="quantri.hk", roles=("agency_admin",))
    epoch = official.session_epoch
    officials.reset_authenticator(admin, official)
    official.refresh_from_db()
    assert official.session_epoch == epoch + 1
    assert not TotpDevice.objects.filter(account=official).exists()
    assert not RecoveryCode.objects.filter(account=official).exists()
    assert officials.second_factor_step(password_step(rq)) == "totp_enroll"
    event = AuditEvent.objects.get(action="official.authenticator_reset")
    assert event.actor == admin and event.target_id == str(official.pk)


def test_an_agency_admin_cannot_reset_officials_of_another_agency(rq):
    official, _ = make_official(agency_code="000.01.20.H26")
    admin, _ = make_official(username="quantri.hk", roles=("agency_admin",))
    with pytest.raises(Forbidden) as refused:
        officials.reset_authenticator(admin, official)
    assert refused.value.status == 403
    assert TotpDevice.objects.filter(account=official).exists()


def test_only_admins_reset_and_nobody_resets_their_own(rq):
    official, _ = make_official()
    clerk, _ = make_official(username="motcua.hk", roles=("desk_clerk", "handler"))
    with pytest.raises(Forbidden):
        officials.reset_authenticator(clerk, official)
    admin, _ = make_official(username="quantri.hk", roles=("agency_admin",))
    with pytest.raises(Forbidden):
        officials.reset_authenticator(admin, admin)
    with pytest.raises(Forbidden):
        officials.reset_authenticator(admin, make_citizen())


def test_a_system_admin_resets_officials_of_any_agency(rq):
    official, _ = make_official(agency_code="000.01.20.H26")
    system = Account.objects.create_superuser("quantri", password=PASSWORD)
    officials.reset_authenticator(system, official)
    assert not TotpDevice.objects.filter(account=official).exists()


# --- Pages ------------------------------------------------------------------------------------------------


def post_password(client, username="canbo.hoankiem", password=PASSWORD, **extra):
    data = {"username": username, "password": password, "captcha_0": "x", "captcha_1": "PASSED"} | extra
    return client.post("/can-bo/dang-nhap/", data)


def test_the_sign_in_pages_lead_to_the_officials_home(client):
    _official, secret = make_official(roles=("desk_clerk", "post_clerk"))
    assert client.get("/can-bo/dang-nhap/").status_code == 200
    response = post_password(client)
    assert response.status_code == 302 and response["Location"] == "/can-bo/xac-thuc/"
    page = client.get("/can-bo/xac-thuc/").content.decode()
    assert "Mã xác thực từ ứng dụng" in page and "Dùng mã khôi phục" in page
    response = client.post("/can-bo/xac-thuc/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == "/can-bo/"
    home = client.get("/can-bo/").content.decode()
    assert "Trần Văn Cán Bộ" in home
    assert "Ủy ban nhân dân phường Hoàn Kiếm" in home
    assert "Cán bộ tiếp nhận (một cửa)" in home and "Nhân viên Bưu điện Việt Nam" in home
    assert 'href="/buu-dien/dang-ky/"' in home
    assert AccessEvent.objects.filter(method="password_totp", success=True).count() == 1


def test_a_wrong_password_gets_the_generic_answer_and_keeps_the_username(client):
    make_official()
    response = post_password(client, password="Sai#Matkhau1")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    assert 'value="canbo.hoankiem"' in page and "Sai#Matkhau1" not in page


def test_a_wrong_code_on_the_page_says_how_many_tries_are_left(client):
    _official, secret = make_official()
    post_password(client)
    response = client.post("/can-bo/xac-thuc/", {"code": other_code(pyotp.TOTP(secret).now())})
    assert response.status_code == 400
    assert "Bạn còn 4 lần thử." in response.content.decode()


def test_the_fifth_wrong_code_sends_the_official_back_to_the_password(client):
    _official, secret = make_official()
    post_password(client)
    wrong = other_code(pyotp.TOTP(secret).now())
    for _ in range(4):
        client.post("/can-bo/xac-thuc/", {"code": wrong})
    response = client.post("/can-bo/xac-thuc/", {"code": wrong}, follow=True)
    assert response.redirect_chain[-1][0] == "/can-bo/dang-nhap/"
    assert "nhập sai mã 5 lần" in response.content.decode()


def test_the_recovery_code_page_signs_in_and_warns_when_few_codes_remain(client, rq):
    official, _secret, codes = enrolled(rq)
    RecoveryCode.objects.filter(account=official).exclude(
        code_hash__in=[officials._recovery_hash(official, code) for code in codes[:3]]
    ).update(used_at=NOON)
    post_password(client)
    response = client.post("/can-bo/xac-thuc/ma-khoi-phuc/", {"code": codes[0]}, follow=True)
    assert response.redirect_chain[-1][0] == "/can-bo/"
    assert "Bạn chỉ còn 2 mã khôi phục" in response.content.decode()


def test_enrolment_pages_show_a_labelled_qr_code_and_the_recovery_codes_once(client):
    official, _ = make_official(totp=False)
    response = post_password(client)
    assert response["Location"] == "/can-bo/thiet-lap-xac-thuc/"
    page = client.get("/can-bo/thiet-lap-xac-thuc/")
    html = page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert re.search(r'<svg role="img" aria-labelledby="totp-qr-title"[^>]*class="totp-qr"', html)
    assert "<title>" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    response = client.post("/can-bo/thiet-lap-xac-thuc/", {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == "/can-bo/ma-khoi-phuc/"
    codes_page = client.get("/can-bo/ma-khoi-phuc/").content.decode()
    shown = re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", codes_page)
    assert len(shown) == 10 and "Tôi đã lưu các mã khôi phục" in codes_page
    response = client.post("/can-bo/ma-khoi-phuc/")
    assert response["Location"] == "/can-bo/"
    assert client.get("/can-bo/").status_code == 200
    assert client.get("/can-bo/ma-khoi-phuc/")["Location"] == "/can-bo/dang-nhap/"
    assert officials.recovery_codes_left(official) == 10


def test_citizens_get_a_clear_403_on_official_pages(client):
    citizen = make_citizen()
    client.force_login(citizen)
    for url in ("/can-bo/", "/buu-dien/dang-ky/", "/can-bo/co-quan/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Trang này dành cho cán bộ, công chức" in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_officials_sign_in(client):
    response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/dang-nhap/?next=/can-bo/"


def test_a_post_without_the_csrf_token_is_refused():
    make_official()
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/can-bo/dang-nhap/", {"username": "canbo.hoankiem", "password": PASSWORD})
    assert response.status_code == 403
    assert csrf_client.post("/can-bo/xac-thuc/", {"code": "123456"}).status_code == 403


def test_the_agency_admin_page_lists_the_agency_and_resets_an_authenticator(client):
    official, _ = make_official()
    make_official(username="congan.hk", agency_code="000.01.20.H26", full_name="Lê Công An")
    admin, _ = make_official(username="quantri.hk", roles=("agency_admin",), full_name="Vũ Thị Mai")
    client.force_login(admin)
    page = client.get("/can-bo/co-quan/").content.decode()
    assert "Trần Văn Cán Bộ" in page and "Lê Công An" not in page
    reset_url = f"/can-bo/co-quan/{official.pk}/dat-lai-xac-thuc/"
    assert reset_url in page
    assert client.get(reset_url).status_code == 200
    response = client.post(reset_url)
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(account=official).exists()
    other = Account.objects.get(username="congan.hk")
    assert client.post(f"/can-bo/co-quan/{other.pk}/dat-lai-xac-thuc/").status_code == 403
    assert TotpDevice.objects.filter(account=other).exists()


def test_a_desk_clerk_cannot_open_the_agency_admin_page(client):
    clerk, _ = make_official()
    client.force_login(clerk)
    assert client.get("/can-bo/co-quan/").status_code == 403


def test_the_regenerate_page_shows_new_codes_once(client, rq):
    official, secret, old = enrolled(rq)
    client.force_login(official)
    with freeze_time(datetime.now(tz=UTC) + timedelta(seconds=90)):
        response = client.post("/can-bo/ma-khoi-phuc/tao-moi/", {"code": pyotp.TOTP(secret).now()})
    shown = re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", response.content.decode())
    assert response.status_code == 200 and len(shown) == 10 and not set(shown) & set(old)
    assert "no-store" in response["Cache-Control"]


# --- Admin ---------------------------------------------------------------------------------------------


@pytest.fixture
def system_admin():
    return Account.objects.create_superuser("quantri", password=PASSWORD)


def test_the_admin_sign_in_is_the_officials_sign_in(client):
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/dang-nhap/?next=/quan-tri/"


def test_a_system_admin_signs_in_with_the_authenticator_and_returns_to_the_admin(client, system_admin):
    secret = pyotp.random_base32()
    TotpDevice.objects.create(account=system_admin, secret=secret, confirmed_at=NOON)
    response = post_password(client, username="quantri", next="/quan-tri/")
    assert response["Location"] == "/can-bo/xac-thuc/"
    response = client.post("/can-bo/xac-thuc/", {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == "/quan-tri/"
    assert client.get("/quan-tri/").status_code == 200


def test_the_admin_creates_an_official_with_a_checked_password(client, system_admin):
    from opendvc.catalog.models import Agency

    client.force_login(system_admin)
    assert client.get("/quan-tri/accounts/account/add/").status_code == 200
    data = {
        "username": "motcua.hk",
        "full_name": "Lý Thị Hạnh",
        "kind": "official",
        "email": "",
        "agency": Agency.objects.get(code="000.00.20.H26").pk,
        "roles": ["desk_clerk"],
        "password1": "abc",
        "password2": "abc",
        **inline_management("phones"),
        **inline_management("access_events"),
    }
    weak = client.post("/quan-tri/accounts/account/add/", data)
    assert weak.status_code == 200 and not Account.objects.filter(username="motcua.hk").exists()
    response = client.post(
        "/quan-tri/accounts/account/add/", data | {"password1": "Hanh#Motcua26", "password2": "Hanh#Motcua26"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    official = Account.objects.get(username="motcua.hk")
    assert (
        official.kind == "official"
        and official.roles == ["desk_clerk"]
        and official.registration_method == "staff"
    )
    assert official.check_password("Hanh#Motcua26") and not official.is_staff
    _flow, token = login.start_password_login(
        RequestFactory().post("/"), username="motcua.hk", password="Hanh#Motcua26"
    )
    assert officials.second_factor_step(token) == "totp_enroll"


def test_an_official_without_admin_access_gets_a_403_instead_of_a_loop(client):
    clerk, _ = make_official()
    client.force_login(clerk)
    response = client.get("/quan-tri/", follow=True)
    assert response.status_code == 403


def test_the_admin_list_masks_id_numbers_and_finds_an_exact_id_by_its_digest(client, system_admin):
    make_citizen()
    make_citizen(id_number="079190001234", full_name="Trần Thị Bình", phone="0987654321")
    client.force_login(system_admin)
    page = client.get("/quan-tri/accounts/account/").content.decode()
    assert "0010******45" in page and "001088012345" not in page
    found = client.get("/quan-tri/accounts/account/", {"q": "079190001234"}).content.decode()
    results = re.search(r"<tbody>.*?</tbody>", found, re.S).group(0)
    assert "Trần Thị Bình" in results and "Nguyễn Văn An" not in results
    # The only clear number is the admin's own query, echoed in the list's links.
    echoed = results.replace("q%3D079190001234", "").replace("q=079190001234", "")
    assert "0791******34" in results and "079190001234" not in echoed
    assert AuditEvent.objects.filter(action="identity.searched", actor=system_admin).exists()


def test_opening_a_citizen_in_the_admin_is_logged_and_shows_no_clear_number(client, system_admin):
    citizen = make_citizen()
    client.force_login(system_admin)
    page = client.get(f"/quan-tri/accounts/account/{citizen.pk}/change/").content.decode()
    assert "0010******45" in page and "001088012345" not in page and "0912345678" not in page
    assert AuditEvent.objects.filter(action="identity.viewed", target_id=str(citizen.pk)).exists()


def test_the_admin_edits_an_officials_roles_with_checkboxes(client, system_admin):
    official, _ = make_official()
    client.force_login(system_admin)
    url = f"/quan-tri/accounts/account/{official.pk}/change/"
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="roles" value="approver"' in page
    data = {
        "full_name": official.full_name,
        "email": "",
        "address": "",
        "agency": official.agency_id,
        "roles": ["handler", "approver"],
        "is_active": "on",
        **inline_management("phones"),
        **inline_management("access_events"),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    official.refresh_from_db()
    assert official.roles == ["handler", "approver"]


def inline_management(prefix):
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "0"}


def test_the_admin_action_resets_authenticators_it_may(client, system_admin):
    official, _ = make_official()
    client.force_login(system_admin)
    response = client.post(
        "/quan-tri/accounts/account/",
        {"action": "reset_authenticator", "_selected_action": [official.pk, system_admin.pk]},
    )
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(account=official).exists()
    messages = [str(m) for m in client.get("/quan-tri/accounts/account/").context["messages"]]
    assert any("1 tài khoản" in m for m in messages) and any("quantri" in m for m in messages)


def test_the_audit_trail_is_read_only_in_the_admin(client, system_admin):
    client.force_login(system_admin)
    assert client.get("/quan-tri/core/auditevent/").status_code == 200
    assert client.get("/quan-tri/core/auditevent/add/").status_code == 403
    assert client.get("/quan-tri/accounts/accessevent/add/").status_code == 403


# --- Demo accounts ------------------------------------------------------------------------------------------


def test_demo_accounts_are_refused_without_debug():
    with pytest.raises(CommandError):
        call_command("create_demo_users", stdout=StringIO())


@override_settings(DEBUG=True)
def test_demo_accounts_are_created_once_with_authenticators_and_printed(rq):
    first, second = StringIO(), StringIO()
    call_command("create_demo_users", stdout=first)
    call_command("create_demo_users", stdout=second)
    assert first.getvalue() == second.getvalue()
    out = first.getvalue()
    for username in (
        "quantri",
        "tiepnhan.hoankiem",
        "xuly.hoankiem",
        "pheduyet.hoankiem",
        "buudien.hoankiem",
    ):
        assert username in out
    assert "otpauth://totp/" in out
    assert Account.objects.filter(kind="citizen").count() == 1
    cuong = Account.objects.get(kind="citizen")
    assert cuong.full_name == "Lê Văn Cường" and cuong.otp_phone.number == "0971112233"
    clerk = Account.objects.get(username="buudien.hoankiem")
    assert clerk.has_role("post_clerk")
    secret = re.search(r"buudien\.hoankiem\s+\S+\s+([A-Z2-7]{32})", out).group(1)
    _flow, token = login.start_password_login(rq, username="buudien.hoankiem", password="Buudien@2026")
    assert officials.verify_totp(rq, token, pyotp.TOTP(secret).now()) == clerk
    admin = Account.objects.get(username="quantri")
    assert admin.kind == "admin" and admin.is_superuser and admin.check_password("Quantri@2026")


def staff_agency_admin():
    from django.contrib.auth.models import Permission

    account, _secret = make_official(username="qtcq.hoankiem", roles=("agency_admin",))
    account.is_staff = True
    account.save()
    account.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "add_account",
                "change_account",
                "view_account",
                "view_accessevent",
                "view_auditevent",
            ]
        )
    )
    return account


def test_an_agency_admin_can_only_create_officials_in_the_admin(client):
    client.force_login(staff_agency_admin())
    page = client.get("/quan-tri/accounts/account/add/").content.decode()
    assert 'value="official"' in page
    assert 'value="admin"' not in page


def test_only_system_admins_read_the_access_history_and_audit_trail_in_the_admin(client, system_admin):
    client.force_login(staff_agency_admin())
    assert client.get("/quan-tri/accounts/accessevent/").status_code == 403
    assert client.get("/quan-tri/core/auditevent/").status_code == 403
    client.force_login(system_admin)
    assert client.get("/quan-tri/accounts/accessevent/").status_code == 200
