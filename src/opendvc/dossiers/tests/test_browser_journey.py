"""The whole loop in Chromium, as people would do it (elements found by label or role):

a citizen files "Đăng ký khai sinh" with prefilled data and an attachment → the commune's official receives
it and asks for a supplement → the citizen supplements → the official processes it with a result that the
portal seals and returns it → the citizen downloads the result and verifies its signature, tracks the
dossier by its code and rates the service.
"""

import re

import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.catalog.models import Agency
from opendvc.dossiers.models import Dossier, DossierRating, Status
from opendvc.dossiers.tests.browser_steps import (
    arrive,
    choose_agency_online,
    official_signs_in,
    sign_in_on_the_way,
)
from opendvc.dossiers.tests.factories import BIRTH, HOAN_KIEM, make_pdf_bytes, make_procedure_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def attach(locator, name: str, text: str):
    locator.set_input_files({"name": name, "mimeType": "application/pdf", "buffer": make_pdf_bytes(text)})


def citizen_files_a_birth_registration(page, citizen, agency) -> str:
    page.goto(f"/ho-so/nop/{BIRTH}/")
    sign_in_on_the_way(page, citizen.id_number, "0912345678")
    page.get_by_role("button", name="Bắt đầu", exact=True).click()
    arrive(page, "Người yêu cầu")
    expect(page.get_by_label("Họ, chữ đệm, tên")).to_have_value(citizen.full_name)
    expect(page.get_by_text("Từ Cơ sở dữ liệu quốc gia về dân cư – không sửa được")).to_be_visible()
    page.get_by_role("button", name="Tiếp tục").click()
    arrive(page, "Người được khai sinh")
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Minh Khang")
    attach(page.get_by_label("Giấy chứng sinh"), "giay-chung-sinh.pdf", "Giay chung sinh")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tờ đính kèm")
    page.get_by_role("button", name="Tiếp tục").click()
    choose_agency_online(page, agency)
    expect(page.get_by_role("heading", level=1)).to_have_text("Xem lại và nộp hồ sơ")
    page.get_by_label(re.compile("Tôi xin cam đoan những thông tin khai trên là đúng sự thật")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ thành công")
    return Dossier.objects.get(applicant=citizen).code


def test_a_birth_registration_goes_from_filing_to_a_verified_sealed_result_and_a_rating(
    new_page,
):
    citizen = make_citizen()
    make_procedure_with_form(BIRTH)
    agency = Agency.objects.select_related("province", "commune").get(code=HOAN_KIEM)
    _official, secret = make_official(
        username="motcua.hk", roles=("desk_clerk", "handler"), full_name="Phạm Thị Một Cửa"
    )

    citizen_page, official_page = new_page(), new_page()
    code = citizen_files_a_birth_registration(citizen_page, citizen, agency)

    # The commune's official receives it and asks for what is missing, all in one request.
    official_signs_in(official_page, "motcua.hk", secret)
    official_page.goto(f"/mot-cua/ho-so/{code}/")
    official_page.get_by_role("region", name="Tiếp nhận", exact=True).get_by_role(
        "button", name="Tiếp nhận", exact=True
    ).click()
    expect(official_page.get_by_role("status")).to_have_text(f"Đã tiếp nhận hồ sơ {code}.")
    supplement = official_page.get_by_role("region", name="Yêu cầu bổ sung")
    supplement.get_by_label("Giấy tờ, nội dung cần bổ sung").fill("Bản sao giấy đăng ký kết hôn của cha mẹ")
    supplement.get_by_role("button", name="Yêu cầu bổ sung").click()
    expect(official_page.get_by_role("status")).to_have_text(f"Đã gửi yêu cầu bổ sung hồ sơ {code}.")

    # The citizen sees the request on the dossier page and supplements online.
    citizen_page.goto(f"/ho-so/cua-toi/{code}/")
    request = citizen_page.get_by_role("region", name="Cơ quan yêu cầu bổ sung hồ sơ")
    expect(request).to_contain_text("Bản sao giấy đăng ký kết hôn của cha mẹ")
    attach(
        request.get_by_label("Tải lên: Bản sao giấy đăng ký kết hôn của cha mẹ"),
        "ket-hon.pdf",
        "Giay ket hon",
    )
    request.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    expect(citizen_page.get_by_role("status").first).to_be_visible()
    assert Dossier.objects.get(code=code).status == Status.RECEIVED

    # The official processes it with the result, which the portal seals, and returns it electronically.
    official_page.goto(f"/mot-cua/ho-so/{code}/")
    process = official_page.get_by_role("region", name="Hoàn thành xử lý")
    attach(process.get_by_label("Tệp kết quả"), "trich-luc-khai-sinh.pdf", "Trich luc khai sinh")
    process.get_by_role("button", name="Hoàn thành xử lý").click()
    expect(official_page.get_by_text("Đã giải quyết xong", exact=True)).to_be_visible()
    give = official_page.get_by_role("region", name="Trả kết quả")
    give.get_by_role("radio", name="Nhận bản điện tử trên Cổng").check()
    give.get_by_role("button", name="Trả kết quả").click()
    expect(official_page.get_by_text("Đã trả kết quả", exact=True)).to_be_visible()

    # The citizen downloads the sealed result and checks its signature on the public page.
    citizen_page.goto(f"/ho-so/cua-toi/{code}/")
    results = citizen_page.get_by_role("region", name="Kết quả giải quyết")
    expect(results).to_contain_text("có chữ ký số")
    with citizen_page.expect_download() as download:
        results.get_by_role("link", name=re.compile("trich-luc-khai-sinh")).click()
    saved = download.value.path()
    citizen_page.goto("/xac-minh-ket-qua/")
    citizen_page.get_by_label("Tệp PDF cần xác minh").set_input_files(saved)
    citizen_page.get_by_role("button", name="Kiểm tra chữ ký số").click()
    verdict = citizen_page.get_by_role("status")
    expect(verdict.get_by_role("heading")).to_have_text("Chữ ký số hợp lệ")
    expect(verdict).to_contain_text(agency.name)

    # Anyone can follow it by its code; the applicant rates the service.
    citizen_page.goto(f"/tra-cuu-ho-so/?ma={code}")
    expect(citizen_page.get_by_role("region", name=f"Hồ sơ {code}")).to_contain_text("Đã trả kết quả")
    citizen_page.goto(f"/ho-so/cua-toi/{code}/")
    rating = citizen_page.get_by_role("region", name="Đánh giá mức độ hài lòng")
    rating.get_by_role("radio", name="Hài lòng", exact=True).check()
    rating.get_by_label("Ý kiến của bạn (không bắt buộc)").fill("Cán bộ hướng dẫn tận tình")
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(citizen_page.get_by_role("status").first).to_be_visible()
    assert DossierRating.objects.get(dossier__code=code).value == "satisfied"
