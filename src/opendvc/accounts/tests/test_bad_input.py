"""Bad input on the account pages and the JSON API gets a clear 4xx answer, never a server error.

Each test here guards a request that once ended in a 500 (some only on PostgreSQL, which refuses NUL
characters and over-long values where SQLite stores them): a `next` that is not a path, a NUL character
in a signed challenge's nonce or in any API text, a lone surrogate from a JSON escape, an e-mail or an
address longer than the account keeps, a malformed request id on the development SIM page.
"""

import base64
import json
import re

import pytest
from django.test import override_settings

from opendvc.accounts.models import Account
from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_citizen, make_official
from opendvc.identity.pki.signer import sign_detached
from opendvc.notifications.selectors import last_message_to

pytestmark = pytest.mark.django_db

AN = {
    "id_number": "001088012345",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1988-05-12",
    "gender": "male",
    "phone": "0912345678",
}
CAPTCHA = {"captcha_0": "x", "captcha_1": "PASSED"}
# Valid for Django's e-mail validator (up to 320 characters), longer than the 254 an account keeps.
LONG_EMAIL = "a" * 250 + "@example.vn"
NOT_A_PATH = ["abc", "tai-khoan", "javascript:alert(1)", "//evil.example/", "https://evil.example/"]


def api(client, path, body):
    payload = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"/api/v1{path}", payload, content_type="application/json")


def signed_page_challenge(client, url, token):
    """What the signing plug-in posts back for the challenge on the page at `url`."""
    html = client.get(url).content.decode()
    data = re.search(r'data-challenge="([^"]+)"', html).group(1)
    nonce = re.search(r'name="nonce" value="([^"]+)"', html).group(1)
    signature, certificate = sign_detached(base64.b64decode(data), token)
    return {
        "nonce": nonce,
        "signature": base64.b64encode(signature).decode(),
        "certificate": base64.b64encode(certificate).decode(),
    }


def signed_api_challenge(client, purpose, token):
    challenge = api(client, "/auth/pki/challenge", {"purpose": purpose}).json()
    signature, certificate = sign_detached(base64.b64decode(challenge["data"]), token)
    return {
        "nonce": challenge["nonce"],
        "signature": base64.b64encode(signature).decode(),
        "certificate": base64.b64encode(certificate).decode(),
    }


def assert_api_refusal(response, status, code, field):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert field in error["fields"], error


# --- `next` ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", NOT_A_PATH)
def test_a_next_that_is_not_a_path_leads_to_the_default_page_after_reauthentication(client, target):
    client.force_login(make_citizen())
    response = client.post("/tai-khoan/xac-thuc-lai/", {"password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/phuong-thuc-xac-thuc/"


@pytest.mark.parametrize("target", NOT_A_PATH)
def test_a_next_that_is_not_a_path_leads_to_the_profile_after_the_otp(client, target):
    make_citizen()
    client.post("/dang-nhap/", {"id_number": "001088012345", "password": PASSWORD, "next": target, **CAPTCHA})
    response = client.post("/dang-nhap/otp/", {"code": last_otp("0912345678")})
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/"


@pytest.mark.parametrize("target", NOT_A_PATH)
def test_a_signed_in_official_sent_to_a_next_that_is_not_a_path_goes_to_the_officials_home(client, target):
    official, _secret = make_official()
    client.force_login(official)
    response = client.get("/can-bo/dang-nhap/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/"


def test_a_next_that_is_a_path_on_the_site_is_still_followed(client):
    client.force_login(make_citizen())
    response = client.post("/tai-khoan/xac-thuc-lai/", {"password": PASSWORD, "next": "/tai-khoan/"})
    assert response["Location"] == "/tai-khoan/"


# --- NUL characters and lone surrogates -------------------------------------------------------------------


@pytest.mark.parametrize("nonce", ["a\x00b", "\x00", "x" * 65, "nonce with spaces"])
def test_a_nonce_that_the_server_cannot_have_issued_is_an_unknown_challenge_on_the_page(
    client, test_pki, nonce
):
    make_citizen()
    body = signed_page_challenge(client, "/dang-nhap/usb-ky-so/", "an") | {"nonce": nonce}
    response = client.post("/dang-nhap/usb-ky-so/", body)
    assert response.status_code == 400
    assert "Yêu cầu ký không hợp lệ" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/auth/register/mobile", "full_name"),
        ("/auth/login", "captcha_key"),
        ("/auth/password-reset", "captcha_key"),
        ("/auth/pki/login", "nonce"),
        ("/auth/register/otp/resend", "flow_token"),
    ],
)
def test_an_api_text_with_a_nul_character_is_refused_naming_the_field(client, path, field):
    body = {
        **AN,
        "password": PASSWORD,
        "captcha_key": "k",
        "captcha_value": "PASSED",
        "nonce": "n",
        "signature": "",
        "flow_token": "t",
    }
    response = api(client, path, body | {field: "a\x00b"})
    assert_api_refusal(response, 400, "invalid_parameters", field)
    assert "NUL" in response.json()["error"]["fields"][field][0]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/register/otp/resend", '{"flow_token": "\\ud800"}'),
        ("/auth/sim/poll", '{"flow_token": "abc\\udfff"}'),
        (
            "/auth/login",
            '{"id_number": "001088012345", "password": "x", "captcha_key": "\\ud800", '
            '"captcha_value": "PASSED"}',
        ),
    ],
)
def test_an_api_text_with_a_lone_surrogate_is_refused_naming_the_field(client, path, body):
    response = api(client, path, body)
    field = next(name for name, value in json.loads(body).items() if "\ud800" in value or "\udfff" in value)
    assert_api_refusal(response, 400, "invalid_parameters", field)


