"""Officials sign in with an authenticator app, in Chromium: the TOTP code is computed here with pyotp
from the secret, as the official's phone would."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import PASSWORD, make_official

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The captcha's text box, whose label may carry the required mark.
CAPTCHA = re.compile(r"^Mã xác thực$")


def sign_in_with_password(page, username):
    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_label(CAPTCHA).fill("PASSED")
    page.get_by_role("button", name="Đăng nhập").click()


def test_an_official_signs_in_with_password_captcha_and_authenticator_code(page):
    _official, secret = make_official(roles=("desk_clerk", "handler"))
    sign_in_with_password(page, "canbo.hoankiem")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai bước")
    page.get_by_label("Mã xác thực từ ứng dụng").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào Trần Văn Cán Bộ")
    expect(page.get_by_text("Ủy ban nhân dân phường Hoàn Kiếm")).to_be_visible()
    expect(page.get_by_text("Cán bộ tiếp nhận (một cửa), Cán bộ xử lý")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/can-bo/$"))


def test_a_wrong_code_is_refused_with_the_tries_left(page):
    _official, secret = make_official()
    sign_in_with_password(page, "canbo.hoankiem")
    current = pyotp.TOTP(secret).now()
    page.get_by_label("Mã xác thực từ ứng dụng").fill("000000" if current != "000000" else "111111")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("alert")).to_contain_text("Bạn còn 4 lần thử.")


def test_first_sign_in_enrols_the_authenticator_then_a_recovery_code_works_once(page):
    make_official(totp=False, roles=("post_clerk",), full_name="Đặng Văn Nam")
    sign_in_with_password(page, "canbo.hoankiem")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thiết lập ứng dụng xác thực")
    expect(page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực từ ứng dụng").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mã khôi phục")
    codes = page.get_by_role("list", name="Danh sách mã khôi phục").get_by_role("listitem")
    expect(codes).to_have_count(10)
    first_code = codes.first.inner_text().strip()
    page.get_by_role("button", name="Tôi đã lưu các mã khôi phục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào Đặng Văn Nam")
    expect(page.get_by_role("link", name="Đăng ký tài khoản cho công dân tại Bưu điện")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    sign_in_with_password(page, "canbo.hoankiem")
    page.get_by_role("link", name="Dùng mã khôi phục").click()
    page.get_by_label("Mã khôi phục").fill(first_code)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào Đặng Văn Nam")
    expect(page.get_by_text("Còn 9 mã khôi phục chưa dùng.")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    sign_in_with_password(page, "canbo.hoankiem")
    page.get_by_role("link", name="Dùng mã khôi phục").click()
    page.get_by_label("Mã khôi phục").fill(first_code)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("alert")).to_contain_text("Mã khôi phục không đúng hoặc đã được dùng.")
