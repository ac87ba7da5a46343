import pytest
from django.core import mail
from django.core.mail import send_mail

from opendvc.notifications.errors import InvalidRecipient
from opendvc.notifications.models import REDACTED, Message
from opendvc.notifications.selectors import last_message_to
from opendvc.notifications.services import send_email

pytestmark = pytest.mark.django_db

ADDRESS = "Nguyen.Van.A@Example.VN"
SUBJECT = "Kích hoạt tài khoản Cổng Dịch vụ công"
BODY = "Xin chào,\n\nMã kích hoạt tài khoản của bạn là 740215. Mã có hiệu lực 24 giờ."


@pytest.fixture
def emailed(django_capture_on_commit_callbacks):
    def send(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            message = send_email(ADDRESS, SUBJECT, BODY, purpose="activation", secret="740215", **kwargs)
        message.refresh_from_db()
        return message

    return send


def test_the_outbox_email_backend_records_one_sent_message_with_the_full_text(outbox_email, emailed):
    message = emailed()
    assert Message.objects.count() == 1
    assert (message.status, message.in_outbox, message.body, message.subject) == ("sent", True, BODY, SUBJECT)
    assert message.recipient == "Nguyen.Van.A@example.vn"
    assert message.recipient_masked == "Ng" + "*" * 10 + "@example.vn"
    assert last_message_to("nguyen.van.a@EXAMPLE.vn", channel="email") == message


def test_mail_that_django_sends_directly_is_recorded_in_the_outbox(outbox_email):
    send_mail("Báo lỗi", "Nội dung", "no-reply@dichvucong.local", ["quan.tri@example.vn", "b@example.vn"])
    rows = Message.objects.order_by("id")
    assert [(m.recipient, m.purpose, m.status) for m in rows] == [
        ("quan.tri@example.vn", "django_mail", "sent"),
        ("b@example.vn", "django_mail", "sent"),
    ]


def test_a_real_mail_backend_gets_the_full_text_and_the_stored_copy_is_redacted(emailed):
    # The test runner's locmem backend stands for a real one here: it is not an outbox.
    message = emailed()
    [email] = mail.outbox
    assert email.body == BODY and email.to == ["Nguyen.Van.A@example.vn"]
    assert message.status == "sent"
    assert message.body == BODY.replace("740215", REDACTED)
    assert message.pending_text is None


def test_an_email_goes_out_over_smtp_with_its_reference_and_message_id(smtp_server, emailed):
    message = emailed()
    [received] = smtp_server.received
    assert "<Nguyen.Van.A@example.vn>" in received["to"][0]
    assert "740215" in received["data"]
    assert f"X-OpenDVC-Reference: {message.reference}" in received["data"]
    assert f"Message-ID: {message.provider_message_id}" in received["data"]
    assert (message.status, message.attempts) == ("sent", 1)
    assert "740215" not in message.body


def test_an_address_the_mail_server_refuses_fails_without_retry(smtp_server, emailed):
    smtp_server.rcpt_replies.append("550 5.1.1 No such user")
    message = emailed()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.error == "SMTP: recipient refused (550)"
    assert smtp_server.received == []


def test_on_a_worker_a_temporary_smtp_refusal_is_retried(smtp_server, worker):
    smtp_server.rcpt_replies.append("451 4.3.0 Try again later")
    message = send_email(ADDRESS, SUBJECT, BODY, purpose="activation", secret="740215")
    worker.deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(smtp_server.received) == 1


def test_run_eagerly_a_temporary_smtp_refusal_fails_the_message(smtp_server, emailed):
    smtp_server.rcpt_replies.append("451 4.3.0 Try again later")
    message = emailed()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.error == "SMTP: recipient refused (451)"
    assert smtp_server.received == []


def test_a_subject_on_several_lines_is_refused():
    with pytest.raises(ValueError, match="one line"):
        send_email(ADDRESS, "Tiêu đề\nBcc: x@example.vn", BODY, purpose="activation")


def test_an_invalid_address_is_refused():
    with pytest.raises(InvalidRecipient):
        send_email("không phải địa chỉ", SUBJECT, BODY, purpose="activation")
