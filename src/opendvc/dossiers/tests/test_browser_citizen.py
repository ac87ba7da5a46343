"""A citizen files a birth registration online in Chromium, as a person would (elements found by label
or role): signs in through the login page, goes step by step through the e-form seeing what was prefilled
and from where, attaches the birth certificate, chooses the commune's People's Committee, submits, gets the
dossier code, and tracks the dossier by that code on the public page."""

import re

import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import make_citizen
from opendvc.catalog.models import Agency
from opendvc.dossiers.models import Dossier, Status
from opendvc.dossiers.tests.browser_steps import arrive, choose_agency_online, sign_in_on_the_way
from opendvc.dossiers.tests.factories import BIRTH, HOAN_KIEM, make_pdf_bytes, make_procedure_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_files_a_birth_registration_step_by_step_and_tracks_it_by_its_code(page):
    citizen = make_citizen()
    make_procedure_with_form(BIRTH)
    agency = Agency.objects.select_related("province", "commune").get(code=HOAN_KIEM)

    page.goto(f"/ho-so/nop/{BIRTH}/")
    sign_in_on_the_way(page, citizen.id_number, "0912345678")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.get_by_text("Giấy chứng sinh do cơ sở y tế cấp").first).to_be_visible()
    page.get_by_role("button", name="Bắt đầu", exact=True).click()

    # Step 1: what the portal knows is filled in, with where it came from; the registry's name is locked.
    expect(page.get_by_role("heading", level=1)).to_have_text("Người yêu cầu")
    expect(page.get_by_text("Bước 1/5: Người yêu cầu")).to_be_visible()
    name = page.get_by_label("Họ, chữ đệm, tên")
    expect(name).to_have_value("Nguyễn Văn An")
    expect(name).not_to_be_editable()
    expect(page.get_by_text("Từ Cơ sở dữ liệu quốc gia về dân cư – không sửa được")).to_be_visible()
    expect(page.get_by_label("Số điện thoại")).to_have_value("0912345678")
    expect(page.get_by_text("Từ tài khoản", exact=True)).to_be_visible()
    page.get_by_role("button", name="Tiếp tục").click()

    # Step 2: an answer missing is listed at the top, with a link to the field.
    arrive(page, "Người được khai sinh")
    current = page.get_by_role("navigation", name="Các bước nộp hồ sơ").locator("[aria-current=step]")
    expect(current).to_contain_text("Người được khai sinh")
    page.get_by_role("button", name="Tiếp tục").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Có vấn đề cần bạn xem lại")
    page.wait_for_load_state("load")
    summary.get_by_role("link", name=re.compile("của trẻ")).click()
    expect(page.get_by_label("Họ, chữ đệm, tên của trẻ")).to_be_focused()
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Minh Khang")
    page.get_by_label("Họ, chữ đệm, tên của trẻ").press("Tab")  # a change: saved as the person goes
    expect(page.get_by_role("status").filter(has_text=re.compile(r"Đã lưu lúc \d\d:\d\d"))).to_be_visible()
    page.get_by_label("Giấy chứng sinh").set_input_files(
        {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": make_pdf_bytes()}
    )
    page.get_by_role("button", name="Tiếp tục").click()

    # The required documents: the birth certificate is attached already.
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tờ đính kèm")
    expect(page.get_by_role("link", name="giay-chung-sinh.pdf")).to_be_visible()
    page.get_by_role("button", name="Tiếp tục").click()

    # The agency: province, then commune, then the commune's People's Committee; the result online.
    choose_agency_online(page, agency)

    # Review, declare, submit.
    expect(page.get_by_role("heading", level=1)).to_have_text("Xem lại và nộp hồ sơ")
    expect(page.get_by_text("Nguyễn Minh Khang")).to_be_visible()
    expect(page.get_by_text(agency.name).first).to_be_visible()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("alert")).to_contain_text("Xác nhận lời cam đoan trước khi nộp hồ sơ.")
    page.get_by_label(re.compile("Tôi xin cam đoan những thông tin khai trên là đúng sự thật")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ thành công")
    dossier = Dossier.objects.get(applicant=citizen)
    assert re.fullmatch(re.escape(HOAN_KIEM) + r"-\d{6}-\d{4}", dossier.code)
    assert dossier.status == Status.SUBMITTED and dossier.documents.count() == 1
    expect(page.get_by_text(dossier.code, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Tải giấy biên nhận hồ sơ (PDF)")).to_be_visible()

    # Anyone can track it by the code, without signing in.
    page.context.clear_cookies()
    page.goto("/tra-cuu-ho-so/")
    page.get_by_label("Mã hồ sơ").fill(dossier.code.lower())
    page.get_by_role("button", name="Tra cứu").click()
    result = page.get_by_role("region", name=f"Hồ sơ {dossier.code}")
    expect(result).to_contain_text("Mới đăng ký")
    expect(result).to_contain_text("Đăng ký khai sinh")
    expect(result).to_contain_text(agency.name)
    expect(result).not_to_contain_text("Nguyễn Văn An")
