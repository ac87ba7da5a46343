import socket

import pytest
from django.db import connection

from opendvc.notifications.models import REDACTED
from opendvc.notifications.services import send_sms
from opendvc.notifications.tests.conftest import HANG

pytestmark = pytest.mark.django_db

PHONE = "0912345678"
OTP = "482913"
OTP_TEXT = "Mã OTP đăng nhập Cổng Dịch vụ công: 482913. Mã có hiệu lực 5 phút. Không chia sẻ mã này."


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Send an OTP SMS through the whole path (commit, eager task) and return the stored row."""

    def send():
        with django_capture_on_commit_callbacks(execute=True):
            message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret=OTP)
        message.refresh_from_db()
        return message

    return send


def test_the_gateway_receives_the_full_text_with_the_bearer_key_and_the_message_is_sent(sms_gateway, sent):
    sms_gateway.respond((202, {"id": "gw-7781"}))
    message = sent()
    [request] = sms_gateway.requests
    assert request["json"] == {
        "to": "+84912345678",
        "text": OTP_TEXT,
        "sender": "DVCQG",
        "reference": str(message.reference),
    }
    assert request["headers"]["Authorization"] == "Bearer test-gateway-key"
    assert request["headers"]["Idempotency-Key"] == str(message.reference)
    assert (message.status, message.attempts, message.provider_message_id) == ("sent", 1, "gw-7781")
    assert message.backend == "opendvc.notifications.backends.HttpSmsGatewayBackend"


def test_the_stored_copy_of_a_gateway_sms_has_the_secret_redacted(sms_gateway, sent):
    message = sent()
    assert message.body == OTP_TEXT.replace("482913", REDACTED)
    assert message.in_outbox is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, pending_text FROM notifications_message WHERE id = %s", [message.pk])
        body, pending_text = cursor.fetchone()
    assert "482913" not in body
    assert pending_text is None  # the full text was kept (encrypted) only until delivery


def test_while_queued_the_full_text_waits_encrypted(sms_gateway):
    message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret="482913")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, pending_text FROM notifications_message WHERE id = %s", [message.pk])
        body, pending_text = cursor.fetchone()
    assert "482913" not in body and "482913" not in pending_text
    assert message.pending_text == OTP_TEXT


@pytest.mark.parametrize("status", [400, 401, 422])
def test_a_4xx_answer_fails_the_message_at_once_without_retry(sms_gateway, sent, status):
    sms_gateway.respond((status, {"error": "invalid_number", "detail": "0912345678 is not a subscriber"}))
    message = sent()
    assert len(sms_gateway.requests) == 1
    assert (message.status, message.attempts, message.sent_at) == ("failed", 1, None)
    assert message.error == f"SMS gateway: HTTP {status} (invalid_number)"
    assert "0912345678" not in message.error


def test_run_eagerly_a_temporary_failure_fails_the_message_after_one_attempt(sms_gateway, sent):
    # CELERY_TASK_ALWAYS_EAGER (the embedded default) delivers inside the web request: no retries there.
    sms_gateway.respond((503, {}), (200, {"id": "never"}))
    message = sent()
    assert len(sms_gateway.requests) == 1
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.error == "SMS gateway: HTTP 503"
    assert message.pending_text is None


def test_run_eagerly_an_unreachable_gateway_fails_the_message_at_once(sms_gateway, sent, settings):
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{probe.getsockname()[1]}/v1/sms"
    message = sent()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.error == "SMS gateway: ConnectionError"


def test_on_a_worker_a_5xx_answer_is_retried_then_the_message_is_sent(sms_gateway, worker):
    sms_gateway.respond((503, {}), (502, {}), (200, {"id": "gw-3"}))
    message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret=OTP)
    worker.deliver(message.pk)
    message.refresh_from_db()
    assert len(sms_gateway.requests) == 3
    assert {r["json"]["reference"] for r in sms_gateway.requests} == {str(message.reference)}
    assert (message.status, message.attempts, message.provider_message_id) == ("sent", 3, "gw-3")
    assert message.error == ""
    assert worker.countdowns == [5, 20]


def test_on_a_worker_a_message_waiting_for_its_retry_stays_queued_with_its_full_text(sms_gateway, worker):
    sms_gateway.respond((503, {}))
    message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret=OTP)
    assert worker.run(message.pk) is True
    message.refresh_from_db()
    assert (message.status, message.attempts, message.locked_until) == ("queued", 1, None)
    assert message.error == "SMS gateway: HTTP 503"
    assert message.pending_text == OTP_TEXT
    assert [(retry["countdown"], retry["retries"]) for retry in worker.scheduled] == [(5, 1)]


def test_on_a_worker_too_many_requests_is_retried(sms_gateway, worker):
    sms_gateway.respond((429, {"error": "rate_limited"}))
    message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret=OTP)
    worker.deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_on_a_worker_a_gateway_that_does_not_answer_in_time_is_retried(sms_gateway, worker):
    sms_gateway.respond(HANG)
    message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret=OTP)
    worker.deliver(message.pk)
    message.refresh_from_db()
    assert len(sms_gateway.requests) == 2
    assert (message.status, message.attempts) == ("sent", 2)


def test_on_a_worker_the_message_fails_after_the_first_attempt_and_three_retries(sms_gateway, worker):
    sms_gateway.respond(*[(500, {})] * 4)
    message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret=OTP)
    worker.deliver(message.pk)
    message.refresh_from_db()
    assert len(sms_gateway.requests) == 4
    assert worker.countdowns == [5, 20, 60]
    assert (message.status, message.attempts) == ("failed", 4)
    assert message.error == "SMS gateway: HTTP 500"
    assert message.pending_text is None
    assert message.body == OTP_TEXT.replace("482913", REDACTED)


def test_on_a_worker_an_unreachable_gateway_fails_the_message_after_the_retries(
    sms_gateway, worker, settings
):
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{probe.getsockname()[1]}/v1/sms"
    message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret=OTP)
    worker.deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 4)
    assert message.error == "SMS gateway: ConnectionError"
