"""Paying a dossier in Chromium, through the local gateway simulator (elements found by label or role):

a citizen files "Cấp bản sao trích lục hộ tịch" for two copies and sees the fee before submitting → pays
it online on the simulated gateway → comes back to "Thanh toán thành công" and downloads the receipt →
the commune's official sees the payment confirmed by the IPN, receives the dossier, and downloads the
day's reconciliation report.
"""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.catalog.models import Agency
from opendvc.dossiers.models import Dossier, Status
from opendvc.dossiers.tests.browser_steps import (
    arrive,
    choose_agency_online,
    official_signs_in,
    sign_in_on_the_way,
)
from opendvc.dossiers.tests.factories import HOAN_KIEM
from opendvc.payments.demo import ensure_demo_merchants
from opendvc.payments.models import OrderStatus
from opendvc.payments.tests.factories import EXTRACT, copies_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_pays_a_dossiers_fee_online_and_the_official_sees_it_reconciled(
    new_page, demo_live_server, settings
):
    settings.PORTAL_BASE_URL = demo_live_server.url  # where the simulated gateway sends its IPN
    ensure_demo_merchants()
    copies_form()
    citizen = make_citizen()
    agency = Agency.objects.select_related("province", "commune").get(code=HOAN_KIEM)
    _official, secret = make_official(
        username="motcua.hk", roles=("desk_clerk",), full_name="Phạm Thị Một Cửa"
    )

    page = new_page()
    page.goto(f"/ho-so/nop/{EXTRACT}/")
    sign_in_on_the_way(page, citizen.id_number, "0912345678")
    page.get_by_role("button", name="Bắt đầu", exact=True).click()
    arrive(page, "Yêu cầu")
    page.get_by_label("Số bản sao").fill("2")
    page.get_by_role("button", name="Tiếp tục").click()
    if page.get_by_role("heading", level=1, name="Giấy tờ đính kèm").is_visible():
        page.get_by_role("button", name="Tiếp tục").click()
    choose_agency_online(page, agency)

    # Before submitting, the applicant sees what the answers cost and when it is paid.
    arrive(page, "Xem lại và nộp hồ sơ")
    fees = page.get_by_role("region", name="Phí, lệ phí")
    expect(fees).to_contain_text("(2 × 8.000 đ)")
    expect(fees).to_contain_text("16.000 đ")
    page.get_by_label(re.compile("Tôi xin cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    arrive(page, "Đã nộp hồ sơ thành công")
    code = Dossier.objects.get(applicant=citizen).code

    # Pay now: the portal's page, then the gateway's, then back with the result.
    page.get_by_role("link", name="Thanh toán trực tuyến 16.000 đ").click()
    arrive(page, "Thanh toán phí, lệ phí")
    page.get_by_role("button", name="Thanh toán 16.000 đ").click()
    arrive(page, "Thanh toán đơn hàng")
    expect(page.get_by_text("Môi trường thử nghiệm")).to_be_visible()
    page.get_by_role("radio", name="Vietcombank").check()
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    arrive(page, "Thanh toán thành công")
    expect(page.get_by_text(f"Đã nhận 16.000 đ cho hồ sơ {code}.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Tải biên lai điện tử số BL")).click()
    assert download.value.suggested_filename.startswith("bien-lai-BL")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    page.get_by_role("link", name="Xem hồ sơ").click()
    section = page.get_by_role("region", name="Phí, lệ phí")
    expect(section).to_contain_text("Đã nộp")
    expect(section.get_by_role("link", name=re.compile("Biên lai số BL"))).to_be_visible()
    order = Dossier.objects.get(code=code).payment_orders.get()
    assert (order.status, order.settled_via) == (OrderStatus.PAID, "ipn")

    # The official sees the payment the gateway confirmed, receives the dossier and checks the day.
    office = new_page()
    official_signs_in(office, "motcua.hk", secret)
    office.goto(f"/mot-cua/ho-so/{code}/")
    payments = office.get_by_role("region", name="Phí, lệ phí và thanh toán")
    expect(payments).to_contain_text("Thành công")
    expect(payments).to_contain_text("Thông báo của cổng thanh toán (IPN)")
    office.get_by_role("region", name="Tiếp nhận", exact=True).get_by_role(
        "button", name="Tiếp nhận", exact=True
    ).click()
    expect(office.get_by_role("status")).to_have_text(f"Đã tiếp nhận hồ sơ {code}.")
    assert Dossier.objects.get(code=code).status == Status.RECEIVED

    office.get_by_role("link", name="Thanh toán", exact=True).click()
    arrive(office, "Thanh toán phí, lệ phí")
    expect(office.get_by_text("1 giao dịch thành công, 16.000 đ")).to_be_visible()
    office.get_by_role("button", name="Lập báo cáo đối soát").click()
    expect(office.get_by_role("status")).to_contain_text("1 giao dịch, 0 giao dịch lệch")
    with office.expect_download() as download:
        office.get_by_role("link", name=re.compile("Tải CSV ngày")).click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        table = list(csv.reader(io.StringIO(handle.read())))
    assert table[1][1] == code and table[1][13] == "Khớp"
