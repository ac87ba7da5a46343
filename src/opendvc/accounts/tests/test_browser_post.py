"""The Vietnam Post clerk registers Bùi Thị Lan at the counter; she opens the activation link from the
SMS, sets a password, and signs in with ID + password + captcha + OTP — in Chromium."""

import re
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_official
from opendvc.notifications.selectors import last_message_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The captcha's text box, whose label may carry the required mark.
CAPTCHA = re.compile(r"^Mã xác thực$")

LAN_PASSWORD = "Lan#Buudien2026"


def test_the_post_clerk_registers_a_citizen_who_activates_and_signs_in(page):
    _clerk, secret = make_official(
        username="buudien.hoankiem", roles=("post_clerk",), full_name="Đặng Văn Nam"
    )

    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("buudien.hoankiem")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_label(CAPTCHA).fill("PASSED")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Mã xác thực từ ứng dụng").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận").click()

    page.get_by_role("link", name="Đăng ký tài khoản cho công dân tại Bưu điện").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản tại Bưu điện")
    page.get_by_label("Số định danh cá nhân / CMND").fill("001195008888")
    page.get_by_label("Họ và tên").fill("Bùi Thị Lan")
    page.get_by_label("Ngày sinh").fill("1995-03-08")
    page.get_by_label("Nữ", exact=True).check()
    page.get_by_label("Số điện thoại di động").fill("0932223344")
    page.get_by_role("button", name="Đăng ký").click()
    # The clerk must confirm the original ID card was checked.
    expect(page.get_by_role("alert")).to_contain_text("bản gốc thẻ căn cước")
    page.get_by_label("Tôi đã kiểm tra bản gốc thẻ căn cước / CMND của người đăng ký").check()
    page.get_by_role("button", name="Đăng ký").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã đăng ký tài khoản")
    expect(page.get_by_role("status").filter(has_text="Đã gửi tin nhắn kích hoạt")).to_contain_text(
        "093****344"
    )
    expect(page.get_by_text("0011******88")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất", exact=True).click()

    # Lan opens the link in her SMS (its host is PORTAL_BASE_URL; the test's server is elsewhere).
    sms = last_message_to("0932223344").body
    link = urlsplit(re.search(r"https?://\S+", sms).group(0))
    page.goto(f"{link.path}?{link.query}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kích hoạt tài khoản")
    expect(page.get_by_label("Mã kích hoạt")).to_have_value(
        re.search(r"ma=([A-Z0-9]{8})", link.query).group(1)
    )
    page.get_by_label("Số định danh cá nhân / CMND").fill("001195008888")
    page.get_by_label(re.compile(r"^Mật khẩu mới")).fill(LAN_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(LAN_PASSWORD)
    page.get_by_label(CAPTCHA).fill("PASSED")
    page.get_by_role("button", name="Kích hoạt").click()

    expect(page.get_by_role("status").filter(has_text="Kích hoạt tài khoản thành công")).to_be_visible()
    page.get_by_label("Tên đăng nhập (số CCCD/CMND)").fill("001195008888")
    page.get_by_label("Mật khẩu").fill(LAN_PASSWORD)
    page.get_by_label(CAPTCHA).fill("PASSED")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập mã OTP")
    page.get_by_label("Mã OTP").fill(last_otp("0932223344"))
    page.get_by_role("button", name="Xác nhận").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
    expect(page.get_by_text("Bùi Thị Lan").first).to_be_visible()
    expect(page.get_by_text("Trực tiếp tại Bưu điện Việt Nam")).to_be_visible()
