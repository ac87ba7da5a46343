"""Registering by mobile subscriber, signing in with an OTP, and changing a lost OTP phone, in Chromium,
as a person would: elements are found by their visible label or role."""

import re
from datetime import date, timedelta

import pytest
from django.db.models import F
from playwright.sync_api import expect

from opendvc.accounts.models import OneTimeCode
from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUONG = {
    "id_number": "038085004321",
    "full_name": "Lê Văn Cường",
    "phone": "0971112233",
    "date_of_birth": date(1985, 11, 3),
}


def type_password_step(page, id_number, password):
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập (số CCCD/CMND)").fill(id_number)
    page.get_by_label("Mật khẩu").fill(password)
    # The typed code sits in a group named by its legend (the image shows what to type).
    page.get_by_label("Mã xác thực", exact=True).fill("PASSED")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()


def one_minute_passes():
    """The resend cool-down is 60 s: age the codes sent so far instead of waiting."""
    OneTimeCode.objects.update(sent_at=F("sent_at") - timedelta(seconds=61))


def test_register_by_mobile_subscriber_then_sign_in_with_password_and_otp(page):
    page.goto("/dang-ky/")
    page.get_by_role("link", name=re.compile("^Thuê bao di động")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký bằng thuê bao di động")
    page.get_by_label("Số định danh cá nhân / CMND").fill("001088012345")
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Ngày sinh").fill("1988-05-12")
    page.get_by_label("Nam", exact=True).check()
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    expect(page.get_by_label("Mã xác thực", exact=True)).to_have_count(0)  # no captcha on registration
    page.get_by_role("button", name="Đăng ký").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận số điện thoại")
    expect(page.get_by_text("091****678")).to_be_visible()
    page.get_by_label("Mã OTP").fill(last_otp("0912345678"))
    page.get_by_role("button", name="Xác nhận").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đặt mật khẩu")
    page.get_by_label(re.compile("^Mật khẩu")).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
    expect(page.get_by_role("status").filter(has_text="Đăng ký tài khoản thành công")).to_be_visible()
    expect(page.get_by_text("0010******45")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Bạn đã đăng xuất.")).to_be_visible()

    type_password_step(page, "001088012345", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập mã OTP")
    expect(page.get_by_text("091****678")).to_be_visible()
    page.get_by_role("button", name="Gửi lại OTP").click()
    expect(page.get_by_role("alert")).to_contain_text("Vui lòng chờ")
    one_minute_passes()
    page.get_by_role("button", name="Gửi lại OTP").click()
    expect(page.get_by_role("status").filter(has_text="Đã gửi lại mã OTP.")).to_be_visible()
    assert OneTimeCode.objects.filter(superseded=True).exists()  # the first code no longer works
    page.get_by_label("Mã OTP").fill(last_otp("0912345678"))
    page.get_by_role("button", name="Xác nhận").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
    expect(page.get_by_text("Nguyễn Văn An").first).to_be_visible()


def test_a_wrong_password_gets_the_same_message_as_an_unknown_id(page):
    make_citizen()
    type_password_step(page, "001088012345", "Sai-Mat-Khau#9")
    expect(page.get_by_role("alert")).to_contain_text("Số định danh hoặc mật khẩu không đúng.")
    expect(page.get_by_label("Mật khẩu")).to_have_value("")
    type_password_step(page, "001199000001", "Sai-Mat-Khau#9")
    expect(page.get_by_role("alert")).to_contain_text("Số định danh hoặc mật khẩu không đúng.")


def start_lost_phone(page, new_phone):
    type_password_step(page, CUONG["id_number"], PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập mã OTP")
    page.get_by_role("link", name="Mất số điện thoại nhận OTP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mất số điện thoại nhận OTP")
    page.get_by_label("Số điện thoại nhận OTP mới").fill(new_phone)
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận số điện thoại mới")
    page.get_by_label("Mã OTP").fill(last_otp(new_phone))
    page.get_by_role("button", name="Xác nhận").click()


def test_a_lost_otp_phone_is_changed_to_an_owner_registered_number(page):
    account = make_citizen(**CUONG)
    start_lost_phone(page, "0355556666")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
    expect(page.get_by_role("status").filter(has_text="Đã đổi số điện thoại nhận OTP")).to_be_visible()
    expect(page.get_by_text("035****666")).to_be_visible()
    expect(page.get_by_text("097****233")).to_have_count(0)
    assert account.phones.get().number == "0355556666"


def test_a_number_registered_to_someone_else_is_not_accepted(page):
    account = make_citizen(**CUONG)
    start_lost_phone(page, "0903334444")

    expect(page.get_by_role("heading", level=1)).to_have_text("Không đổi được số điện thoại nhận OTP")
    expect(page.get_by_role("alert")).to_contain_text("không khớp")
    expect(page.get_by_role("link", name="Tìm quầy giao dịch gần bạn")).to_be_visible()
    assert account.otp_phone.number == "0971112233"
