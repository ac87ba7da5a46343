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
