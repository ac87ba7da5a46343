"""USB token registration and sign-in in Chromium, with the test signer playing the token plug-in."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose_token_and_sign(page, label):
    page.get_by_label("Chọn chứng thư số").select_option(label=label)
    page.get_by_role("button", name="Ký và tiếp tục").click()


def test_register_with_a_usb_token_then_sign_in_with_it(page, test_pki):
    an = test_pki.token("an").label
    page.goto("/dang-ky/")
    page.get_by_role("link", name=re.compile("^USB ký số")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản công dân bằng USB ký số")
    page.get_by_role("button", name="Đọc chứng thư số").click()
    choose_token_and_sign(page, an)

    expect(page.get_by_role("heading", level=1)).to_have_text("Hoàn tất đăng ký")
    expect(page.get_by_text("0010******45")).to_be_visible()
    page.get_by_label("Thư điện tử").fill("an@example.vn")
    page.get_by_role("button", name="Đăng ký").click()

    expect(page.get_by_role("status").filter(has_text="mức xác minh 3")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất", exact=True).click()

    page.get_by_role("link", name="USB ký số").click()
    page.get_by_role("button", name="Đăng nhập bằng USB ký số").click()
    choose_token_and_sign(page, an)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
    expect(page.get_by_text("Nguyễn Văn An").first).to_be_visible()


def test_a_revoked_token_is_refused_with_its_reason(page, test_pki):
    page.goto("/dang-ky/usb-ky-so/?kind=citizen")
    page.get_by_role("button", name="Đọc chứng thư số").click()
    choose_token_and_sign(page, test_pki.token("revoked").label)
    expect(page.get_by_role("alert")).to_contain_text("thu hồi")
    # A fresh challenge is on the page: the person can try another token at once.
    page.get_by_role("button", name="Đọc chứng thư số").click()
    choose_token_and_sign(page, test_pki.token("an").label)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoàn tất đăng ký")


def test_sign_in_with_sim_pki_confirmed_on_the_phone(page, test_pki):
    from django.utils import timezone

    from opendvc.accounts.models import Certificate
    from opendvc.accounts.tests.factories import make_citizen

    binh = make_citizen(id_number="079190001234", full_name="Trần Thị Bình", phone="0987654321")
    sim = test_pki.token("binh-sim")
    Certificate.objects.create(
        account=binh,
        kind="sim_pki",
        fingerprint=sim.fingerprint,
        serial_number=sim.serial_number,
        subject=sim.subject,
        issuer="OpenDVC Test Issuing CA",
        not_after=sim.certificate().not_valid_after_utc,
        phone="0987654321",
        added_at=timezone.now(),
    )
    page.goto("/dang-nhap/")
    page.get_by_role("link", name="SIM ký số").click()
    page.get_by_label("Số điện thoại di động").fill("0987654321")
    page.get_by_role("button", name="Gửi yêu cầu ký").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận trên điện thoại")
    code = page.locator(".secret").inner_text()

    phone = page.context.new_page()  # the developer's stand-in for the phone
    phone.goto("/dev/ky-so-sim/")
    request = phone.get_by_role("listitem").filter(has_text=code)
    request.get_by_role("button", name="Đồng ý ký").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin tài khoản")
    expect(page.get_by_text("Trần Thị Bình").first).to_be_visible()
