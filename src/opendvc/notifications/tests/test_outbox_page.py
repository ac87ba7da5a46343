import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from freezegun import freeze_time

from opendvc.notifications.services import send_email, send_sms

pytestmark = [pytest.mark.django_db, pytest.mark.urls("opendvc.notifications.tests.urls")]

PHONE = "0912345678"


@pytest.fixture
def messages(outbox_email):
    with freeze_time("2025-03-01 01:00:00"):
        send_sms(PHONE, "Mã OTP đăng nhập: 482913.", purpose="otp_login", secret="482913")
    with freeze_time("2025-03-01 01:05:00"):
        send_email("a@example.vn", "Kích hoạt tài khoản", "Mã kích hoạt: 740215.", purpose="activation")
    with freeze_time("2025-03-01 01:10:00"):
        send_sms(
            "0987654321", "Số điện thoại nhận OTP của tài khoản đã thay đổi.", purpose="otp_phone_changed"
        )


def test_the_dev_outbox_page_does_not_exist_when_debug_is_off(client, messages):
    response = client.get("/dev/outbox")
    assert response.status_code == 404
    assert "482913" not in response.content.decode()


@override_settings(DEBUG=True)
def test_the_dev_outbox_page_lists_messages_newest_first_with_full_text_and_recipient(client, messages):
    response = client.get("/dev/outbox")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert "Hộp thư đi" in html
    assert html.index("0987654321") < html.index("a@example.vn") < html.index("0912345678")
    assert "Mã OTP đăng nhập: 482913." in html and "091****678" in html
    assert "otp_phone_changed" in html and "Kích hoạt tài khoản" in html
    assert "08:00:00 01/03/2025" in html  # shown in Vietnam's time zone


@override_settings(DEBUG=True)
def test_the_dev_outbox_page_refreshes_the_table_through_htmx_without_inline_script(client, messages):
    page = client.get("/dev/outbox").content.decode()
    assert 'hx-trigger="every 3s"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    table = client.get("/dev/outbox", headers={"HX-Request": "true"}).content.decode()
    assert table.lstrip().startswith('<div id="outbox"') and "<html" not in table
    assert "482913" in table


@override_settings(DEBUG=True)
def test_the_dev_outbox_page_masks_recipients_of_messages_sent_by_a_real_gateway(
    client, sms_gateway, settings
):
    send_sms("0977000111", "Mã OTP: 654321.", purpose="otp_login", secret="654321")
    html = client.get("/dev/outbox").content.decode()
    assert "097****111" in html
    assert "0977000111" not in html and "654321" not in html


def test_the_outbox_command_prints_the_last_messages_with_the_newest_at_the_bottom(messages):
    out = StringIO()
    call_command("outbox", "--last", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [
        "2025-03-01 08:05:00  email  a@example.vn  activation  [queued]",
        "    Kích hoạt tài khoản",
        "    Mã kích hoạt: 740215.",
        "2025-03-01 08:10:00  sms    0987654321  otp_phone_changed  [queued]",
        "    Số điện thoại nhận OTP của tài khoản đã thay đổi.",
    ]


def test_the_outbox_command_filters_by_phone_and_channel(messages):
    out = StringIO()
    call_command("outbox", "--last", "5", "--to", "+84912345678", "--channel", "sms", stdout=out)
    assert out.getvalue().splitlines() == [
        "2025-03-01 08:00:00  sms    0912345678  otp_login  [queued]",
        "    Mã OTP đăng nhập: 482913.",
    ]


def test_the_outbox_command_refuses_a_recipient_that_is_not_a_phone(messages):
    with pytest.raises(CommandError, match="--to"):
        call_command("outbox", "--to", "12345", stdout=StringIO())


def test_the_admin_lists_messages_with_masked_recipients_and_finds_them_by_number(
    client, django_user_model, messages
):
    admin = django_user_model.objects.create_superuser("quantri", password="Mk-quan-tri-2025")
    client.force_login(admin)
    html = client.get("/quan-tri/notifications/message/").content.decode()
    assert "091****678" in html and "0912345678" not in html
    found = client.get("/quan-tri/notifications/message/", {"q": "+84 987 654 321"}).content.decode()
    assert "098****321" in found and "091****678" not in found
    assert client.get("/quan-tri/notifications/message/add/").status_code == 403
