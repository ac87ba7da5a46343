"""The public verification page in Chromium: a person uploads a signed result and reads the verdict."""

import pytest
from playwright.sync_api import expect

from opendvc.catalog.models import Agency
from opendvc.dossiers import signing
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_uploading_a_signed_result_shows_that_its_signature_is_valid(page):
    signed = signing.sign_pdf(
        make_pdf_bytes("Trich luc khai sinh"), agency=Agency.objects.get(code=HOAN_KIEM)
    )
    page.goto("/xac-minh-ket-qua/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác minh kết quả điện tử")
    page.get_by_label("Tệp PDF cần xác minh").set_input_files(
        {"name": "trich-luc.pdf", "mimeType": "application/pdf", "buffer": signed}
    )
    page.get_by_role("button", name="Kiểm tra chữ ký số").click()
    verdict = page.get_by_role("status")
    expect(verdict.get_by_role("heading")).to_have_text("Chữ ký số hợp lệ")
    expect(verdict).to_contain_text(
        "Văn bản có chữ ký số hợp lệ của Ủy ban nhân dân phường Hoàn Kiếm, ký lúc"
    )
    expect(verdict).to_contain_text("nội dung không bị thay đổi.")


def test_uploading_a_file_that_is_not_a_pdf_shows_the_error_on_the_field(page):
    page.goto("/xac-minh-ket-qua/")
    page.get_by_label("Tệp PDF cần xác minh").set_input_files(
        {"name": "anh.pdf", "mimeType": "application/pdf", "buffer": b"GIF89a\x01\x00\x01\x00"}
    )
    page.get_by_role("button", name="Kiểm tra chữ ký số").click()
    expect(page.get_by_role("alert")).to_contain_text("Tệp đã chọn không phải tệp PDF.")
