"""The public scorecard in Chromium (elements found by label or role): someone opens the index from the
menu, finds their ward, reads its criteria, downloads a table and compares it with the city; an official
processes a dossier in the back office and the ward's page shows it at once."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import make_official
from opendvc.dossiers.models import Delivery, Status
from opendvc.dossiers.services import actions
from opendvc.dossiers.tests.browser_steps import arrive, official_signs_in
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_dossier, make_pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WARD = "Ủy ban nhân dân phường Hoàn Kiếm"
E_RESULTS = "Kết quả giải quyết được cấp bản điện tử"


def criterion_row(page, name):
    return page.get_by_role("table", name=re.compile("^Các chỉ số của")).get_by_role(
        "row", name=re.compile(name)
    )


def test_a_ward_score_is_read_downloaded_compared_and_follows_a_dossier_processed_in_the_back_office(
    new_page,
):
    official, secret = make_official(username="motcua.hk", roles=("desk_clerk", "handler"))
    dossier = make_dossier(status=Status.SUBMITTED, delivery=Delivery.ELECTRONIC)
    actions.receive_dossier(dossier, actor=official, version=None)

    visitor = new_page()
    visitor.goto("/")
    visitor.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Chỉ số phục vụ"
    ).click()
    arrive(visitor, "Chỉ số phục vụ người dân, doanh nghiệp")
    visitor.get_by_role("link", name="Tất cả cơ quan").click()
    visitor.get_by_role("table", name=re.compile("^Xếp hạng Tất cả cơ quan")).get_by_role(
        "link", name=WARD
    ).click()
    arrive(visitor, WARD)
    expect(visitor.get_by_role("img", name="Tổng điểm theo tháng (thang 100)")).to_be_visible()
    # Received, not processed yet: no result to count.
    expect(criterion_row(visitor, E_RESULTS)).to_contain_text("Không tính (N/A)")

    with visitor.expect_download() as download:
        visitor.get_by_role("link", name=re.compile("^CSV – Các chỉ số của")).click()
    assert download.value.suggested_filename.endswith("-criteria.csv")
    with open(download.value.path(), encoding="utf-8-sig") as saved:
        assert saved.readline().startswith("Nhóm,Mã chỉ số,Chỉ số,Điểm tối đa")

    # The official processes it with a result the portal seals.
    back_office = new_page()
    official_signs_in(back_office, "motcua.hk", secret, full_name=official.full_name)
    back_office.goto(f"/mot-cua/ho-so/{dossier.code}/")
    process = back_office.get_by_role("region", name="Hoàn thành xử lý")
    process.get_by_label("Tệp kết quả").set_input_files(
        {"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": make_pdf_bytes("Ket qua")}
    )
    process.get_by_role("button", name="Hoàn thành xử lý").click()
    expect(back_office.get_by_text("Đã giải quyết xong", exact=True)).to_be_visible()

    visitor.reload()
    row = criterion_row(visitor, E_RESULTS)
    expect(row).not_to_contain_text("Không tính (N/A)")
    expect(row.get_by_role("cell").nth(4)).to_have_text("100")  # the rate: 1 electronic result of 1

    visitor.get_by_role("link", name="So sánh với đơn vị khác").click()
    arrive(visitor, "So sánh chỉ số phục vụ của hai đơn vị")
    expect(visitor.get_by_label("Đơn vị thứ nhất")).to_have_value(HOAN_KIEM)
    visitor.get_by_label("Đơn vị thứ hai").select_option(label="Ủy ban nhân dân thành phố Hà Nội")
    visitor.get_by_role("button", name="So sánh").click()
    table = visitor.get_by_role(
        "table", name=re.compile(f"^So sánh {WARD} và Ủy ban nhân dân thành phố Hà Nội")
    )
    expect(table.get_by_role("row", name=re.compile("^Tổng điểm"))).to_be_visible()
    expect(
        visitor.get_by_role("img", name="Phần trăm số điểm đạt theo nhóm chỉ số của hai đơn vị")
    ).to_be_visible()


def test_a_visitor_picks_a_quarter_then_a_range_of_days_and_a_backwards_range_is_explained_keeping_dates(
    new_page,
):
    from django.utils import timezone

    from opendvc.scorecard import periods

    today = timezone.localdate()
    this_quarter = periods.quarter(today)
    visitor = new_page()
    visitor.goto("/chi-so-phuc-vu/")
    visitor.get_by_label("Kỳ đánh giá").select_option(label=this_quarter.label)
    visitor.get_by_role("button", name="Xem kết quả").click()
    expect(visitor.get_by_role("heading", name=f"Cả nước – {this_quarter.label}")).to_be_visible()

    end = today
    visitor.get_by_label("Từ ngày").fill(end.isoformat())
    visitor.get_by_label("Đến ngày").fill((end - timedelta(days=3)).isoformat())
    visitor.get_by_role("button", name="Xem kết quả").click()
    expect(visitor.get_by_text("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.").first).to_be_visible()
    expect(visitor.get_by_label("Từ ngày")).to_have_value(end.isoformat())

    visitor.get_by_label("Đến ngày").fill(end.isoformat())
    visitor.get_by_label("Từ ngày").fill((end - timedelta(days=44)).isoformat())
    visitor.get_by_role("button", name="Xem kết quả").click()
    chosen = periods.parse(f"{end - timedelta(days=44)}..{end}")
    expect(visitor.get_by_role("heading", name=f"Cả nước – {chosen.label}")).to_be_visible()