def test_the_certificate_details_refuse_a_nul_character_in_the_address_and_create_nothing(client, test_pki):
    started = api(client, "/auth/pki/register", signed_api_challenge(client, "register", "hai-cmnd"))
    token = started.json()["flow_token"]
    response = api(client, "/auth/pki/register/complete", {"flow_token": token, "address": "Phố\x00Huế"})
    assert_api_refusal(response, 400, "invalid_parameters", "address")
    assert not Account.objects.filter(full_name="Đỗ Văn Hải").exists()
    # The flow is untouched: the person corrects the address and finishes.
    done = api(client, "/auth/pki/register/complete", {"flow_token": token, "address": "Phố Huế"})
    assert done.status_code == 201


# --- Values longer than the account keeps -----------------------------------------------------------------


def test_an_email_longer_than_the_account_keeps_is_refused_before_any_otp_is_sent(client):
    response = api(client, "/auth/register/mobile", AN | {"email": LONG_EMAIL})
    assert_api_refusal(response, 400, "invalid_input", "email")
    assert last_message_to("0912345678") is None


def test_the_certificate_details_page_refuses_a_too_long_email_on_the_field(client, test_pki):
    body = signed_page_challenge(client, "/dang-ky/usb-ky-so/", "hai-cmnd")
    assert client.post("/dang-ky/usb-ky-so/", body).status_code == 302
    response = client.post("/dang-ky/chung-thu-so/thong-tin/", {"email": LONG_EMAIL, "address": "Phố Huế"})
    assert response.status_code == 400
    assert "Địa chỉ thư điện tử quá dài." in response.content.decode()
    assert not Account.objects.filter(full_name="Đỗ Văn Hải").exists()


def test_a_business_address_longer_than_the_account_keeps_is_refused_on_the_field(client, test_pki):
    body = signed_api_challenge(client, "register", "saomai") | {"audience": "business"}
    token = api(client, "/auth/pki/register", body).json()["flow_token"]
    details = {
        "flow_token": token,
        "email": "lienhe@saomai.vn",
        "address": "Số 1 phố Huế " * 60,
        "representative_name": "Nguyễn Văn An",
        "representative_id_number": "001088012345",
    }
    response = api(client, "/auth/pki/register/complete", details)
    assert_api_refusal(response, 400, "invalid_input", "address")
    assert "tối đa 500 ký tự" in response.json()["error"]["fields"]["address"][0]
    assert not Account.objects.filter(tax_code="0101234567").exists()


def test_personal_information_refuses_a_too_long_email_and_keeps_the_old_one(client):
    account = make_citizen(email="an@example.vn")
    client.force_login(account)
    response = client.post("/tai-khoan/thong-tin-ca-nhan/", {"address": "Phố Huế", "email": LONG_EMAIL})
    assert response.status_code == 400
    assert "Địa chỉ thư điện tử quá dài." in response.content.decode()
    account.refresh_from_db()
    assert account.email == "an@example.vn"


# --- Passwords are never sent back -------------------------------------------------------------------------


TYPED = "Bí-Mật#Khác99"


def test_no_refused_password_is_echoed_in_the_page(client):
    make_citizen()
    official, _secret = make_official()
    pages = [
        ("/dang-nhap/", {"id_number": "001088012345", "password": TYPED, **CAPTCHA}),
        ("/can-bo/dang-nhap/", {"username": official.username, "password": TYPED, **CAPTCHA}),
        (
            "/kich-hoat/",
            {
                "id_number": "001088012345",
                "code": "ABCD2345",
                "password": TYPED,
                "password_confirm": TYPED,
                **CAPTCHA,
            },
        ),
    ]
    for url, body in pages:
        response = client.post(url, body)
        assert response.status_code in (400, 429), url
        assert TYPED not in response.content.decode(), url
    client.force_login(Account.objects.get(full_name="Nguyễn Văn An"))
    response = client.post("/tai-khoan/xac-thuc-lai/", {"password": TYPED})
    assert response.status_code == 400
    assert TYPED not in response.content.decode()


def test_a_password_that_breaks_the_rule_is_not_echoed_when_choosing_one(client):
    client.post("/dang-ky/thue-bao-di-dong/", AN)
    client.post("/dang-ky/xac-nhan-otp/", {"code": last_otp("0912345678")})
    typed = "bi-mat-khong-hoa"
    response = client.post("/dang-ky/mat-khau/", {"password": typed, "password_confirm": typed})
    assert response.status_code == 400
    assert typed not in response.content.decode()


# --- The development SIM page ------------------------------------------------------------------------------


@override_settings(PKI_TEST_CA_ENABLED=True)
@pytest.mark.parametrize("request_id", ["%00", "a%00b", "x" * 65])
def test_the_dev_sim_page_answers_404_for_a_request_id_that_cannot_exist(client, request_id):
    response = client.post(f"/dev/ky-so-sim/{request_id}/", {"decision": "approve"})
    assert response.status_code == 404
