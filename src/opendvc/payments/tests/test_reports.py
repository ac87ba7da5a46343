"""The daily reconciliation report: the day's orders checked against the gateway, as CSV."""

import csv
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.catalog.models import Agency
from opendvc.dossiers.tests.factories import HOAN_KIEM
from opendvc.payments.models import DailyReport, OrderStatus, PaymentOrder
from opendvc.payments.services import orders, reports
from opendvc.payments.tests.factories import owing_dossier

pytestmark = pytest.mark.django_db


def pay_on_gateway(client, url, ipn_mode="now"):
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    client.post(urlsplit(url).path, {**params, "outcome": "pay", "ipn_mode": ipn_mode})


def rows(report) -> list[list[str]]:
    return list(csv.reader(io.StringIO(reports.csv_bytes(report).decode("utf-8-sig"))))


@pytest.fixture
def day_of_payments(gateway, client, django_capture_on_commit_callbacks):
    citizen = make_citizen()
    clerk, _ = make_official(username="motcua.hk", roles=("desk_clerk",), totp=False)
    paid = owing_dossier(copies=2, applicant=citizen)
    unpaid = owing_dossier(copies=1, applicant=citizen)
    desk = owing_dossier(copies=3, applicant=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        _order, url = orders.start_online_payment(
            paid, actor=citizen, return_url="http://testserver/r/", ip="1.2.3.4"
        )
        pay_on_gateway(client, url)
    orders.start_online_payment(unpaid, actor=citizen, return_url="http://testserver/r/", ip="1.2.3.4")
    orders.record_counter_payment(desk, actor=clerk)
    return clerk


def test_the_report_lists_every_order_of_the_day_with_the_gateways_confirmation(day_of_payments):
    report = reports.build(Agency.objects.get(code=HOAN_KIEM), timezone.localdate())
    table = rows(report)
    assert table[0][:3] == ["Mã giao dịch", "Mã hồ sơ", "Thủ tục"]
    body = table[1:4]
    assert sorted(row[5] for row in body) == ["Thành công", "Thành công", "Đang chờ kết quả"]
    online_paid = next(row for row in body if row[3].startswith("Trực tuyến") and row[5] == "Thành công")
    assert (online_paid[4], online_paid[12], online_paid[13]) == ("16000", "Thành công", "Khớp")
    assert (report.orders, report.paid_count, report.paid_amount, report.mismatches) == (3, 2, 40_000, 0)
    assert ["Tổng số tiền đã thu (đồng)", "40000"] in table


def test_an_order_we_hold_unpaid_that_the_gateway_says_is_paid_is_a_mismatch(
    gateway, client, django_capture_on_commit_callbacks
):
    citizen = make_citizen()
    dossier = owing_dossier(copies=1, applicant=citizen)
    order, url = orders.start_online_payment(
        dossier, actor=citizen, return_url="http://testserver/r/", ip="1.2.3.4"
    )
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_gateway(client, url, ipn_mode="never")
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.PENDING
    report = reports.build(dossier.agency, timezone.localdate())
    assert report.mismatches == 1
    assert rows(report)[1][12:14] == ["Thành công", "LỆCH"]


def test_the_nightly_job_makes_yesterdays_report_for_each_agency_with_orders(day_of_payments):
    assert reports.make_daily_reports(day=timezone.localdate() - timedelta(days=1)) == 0
    assert reports.make_daily_reports(day=timezone.localdate()) == 1
    assert DailyReport.objects.get().agency.code == HOAN_KIEM


def test_officials_make_and_download_their_agencys_reports_only(day_of_payments):
    office = Client()
    office.force_login(day_of_payments)
    today = timezone.localdate()
    page = office.post(
        reverse("payments:build_report"), {"ngay": today.isoformat()}, follow=True
    ).content.decode()
    assert "3 giao dịch, 0 giao dịch lệch" in page
    report = DailyReport.objects.get()
    download = office.get(reverse("payments:report_csv", args=[report.pk]))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download.content.startswith("\ufeff".encode())
    assert f"doi-soat-{HOAN_KIEM}-{today:%Y-%m-%d}.csv" in download["Content-Disposition"]
    elsewhere, _ = make_official(
        username="motcua.hcm", roles=("desk_clerk",), agency_code="000.00.00.H29", totp=False
    )
    other = Client()
    other.force_login(elsewhere)
    assert other.get(reverse("payments:report_csv", args=[report.pk])).status_code == 404
    future = office.post(
        reverse("payments:build_report"), {"ngay": (today + timedelta(days=1)).isoformat()}, follow=True
    )
    assert "không sau hôm nay" in future.content.decode()
