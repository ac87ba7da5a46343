"""Managing the account in Chromium, as a person would: personal information, a second phone, the
access history, signing out everywhere. Elements are found by their visible label or role."""

import re

import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, id_number="001088012345", phone="0912345678"):
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập (số CCCD/CMND)").fill(id_number)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_label("Mã xác thực", exact=True).fill("PASSED")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_label("Mã OTP").fill(last_otp(phone))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")


def account_nav(page):
    return page.get_by_role("navigation", name="Quản lý tài khoản")


def test_edit_the_email_address(page):
    make_citizen()
    sign_in(page)
    account_nav(page).get_by_role("link", name="Thông tin cá nhân").click()
    expect(account_nav(page).get_by_role("link", name="Thông tin cá nhân")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_label(re.compile("^Họ và tên"))).to_have_attribute("readonly", "")
    email = page.get_by_label("Thư điện tử")
    email.fill("an@@example")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_role("alert")).to_contain_text("Địa chỉ thư điện tử không hợp lệ.")
    expect(email).to_have_value("an@@example")

    email.fill("an@example.vn")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu thông tin cá nhân.")).to_be_visible()
    account_nav(page).get_by_role("link", name="Thông tin tài khoản").click()
    expect(page.get_by_text("an@example.vn")).to_be_visible()


def test_add_a_second_phone_with_an_otp_sent_to_it(page):
    account = make_citizen()
    sign_in(page)
    account_nav(page).get_by_role("link", name="Phương thức xác thực").click()
    page.get_by_role("link", name="Thêm số điện thoại").click()
    page.get_by_label("Số điện thoại di động").fill("0987654321")
    page.get_by_role("button", name="Gửi mã OTP").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận số điện thoại mới")
    expect(page.get_by_text("098****321")).to_be_visible()
    page.get_by_label("Mã OTP").fill(last_otp("0987654321"))
    page.get_by_role("button", name="Xác nhận").click()

    expect(page.get_by_role("status").filter(has_text="Đã thêm số điện thoại 098****321")).to_be_visible()
    phones = page.get_by_role("region", name="Số điện thoại")
    expect(phones.get_by_role("heading", name="098****321")).to_be_visible()
    otp_phone = phones.get_by_role("listitem").filter(has=page.get_by_role("heading", name="091****678"))
    expect(otp_phone).to_contain_text("Nhận OTP")
    new_phone = phones.get_by_role("listitem").filter(has=page.get_by_role("heading", name="098****321"))
    expect(new_phone).not_to_contain_text("Nhận OTP")
    assert account.phones.count() == 2
    assert account.otp_phone.number == "0912345678"


def test_view_the_access_history(page):
    make_citizen()
    sign_in(page)
    account_nav(page).get_by_role("link", name="Lịch sử truy cập").click()
    table = page.get_by_role("table", name=re.compile("^Lịch sử truy cập"))
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="Địa chỉ IP")).to_be_visible()
    row = table.get_by_role("row").filter(has_text="Số định danh, mật khẩu và OTP")
    expect(row).to_contain_text("Thành công")
    expect(row).to_contain_text("127.0.0.1")


def test_sign_out_everywhere_ends_the_session_on_the_other_device_too(page, browser, demo_live_server):
    make_citizen()
    other_device = browser.new_context(base_url=demo_live_server.url, locale="vi-VN").new_page()
    other_device.set_default_timeout(10_000)
    sign_in(other_device)
    sign_in(page)

    page.get_by_role("button", name="Đăng xuất khỏi mọi thiết bị").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    expect(page.get_by_role("status").filter(has_text="Bạn đã đăng xuất khỏi mọi thiết bị.")).to_be_visible()

    other_device.goto("/tai-khoan/")
    expect(other_device.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    other_device.context.close()
