"""More flows in Chromium: forgotten password, lockout, social-insurance registration, a business with
its USB token, and adding a token to an existing account."""

import re

import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import PASSWORD, last_otp, make_citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_sign_in(page, id_number="001088012345", password=PASSWORD):
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập (số CCCD/CMND)").fill(id_number)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_label("Mã xác thực", exact=True).fill("PASSED")
    page.get_by_role("button", name="Đăng nhập").click()


def test_forgotten_password_then_sign_in_with_the_new_one(page):
    make_citizen()
    page.goto("/dang-nhap/")
    page.get_by_role("link", name="Quên mật khẩu").click()
    page.get_by_label("Số định danh cá nhân / CMND").fill("001088012345")
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    page.get_by_label("Mã xác thực", exact=True).fill("PASSED")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Mã OTP").fill(last_otp("0912345678"))
    page.get_by_role("button", name="Xác nhận").click()
    page.get_by_label("Mật khẩu", exact=True).fill("Moi#Matkhau2027")
    page.get_by_label("Nhập lại mật khẩu").fill("Moi#Matkhau2027")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_role("status").filter(has_text="Đã đặt lại mật khẩu")).to_be_visible()

    fill_sign_in(page, password="Moi#Matkhau2027")
    page.get_by_label("Mã OTP").fill(last_otp("0912345678"))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")


def test_five_wrong_passwords_say_until_when_sign_in_is_locked(page):
    make_citizen()
    for _ in range(5):
        fill_sign_in(page, password="Sai#Matkhau1")
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"tạm khóa đến \d\d:\d\d ngày"))
    expect(page.get_by_role("link", name="Quên mật khẩu")).to_be_visible()


def test_register_with_a_social_insurance_number(page):
    page.goto("/dang-ky/")
    page.get_by_role("link", name=re.compile("^Mã số BHXH")).click()
    page.get_by_label("Mã số BHXH").fill("7912345678")
    page.get_by_label("Số định danh cá nhân / CMND").fill("079190001234")
    page.get_by_label("Số điện thoại di động").fill("0987654321")
    page.get_by_role("button", name="Đăng ký").click()
    page.get_by_label("Mã OTP").fill(last_otp("0987654321"))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Xin chào Trần Thị Bình")).to_be_visible()
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
    expect(page.get_by_text("Mã số bảo hiểm xã hội").first).to_be_visible()


def test_a_business_registers_with_its_usb_token(page, test_pki):
    page.goto("/dang-ky/")
    page.get_by_role("link", name=re.compile("^USB ký số của doanh nghiệp")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản doanh nghiệp bằng USB ký số")
    page.get_by_role("button", name="Đọc chứng thư số").click()
    page.get_by_label("Chọn chứng thư số").select_option(label=test_pki.token("saomai").label)
    page.get_by_role("button", name="Ký và tiếp tục").click()
    expect(page.get_by_text("0101234567")).to_be_visible()
    page.get_by_label("Địa chỉ trụ sở").fill("Số 1 phố Tràng Tiền, phường Hoàn Kiếm, Hà Nội")
    page.get_by_label("Thư điện tử của doanh nghiệp").fill("lienhe@saomai.example.vn")
    page.get_by_label("Họ và tên người đại diện theo pháp luật").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân của người đại diện").fill("001088012345")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
    expect(page.get_by_text("0101234567")).to_be_visible()


def test_add_a_usb_token_to_an_account_then_sign_in_with_it(page, test_pki):
    make_citizen()
    fill_sign_in(page)
    page.get_by_label("Mã OTP").fill(last_otp("0912345678"))
    page.get_by_role("button", name="Xác nhận").click()
    page.get_by_role("link", name="Phương thức xác thực").first.click()
    page.get_by_role("link", name="Thêm chứng thư số (USB ký số)").click()
    page.get_by_role("button", name="Đọc chứng thư số").click()
    page.get_by_label("Chọn chứng thư số").select_option(label=test_pki.token("an").label)
    page.get_by_role("button", name="Ký và tiếp tục").click()
    expect(page.get_by_role("status").filter(has_text="Đã thêm chứng thư số")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    page.get_by_role("link", name="USB ký số").click()
    page.get_by_role("button", name="Đăng nhập bằng USB ký số").click()
    page.get_by_label("Chọn chứng thư số").select_option(label=test_pki.token("an").label)
    page.get_by_role("button", name="Ký và tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
