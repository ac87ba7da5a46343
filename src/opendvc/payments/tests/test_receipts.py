"""Electronic receipts: numbered per agency and year, sealed by the agency, verifiable by their QR code."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.dossiers import verification
from opendvc.payments.services import orders, receipts
from opendvc.payments.tests.factories import owing_dossier

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def clerk():
    account, _secret = make_official(username="motcua.hk", roles=("desk_clerk",), totp=False)
    return account


@pytest.fixture
def citizen():
    return make_citizen()


def paid_at_desk(clerk, citizen, copies=2):
    dossier = owing_dossier(copies=copies, applicant=citizen)
    return orders.record_counter_payment(dossier, actor=clerk).receipt


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (8_000, "Tám nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (75_000, "Bảy mươi lăm nghìn đồng"),
        (105_000, "Một trăm linh năm nghìn đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (2_000_024_000, "Hai tỷ không trăm hai mươi tư nghìn đồng"),
    ],
)
def test_amounts_are_written_in_vietnamese_words(amount, words):
    assert receipts.amount_in_words(amount) == words


def test_receipts_are_numbered_per_agency_and_the_numbering_restarts_each_year(clerk, citizen):
    with freeze_time(datetime(2026, 12, 31, 16, 0, tzinfo=HANOI)):
        first, second = paid_at_desk(clerk, citizen), paid_at_desk(clerk, citizen)
    with freeze_time(datetime(2027, 1, 2, 9, 0, tzinfo=HANOI)):
        third = paid_at_desk(clerk, citizen)
    assert [r.display_number for r in (first, second, third)] == [
        "BL26E-0000001",
        "BL26E-0000002",
        "BL27E-0000001",
    ]


def test_the_receipt_states_the_agency_payer_lines_amount_in_words_and_where_to_verify_it(clerk, citizen):
    receipt = paid_at_desk(clerk, citizen)
    html = receipts.render_html(receipt)
    assert "Biên lai thu phí, lệ phí" in html
    assert "Ký hiệu: BL26E – Số: 0000001" in html and "01BLP0-001" in html
    assert "Nguyễn Văn An" in html and "16.000 đ" in html and "Mười sáu nghìn đồng" in html
    assert reverse("payments:receipt_verify", args=[receipt.token]) in html


def test_the_receipt_pdf_is_sealed_by_the_agency_and_kept(clerk, citizen):
    receipt = paid_at_desk(clerk, citizen)
    content = receipts.pdf_bytes(receipt)
    assert content.startswith(b"%PDF")
    report = verification.verify_pdf(content)
    assert report.trusted
    receipt.refresh_from_db()
    assert receipt.file_id is not None
    assert receipts.pdf_bytes(receipt) == content  # the kept copy, byte for byte


def test_the_payer_and_the_agencys_officials_download_the_receipt_and_nobody_else(clerk, citizen):
    receipt = paid_at_desk(clerk, citizen)
    url = reverse("payments:receipt", args=[receipt.pk])
    payer = Client()
    payer.force_login(citizen)
    response = payer.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "bien-lai-BL26E-0000001.pdf" in response["Content-Disposition"]
    office = Client()
    office.force_login(clerk)
    assert office.get(url).status_code == 200
    stranger = Client()
    stranger.force_login(make_citizen(id_number="001190001234", phone="0911222333"))
    assert stranger.get(url).status_code == 404
    elsewhere, _ = make_official(
        username="motcua.hcm", roles=("desk_clerk",), agency_code="000.00.00.H29", totp=False
    )
    other_office = Client()
    other_office.force_login(elsewhere)
    assert other_office.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # anonymous: sign in first


def test_anyone_with_the_qr_code_sees_the_receipt_as_issued_with_the_payers_name_masked(
    client, clerk, citizen
):
    receipt = paid_at_desk(clerk, citizen)
    page = client.get(reverse("payments:receipt_verify", args=[receipt.token])).content.decode()
    assert "BL26E-0000001" in page and "16.000 đ" in page and "N. V. An" in page
    assert "Nguyễn Văn An" not in page
    missing = client.get(reverse("payments:receipt_verify", args=["no-such-token"]))
    assert missing.status_code == 404 and "Không tìm thấy biên lai" in missing.content.decode()
