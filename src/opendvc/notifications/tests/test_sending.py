import os
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from freezegun import freeze_time

from opendvc.core.personal_data import lookup_digest
from opendvc.notifications.errors import InvalidRecipient
from opendvc.notifications.models import Message
from opendvc.notifications.selectors import last_message_to, messages_to, recent_messages
from opendvc.notifications.services import deliver, send_email, send_sms

pytestmark = pytest.mark.django_db

PHONE = "0912345678"
OTP_TEXT = "Mã OTP đăng nhập Cổng Dịch vụ công: 482913. Mã có hiệu lực 5 phút. Không chia sẻ mã này."


def test_the_outbox_backend_records_the_sms_and_marks_it_sent_once_committed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("+84 912 345 678", OTP_TEXT, purpose="otp_login", secret="482913")
        assert Message.objects.get(pk=message.pk).status == "queued"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.in_outbox) == ("sent", 1, True)
    assert message.sent_at is not None
    assert message.backend == "opendvc.notifications.backends.OutboxSmsBackend"


def test_the_outbox_keeps_the_full_text_with_the_secret(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret="482913")
    message.refresh_from_db()
    assert message.body == OTP_TEXT
    assert message.pending_text is None


def test_a_test_reads_the_last_otp_sent_to_a_phone_even_before_the_transaction_commits():
    send_sms(PHONE, "Mã OTP cũ: 111111.", purpose="otp_login", secret="111111")
    send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret="482913")
    sms = last_message_to("091 234 5678")
    assert re.search(r"\b(\d{6})\b", sms.body).group(1) == "482913"


def test_the_text_is_stored_in_nfc():
    decomposed = "Ma\u0303 OTP cu\u0309a ba\u0323n: 123456"
    message = send_sms(PHONE, decomposed, purpose="otp_login")
    assert message.body == "Mã OTP của bạn: 123456"
    assert Message.objects.get(pk=message.pk).body == "Mã OTP của bạn: 123456"


def test_the_recipient_is_encrypted_at_rest_and_found_through_its_digest():
    message = send_sms(PHONE, OTP_TEXT, purpose="otp_login")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT recipient, recipient_digest, recipient_masked FROM notifications_message WHERE id = %s",
            [message.pk],
        )
        row = cursor.fetchone()
    assert not any("912345678" in column for column in row)
    assert row[1] == lookup_digest(PHONE, kind="phone")
    assert row[2] == "091****678"
    assert Message.objects.get(pk=message.pk).recipient == PHONE
    assert list(messages_to("84912345678")) == [message]


def test_messages_to_a_recipient_are_newest_first_and_exclude_other_recipients():
    with freeze_time("2025-03-01 08:00:00") as frozen:
        first = send_sms(PHONE, "Tin thứ nhất", purpose="notice")
        frozen.tick(timedelta(seconds=30))
        send_sms("0987654321", "Tin cho người khác", purpose="notice")
        frozen.tick(timedelta(seconds=30))
        second = send_sms(PHONE, "Tin thứ hai", purpose="notice")
    assert list(messages_to(PHONE)) == [second, first]
    assert list(messages_to(PHONE, channel="email")) == []
    assert last_message_to(PHONE) == second
    assert last_message_to("0900000000") is None


def test_recent_messages_are_the_newest_ones_first():
    with freeze_time("2025-03-01 08:00:00") as frozen:
        sent = []
        for n in range(5):
            sent.append(send_sms(PHONE, f"Tin số {n}", purpose="notice"))
            frozen.tick(timedelta(seconds=1))
    assert recent_messages(3) == [sent[4], sent[3], sent[2]]


def test_nothing_is_sent_when_the_surrounding_transaction_rolls_back(
    sms_gateway, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret="482913")
        raise RuntimeError("the change that needed the SMS failed")
    assert callbacks == []
    assert sms_gateway.requests == []
    assert not Message.objects.exists()


def test_the_sms_leaves_once_the_surrounding_transaction_commits(
    sms_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret="482913")
        assert sms_gateway.requests == []
    assert len(sms_gateway.requests) == 1
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_message_already_sent_is_not_sent_again(sms_gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(PHONE, OTP_TEXT, purpose="otp_login")
    deliver(message.pk)
    assert len(sms_gateway.requests) == 1
    assert Message.objects.get(pk=message.pk).attempts == 1


def test_an_sms_with_an_id_number_is_refused():
    with pytest.raises(ValueError, match="ID number"):
        send_sms(PHONE, "Tài khoản 001088012345 đã được tạo.", purpose="activation")
    assert not Message.objects.exists()


def test_digits_of_the_secret_are_not_mistaken_for_an_id_number():
    link = "https://dichvucong.local/kich-hoat/123456789012"
    message = send_sms(PHONE, f"Kích hoạt tài khoản: {link}", purpose="activation", secret="123456789012")
    assert message.body.endswith("123456789012")


@pytest.mark.parametrize("phone", ["12345", "0212345678", "", "không phải số"])
def test_a_number_that_is_not_a_vietnamese_mobile_is_refused(phone):
    with pytest.raises(InvalidRecipient):
        send_sms(phone, OTP_TEXT, purpose="otp_login")


def test_a_secret_that_is_not_in_the_text_is_a_mistake():
    with pytest.raises(ValueError, match="secret"):
        send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret="999999")


def test_a_purpose_must_be_a_short_code():
    with pytest.raises(ValueError, match="purpose"):
        send_sms(PHONE, OTP_TEXT, purpose="OTP đăng nhập")


def test_an_sms_longer_than_five_segments_is_refused():
    with pytest.raises(ValueError, match="too long"):
        send_sms(PHONE, "ệ" * (67 * 5 + 1), purpose="notice")


def test_a_message_another_worker_is_delivering_is_left_alone(sms_gateway):
    with freeze_time("2025-03-01 08:00:00"):
        message = send_sms(PHONE, OTP_TEXT, purpose="otp_login")
        Message.objects.filter(pk=message.pk).update(
            attempts=1, locked_until=timezone.now() + timedelta(minutes=5)
        )
        deliver(message.pk)
    assert sms_gateway.requests == []
    assert Message.objects.get(pk=message.pk).attempts == 1


def test_a_message_whose_worker_vanished_is_delivered_once_its_lease_ends(sms_gateway):
    with freeze_time("2025-03-01 08:00:00") as frozen:
        message = send_sms(PHONE, OTP_TEXT, purpose="otp_login")
        Message.objects.filter(pk=message.pk).update(
            attempts=1, locked_until=timezone.now() + timedelta(minutes=5)
        )
        frozen.tick(timedelta(minutes=6))
        deliver(message.pk)
    message.refresh_from_db()
    assert len(sms_gateway.requests) == 1
    assert (message.status, message.attempts, message.locked_until) == ("sent", 2, None)


def test_a_new_hash_key_recomputes_the_recipient_digests(settings, outbox_email):
    sms = send_sms(PHONE, OTP_TEXT, purpose="otp_login", secret="482913")
    email = send_email("Nguyen.Van.A@Example.VN", "Kích hoạt", "Mã: 740215.", purpose="activation")
    settings.PERSONAL_DATA_HASH_KEY = "another-lookup-key-for-the-test"
    assert last_message_to(PHONE) is None

    call_command("rotate_personal_data_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert last_message_to(PHONE) == sms
    assert last_message_to("nguyen.van.a@example.vn", channel="email") == email
