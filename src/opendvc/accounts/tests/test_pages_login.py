"""The sign-in pages over HTTP: session fixation, CSRF, session limits, input kept on errors."""

import pytest
from django.test import Client
from freezegun import freeze_time

from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_citizen

pytestmark = pytest.mark.django_db


def sign_in(client, id_number="001088012345", password=PASSWORD, phone="0912345678"):
    response = client.post(
        "/dang-nhap/",
        {"id_number": id_number, "password": password, "captcha_0": "x", "captcha_1": "PASSED"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.post("/dang-nhap/otp/", {"action": "confirm", "code": last_otp(phone)})


def test_signing_in_gives_a_new_session_id(client):
    make_citizen()
    client.get("/dang-nhap/")
    client.session.save()
    before = client.cookies["opendvc_session"].value
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/"
    assert client.cookies["opendvc_session"].value != before
    assert client.get("/tai-khoan/").status_code == 200


def test_a_post_without_the_csrf_token_is_refused():
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/dang-nhap/", {"id_number": "001088012345", "password": PASSWORD})
    assert response.status_code == 403


def test_the_session_cookie_is_httponly_and_samesite(client):
    make_citizen()
    sign_in(client)
    cookie = client.cookies["opendvc_session"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_a_wrong_password_keeps_the_id_but_not_the_password(client):
    make_citizen()
    response = client.post(
        "/dang-nhap/",
        {"id_number": "001088012345", "password": "Sai#Matkhau1", "captcha_0": "x", "captcha_1": "PASSED"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Số định danh hoặc mật khẩu không đúng." in page
    assert 'value="001088012345"' in page
    assert "Sai#Matkhau1" not in page


def test_a_wrong_captcha_is_refused_before_the_password_is_checked(client):
    make_citizen()
    response = client.post(
        "/dang-nhap/",
        {"id_number": "001088012345", "password": PASSWORD, "captcha_0": "x", "captcha_1": "WRONG"},
    )
    assert response.status_code == 400
    assert "Mã xác thực không đúng" in response.content.decode()


def test_thirty_idle_minutes_end_the_session(client):
    make_citizen()
    with freeze_time("2026-12-01 08:00:00") as clock:
        sign_in(client)
        clock.tick(29 * 60)
        assert client.get("/tai-khoan/").status_code == 200
        clock.tick(31 * 60)
        response = client.get("/tai-khoan/")
        assert response.status_code == 302
        assert response["Location"].startswith("/dang-nhap/")
        assert "Phiên đăng nhập đã hết hạn" in client.get(response["Location"]).content.decode()


def test_twelve_hours_end_the_session_even_when_active(client):
    make_citizen()
    with freeze_time("2026-12-01 08:00:00") as clock:
        sign_in(client)
        for _ in range(12 * 4):
            clock.tick(15 * 60)
            client.get("/tai-khoan/")
        clock.tick(60)
        assert client.get("/tai-khoan/").status_code == 302


def test_signing_out_needs_a_post_and_ends_the_session(client):
    make_citizen()
    sign_in(client)
    assert client.get("/dang-xuat/").status_code == 405
    client.post("/dang-xuat/")
    assert client.get("/tai-khoan/").status_code == 302


def test_the_otp_page_without_a_password_step_goes_back_to_sign_in(client):
    response = client.get("/dang-nhap/otp/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/"


def test_registration_form_errors_keep_what_was_typed(client):
    response = client.post(
        "/dang-ky/thue-bao-di-dong/",
        {
            "id_number": "001088012345",
            "full_name": "Nguyễn Văn Ân",
            "date_of_birth": "1988-05-12",
            "gender": "male",
            "phone": "0912345678",
            "email": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Họ và tên không khớp" in page
    assert 'value="Nguyễn Văn Ân"' in page


def test_an_existing_account_links_to_forgotten_password_only(client):
    make_citizen()
    response = client.post(
        "/dang-ky/thue-bao-di-dong/",
        {
            "id_number": "001088012345",
            "full_name": "Nguyễn Văn An",
            "date_of_birth": "1988-05-12",
            "gender": "male",
            "phone": "0912345678",
        },
    )
    assert response.status_code == 400
    assert 'href="/quen-mat-khau/"' in response.content.decode()


def test_a_registry_that_is_down_answers_503_with_a_message(client):
    response = client.post(
        "/dang-ky/thue-bao-di-dong/",
        {
            "id_number": "001099000000",
            "full_name": "Ngô Văn Khánh",
            "date_of_birth": "1999-12-31",
            "gender": "male",
            "phone": "0919999000",
        },
    )
    assert response.status_code == 503
    assert "tạm thời không phản hồi" in response.content.decode()


def test_after_giving_a_new_number_one_can_go_back_and_give_another(client):
    make_citizen(id_number="038085004321", full_name="Lê Văn Cường", phone="0971112233")
    client.post(
        "/dang-nhap/",
        {"id_number": "038085004321", "password": PASSWORD, "captcha_0": "x", "captcha_1": "PASSED"},
    )
    assert client.post("/dang-nhap/mat-so-dien-thoai/", {"new_phone": "0903334444"}).status_code == 302
    again = client.get("/dang-nhap/mat-so-dien-thoai/")
    assert again.status_code == 200
    assert client.post("/dang-nhap/mat-so-dien-thoai/", {"new_phone": "0355556666"})["Location"] == (
        "/dang-nhap/mat-so-dien-thoai/otp/"
    )
