"""A desk clerk works through a new dossier in Chromium: signs in with the authenticator code, finds the
dossier in the inbox by its code, receives it, assigns it to a handler and asks for two more documents."""

import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import make_official
from opendvc.dossiers.models import Dossier, Status
from opendvc.dossiers.tests.browser_steps import official_signs_in
from opendvc.dossiers.tests.factories import make_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_desk_clerk_receives_assigns_and_asks_for_a_supplement(page):
    _clerk, secret = make_official(username="motcua.hk", roles=("desk_clerk",), full_name="Phạm Thị Một Cửa")
    make_official(username="xuly.hk", roles=("handler",), totp=False, full_name="Lê Văn Xử Lý")
    make_dossier(status=Status.SUBMITTED, applicant_name="Trịnh Văn Khác")
    dossier = make_dossier(status=Status.SUBMITTED, applicant_name="Nguyễn Thị Mới", due_in_days=None)

    official_signs_in(page, "motcua.hk", secret)
    page.goto("/mot-cua/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của cơ quan")
    page.get_by_label("Mã hồ sơ hoặc tên người nộp").fill(dossier.code)
    page.get_by_role("button", name="Lọc", exact=True).click()
    results = page.get_by_role("table")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and the one dossier
    expect(results).to_contain_text("Nguyễn Thị Mới")
    page.get_by_role("link", name=dossier.code).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {dossier.code}")
    receive = page.get_by_role("region", name="Tiếp nhận", exact=True)
    receive.get_by_label("Ghi chú").fill("Đã kiểm tra bản gốc")
    receive.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"Đã tiếp nhận hồ sơ {dossier.code}.")
    expect(page.get_by_text("Đã tiếp nhận", exact=True)).to_be_visible()

    assign = page.get_by_role("region", name="Phân công xử lý")
    assign.get_by_label("Cán bộ xử lý").select_option(label="Lê Văn Xử Lý")
    assign.get_by_role("button", name="Phân công xử lý").click()
    expect(page.get_by_role("status")).to_have_text(f"Đã phân công xử lý hồ sơ {dossier.code}.")
    expect(page.get_by_text("Đang xử lý", exact=True)).to_be_visible()

    supplement = page.get_by_role("region", name="Yêu cầu bổ sung")
    supplement.get_by_label("Giấy tờ, nội dung cần bổ sung").fill(
        "Bản sao giấy chứng sinh có chứng thực\nGiấy xác nhận nơi cư trú của người mẹ"
    )
    supplement.get_by_role("button", name="Yêu cầu bổ sung").click()
    expect(page.get_by_role("status")).to_have_text(f"Đã gửi yêu cầu bổ sung hồ sơ {dossier.code}.")
    expect(page.get_by_text("Yêu cầu bổ sung hồ sơ", exact=True)).to_be_visible()
    timeline = page.get_by_role("region", name="Quá trình xử lý")
    expect(timeline.get_by_text("Bản sao giấy chứng sinh có chứng thực")).to_be_visible()
    expect(timeline.get_by_text("Giấy xác nhận nơi cư trú của người mẹ")).to_be_visible()
    expect(timeline.get_by_text("Giao cho: Lê Văn Xử Lý")).to_be_visible()

    after = Dossier.objects.get(pk=dossier.pk)
    assert after.status == Status.SUPPLEMENT_REQUESTED
    assert after.handler.full_name == "Lê Văn Xử Lý"
    assert after.supplements.get().items == [
        "Bản sao giấy chứng sinh có chứng thực",
        "Giấy xác nhận nơi cư trú của người mẹ",
    ]
