"""Messages whose delivery task was lost (broker down at commit, worker died mid-attempt) are failed by
`fail_stale_messages` (Celery beat), and their pending full text erased."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from opendvc.notifications.models import REDACTED, Message
from opendvc.notifications.services import fail_stale_messages, send_sms
from opendvc.notifications.tasks import fail_stale_messages_task

pytestmark = pytest.mark.django_db

PHONE = "0912345678"
OTP_TEXT = "Mã OTP đăng nhập Cổng Dịch vụ công: 482913. Mã có hiệu lực 5 phút. Không chia sẻ mã này."


@pytest.fixture
def queued(sms_gateway):
    """An OTP SMS for the gateway made at 08:00, whose delivery task never ran (no commit in the test)."""
    with freeze_time("2025-03-01 08:00:00"):
        return send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret="482913")


def stored_pending_text(message) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pending_text FROM notifications_message WHERE id = %s", [message.pk])
        return cursor.fetchone()[0]


def test_a_message_still_queued_after_ten_minutes_is_failed_and_its_full_text_erased(queued):
    with freeze_time("2025-03-01 08:10:01"):
        assert fail_stale_messages() == 1
    queued.refresh_from_db()
    assert (queued.status, queued.sent_at, queued.locked_until) == ("failed", None, None)
    assert queued.error == "still queued after 10 min: delivery task lost"
    assert stored_pending_text(queued) is None
    assert queued.body == OTP_TEXT.replace("482913", REDACTED)


def test_a_message_queued_for_less_than_ten_minutes_is_left_alone(queued):
    with freeze_time("2025-03-01 08:09:59"):
        assert fail_stale_messages() == 0
    queued.refresh_from_db()
    assert queued.status == "queued"
    assert queued.pending_text == OTP_TEXT


def test_the_age_after_which_a_message_is_stale_can_be_given(queued):
    with freeze_time("2025-03-01 08:03:00"):
        assert fail_stale_messages(older_than=timedelta(minutes=2)) == 1
    assert Message.objects.get(pk=queued.pk).error == "still queued after 2 min: delivery task lost"


def test_a_message_a_worker_is_delivering_is_left_alone(queued):
    with freeze_time("2025-03-01 08:12:00"):
        Message.objects.filter(pk=queued.pk).update(
            attempts=1, locked_until=timezone.now() + timedelta(minutes=1)
        )
        assert fail_stale_messages() == 0
    assert Message.objects.get(pk=queued.pk).status == "queued"


def test_a_message_whose_worker_died_mid_attempt_is_failed_once_its_lease_ended(queued):
    with freeze_time("2025-03-01 08:12:00"):
        Message.objects.filter(pk=queued.pk).update(
            attempts=1, locked_until=timezone.now() - timedelta(seconds=1)
        )
        assert fail_stale_messages() == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.pending_text) == ("failed", 1, None)


def test_sent_and_failed_messages_are_not_touched(sms_gateway, django_capture_on_commit_callbacks):
    with freeze_time("2025-03-01 08:00:00"):
        sms_gateway.respond((200, {"id": "gw-1"}), (400, {"error": "invalid_number"}))
        with django_capture_on_commit_callbacks(execute=True):
            sent = send_sms(PHONE, "Tin thứ nhất", purpose="notice")
            failed = send_sms(PHONE, "Tin thứ hai", purpose="notice")
    with freeze_time("2025-03-01 09:00:00"):
        assert fail_stale_messages() == 0
    assert Message.objects.get(pk=sent.pk).status == "sent"
    assert Message.objects.get(pk=failed.pk).error == "SMS gateway: HTTP 400 (invalid_number)"


def test_a_late_delivery_task_does_not_send_a_message_already_failed_as_stale(queued, sms_gateway, worker):
    with freeze_time("2025-03-01 08:11:00"):
        fail_stale_messages()
        worker.run(queued.pk)
    assert sms_gateway.requests == []
    assert Message.objects.get(pk=queued.pk).status == "failed"


def test_the_beat_task_fails_stale_messages(queued):
    with freeze_time("2025-03-01 08:30:00"):
        fail_stale_messages_task.delay()
    assert Message.objects.get(pk=queued.pk).status == "failed"
