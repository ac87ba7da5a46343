import subprocess
import sys

import pytest


@pytest.mark.django_db
def test_healthz_and_readyz_answer_json(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"


def _start(env: dict) -> subprocess.CompletedProcess:
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='opendvc.settings'; django.setup()"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "src", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_on_the_development_secret_key():
    result = _start({"DEBUG": "0", "ALLOWED_HOSTS": "portal.example"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _start({"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "portal.example",
    "PERSONAL_DATA_KEYS": "3q2-7wQ4b0mLq6dW0xJm0eJ8Zf1nR3u9YcK5vT2sA1E=",
    "PERSONAL_DATA_HASH_KEY": "h" * 40,
    "POPULATION_REGISTRY_URL": "https://ndxp.example/population",
    "CARRIER_REGISTRY_URL": "https://ndxp.example/carriers",
    "SOCIAL_INSURANCE_REGISTRY_URL": "https://ndxp.example/bhxh",
    "MOBILE_SIGNATURE_URL": "https://carrier.example/mobile-signature",
    "SMS_GATEWAY_URL": "https://sms.example/send",
    "EMAIL_HOST": "smtp.example",
    "TOKEN_PLUGIN_URL": "https://127.0.0.1:8987/",
}


def test_production_starts_with_a_secret_key_hosts_and_personal_data_keys():
    assert _start(PRODUCTION).returncode == 0


def test_production_refuses_the_development_personal_data_keys():
    result = _start({k: v for k, v in PRODUCTION.items() if not k.startswith("PERSONAL_DATA")})
    assert result.returncode != 0 and "PERSONAL_DATA_KEYS" in result.stderr


@pytest.mark.django_db
def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_production_refuses_the_test_ca():
    result = _start(PRODUCTION | {"PKI_TEST_CA_ENABLED": "1"})
    assert result.returncode != 0 and "PKI_TEST_CA_ENABLED" in result.stderr


def test_production_refuses_reference_registries_unless_a_public_demo_says_so():
    without_registry = {k: v for k, v in PRODUCTION.items() if k != "POPULATION_REGISTRY_URL"}
    result = _start(without_registry)
    assert result.returncode != 0 and "population" in result.stderr
    assert _start(without_registry | {"ALLOW_REFERENCE_ADAPTERS": "1"}).returncode == 0


def test_the_token_plug_ins_local_address_is_allowed_to_connect(settings):
    from opendvc.core.middleware import content_security_policy

    settings.TOKEN_PLUGIN_URL = "https://127.0.0.1:8987/plugin/"
    assert "connect-src 'self' https://127.0.0.1:8987;" in content_security_policy()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/auth/login", 405, "method_not_allowed"),
        ("post", "/api/v1/me", 405, "method_not_allowed"),
        ("get", "/api/v1/no-such-endpoint", 404, "not_found"),
    ],
)
def test_api_errors_outside_the_endpoints_use_the_error_envelope(client, method, path, status, code):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_production_refuses_the_payment_simulator_unless_a_public_demo_says_so():
    result = _start(PRODUCTION | {"PAYMENT_SIMULATOR_ENABLED": "1"})
    assert result.returncode != 0 and "payment gateway simulator" in result.stderr
    assert (
        _start(PRODUCTION | {"PAYMENT_SIMULATOR_ENABLED": "1", "ALLOW_REFERENCE_ADAPTERS": "1"}).returncode
        == 0
    )


def test_forms_may_lead_to_the_payment_gateways_pages_and_nowhere_else(settings):
    from opendvc.core.middleware import content_security_policy

    settings.PAYMENT_FORM_ORIGINS = ["https://pay.bank.example/checkout"]
    policy = content_security_policy()
    assert (
        "form-action 'self' https://pay.bank.example https://pay.vnpay.vn https://sandbox.vnpayment.vn"
        in policy
    )
