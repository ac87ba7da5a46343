"""Steps the dossier browser tests share: signing in as a citizen or an official, waiting for a page."""

import re

import pyotp
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import PASSWORD, last_otp

CAPTCHA = re.compile(r"^Mã xác thực$")


def official_signs_in(page, username, secret, full_name="Phạm Thị Một Cửa"):
    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_label(CAPTCHA).fill("PASSED")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Mã xác thực từ ứng dụng").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xin chào {full_name}")


def sign_in_on_the_way(page, id_number, phone):
    """The start page needs an account: the login page comes first, then the page asked for."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    page.get_by_label("Tên đăng nhập (số CCCD/CMND)").fill(id_number)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_label("Mã xác thực", exact=True).fill("PASSED")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập mã OTP")
    page.get_by_label("Mã OTP").fill(last_otp(phone))
    page.get_by_role("button", name="Xác nhận").click()


def arrive(page, heading):
    """The page with this heading has loaded, its scripts (htmx) included."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.wait_for_load_state("load")


def choose_agency_online(page, agency):
    """On "Nơi giải quyết và nhận kết quả": province, commune, the agency, the result online; go on."""
    arrive(page, "Nơi giải quyết và nhận kết quả")
    page.get_by_label("Tỉnh, thành phố").select_option(label=agency.province.name)
    page.get_by_label("Xã, phường").select_option(label=agency.commune.name)
    page.get_by_role("radio", name=re.compile(re.escape(agency.name))).check()
    page.get_by_role("radio", name=re.compile("Nhận bản điện tử trên Cổng")).check()
    page.get_by_role("button", name="Tiếp tục").click()
