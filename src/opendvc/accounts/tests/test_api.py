"""The account flows over the JSON API: the same rules as the pages, errors in the API envelope."""

import base64

import pytest

from opendvc.accounts.services import pki
from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_citizen
from opendvc.identity.pki.signer import sign_detached

pytestmark = pytest.mark.django_db

AN = {
    "id_number": "001088012345",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1988-05-12",
    "gender": "male",
    "phone": "0912345678",
}


def post(client, path, body, **extra):
    return client.post(f"/api/v1{path}", body, content_type="application/json", **extra)


def captcha(client):
    challenge = client.get("/api/v1/auth/captcha").json()
    return {"captcha_key": challenge["key"], "captcha_value": "PASSED"}


def sign_in(client):
    response = post(
        client, "/auth/login", {"id_number": "001088012345", "password": PASSWORD, **captcha(client)}
    )
    assert response.status_code == 200, response.json()
    token = response.json()["flow_token"]
    response = post(client, "/auth/login/otp", {"flow_token": token, "code": last_otp("0912345678")})
    assert response.status_code == 200, response.json()
    return response.json()["access_token"]


def test_register_by_mobile_subscriber_then_read_my_account(client):
    started = post(client, "/auth/register/mobile", AN)
    assert started.status_code == 201
    assert started.json()["phone_masked"] == "091****678"
    token = started.json()["flow_token"]
    assert post(
        client, "/auth/register/otp", {"flow_token": token, "code": last_otp("0912345678")}
    ).json() == {"step": "password"}
    done = post(
        client,
        "/auth/register/password",
        {"flow_token": token, "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert done.status_code == 201
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {done.json()['access_token']}").json()
    assert me["id_number_masked"] == "0010******45"
    assert me["assurance_level"] == 2
    assert "001088012345" not in str(me)


def test_field_errors_come_in_the_error_envelope(client):
    response = post(client, "/auth/register/mobile", AN | {"full_name": "Nguyễn Văn Ân"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "identity_mismatch"
    assert "full_name" in error["fields"]


def test_a_malformed_body_is_a_400_not_a_500(client):
    response = client.post("/api/v1/auth/login", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_sign_in_with_password_captcha_and_otp_gives_a_bearer_token(client):
    make_citizen()
    token = sign_in(client)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    history = client.get("/api/v1/me/access-history", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert history["items"][0]["success"] is True


def test_a_wrong_captcha_is_refused(client):
    make_citizen()
    challenge = client.get("/api/v1/auth/captcha").json()
    response = post(
        client,
        "/auth/login",
        {
            "id_number": "001088012345",
            "password": PASSWORD,
            "captcha_key": challenge["key"],
            "captcha_value": "nope",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "captcha_invalid"


def test_lockout_is_a_429_that_says_until_when(client):
    make_citizen()
    statuses = [
        post(
            client, "/auth/login", {"id_number": "001088012345", "password": "Sai#2026abc", **captcha(client)}
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 429]
    error = post(
        client, "/auth/login", {"id_number": "001088012345", "password": PASSWORD, **captcha(client)}
    ).json()
    assert error["error"]["code"] == "locked_out"
    assert error["error"]["fields"]["locked_until"]


def test_resending_too_soon_is_a_429_with_retry_after(client):
    make_citizen()
    response = post(
        client, "/auth/login", {"id_number": "001088012345", "password": PASSWORD, **captcha(client)}
    )
    resend = post(client, "/auth/login/otp/resend", {"flow_token": response.json()["flow_token"]})
    assert resend.status_code == 429
    assert int(resend["Retry-After"]) > 0


def test_me_needs_a_live_token(client):
    assert client.get("/api/v1/me").status_code == 401
    assert (
        client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer made-up").json()["error"]["code"]
        == "unauthenticated"
    )


def test_logout_everywhere_ends_every_token(client):
    make_citizen()
    first, second = sign_in(client), sign_in(client)
    assert (
        post(client, "/auth/logout-everywhere", {}, HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 204
    )
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 401


def test_usb_token_registration_and_sign_in(client, test_pki):
    def signed(purpose):
        challenge = post(client, "/auth/pki/challenge", {"purpose": purpose}).json()
        signature, certificate = sign_detached(base64.b64decode(challenge["data"]), "an")
        return {
            "nonce": challenge["nonce"],
            "signature": base64.b64encode(signature).decode(),
            "certificate": base64.b64encode(certificate).decode(),
        }

    started = post(client, "/auth/pki/register", signed(pki.REGISTER))
    assert started.status_code == 201, started.json()
    assert started.json()["prefill"]["id_number"] == "0010******45"
    done = post(
        client, "/auth/pki/register/complete", {"flow_token": started.json()["flow_token"], "email": ""}
    )
    assert done.status_code == 201
    answer = signed(pki.LOGIN)
    assert post(client, "/auth/pki/login", answer).status_code == 200
    replay = post(client, "/auth/pki/login", answer)
    assert replay.status_code == 400
    assert replay.json()["error"]["code"] == "challenge_used"


def test_garbage_signatures_are_a_400(client):
    challenge = post(client, "/auth/pki/challenge", {"purpose": "login"}).json()
    response = post(client, "/auth/pki/login", {"nonce": challenge["nonce"], "signature": "!!!"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"


def test_the_openapi_document_lists_the_account_flows(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/auth/login" in paths
    assert "/api/v1/auth/pki/login" in paths
    assert "/api/v1/me/access-history" in paths


def test_a_citizen_whose_second_factor_is_an_authenticator_app_signs_in_with_it(client):
    import pyotp
    from django.utils import timezone

    from opendvc.accounts.models import TotpDevice

    account = make_citizen(phone=None)
    secret = pyotp.random_base32()
    TotpDevice.objects.create(account=account, secret=secret, confirmed_at=timezone.now())
    started = post(
        client, "/auth/login", {"id_number": "001088012345", "password": PASSWORD, **captcha(client)}
    )
    assert started.json()["step"] == "totp"
    done = post(
        client,
        "/auth/login/authenticator",
        {"flow_token": started.json()["flow_token"], "code": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 200, done.json()
    methods = client.get(
        "/api/v1/me/authentication-methods", HTTP_AUTHORIZATION=f"Bearer {done.json()['access_token']}"
    )
    assert methods.json()["authenticator_app"] is True


def test_the_access_history_gives_codes_and_words(client):
    make_citizen()
    token = sign_in(client)
    item = client.get("/api/v1/me/access-history", HTTP_AUTHORIZATION=f"Bearer {token}").json()["items"][0]
    assert item["method"] == "password_otp"
    assert item["method_text"]
