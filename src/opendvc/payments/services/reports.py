"""The agency's daily reconciliation report (báo cáo đối soát): the day's orders checked with the gateway.

For each online order begun that day (local time) the gateway is asked again (querydr) and its answer is
compared with our ledger: a paid order the gateway does not confirm, an amount that differs, or a payment
the gateway confirms that we still hold as unpaid is a mismatch for the agency's accountant to resolve.
Payments at the desk are listed too. The report is CSV (UTF-8 with BOM so that spreadsheet programs
read the diacritics), kept per agency and day; making it again replaces it.
"""

import csv
import io
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from opendvc.payments.models import DailyReport, Method, OrderStatus, PaymentOrder
from opendvc.payments.providers import ProviderUnavailable, provider_for

COLUMNS = [
    "Mã giao dịch",
    "Mã hồ sơ",
    "Thủ tục",
    "Hình thức",
    "Số tiền (đồng)",
    "Trạng thái trên Cổng",
    "Xác nhận qua",
    "Mã giao dịch tại cổng thanh toán",
    "Ngân hàng",
    "Thời điểm thanh toán",
    "Số biên lai",
    "Phải hoàn trả (đồng)",
    "Cổng thanh toán xác nhận",
    "Đối chiếu",
]


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def _gateway_view(order) -> tuple[str, bool]:
    """(what the gateway says now, whether it agrees with our ledger)."""
    if order.method != Method.ONLINE:
        return "", True
    try:
        result = provider_for(order.merchant).query(order)
    except ProviderUnavailable:
        return "Không truy vấn được", order.status != OrderStatus.PAID
    if result is None:
        return "Không có giao dịch", order.status != OrderStatus.PAID
    said = "Thành công" if result.paid else ("Không thành công" if result.final else "Chưa hoàn tất")
    agrees = result.amount == order.amount and result.paid == (order.status == OrderStatus.PAID)
    return said, agrees


def build(agency, day: date) -> DailyReport:
    """Make (or make again) the report of `agency` for `day`."""
    start, end = _day_bounds(day)
    orders = (
        PaymentOrder.objects.filter(dossier__agency=agency, created_at__gte=start, created_at__lt=end)
        .select_related("dossier__procedure", "merchant", "receipt")
        .order_by("created_at", "id")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    totals = {"orders": 0, "paid_count": 0, "paid_amount": 0, "mismatches": 0, "refund_due": 0}
    for order in orders:
        said, agrees = _gateway_view(order)
        receipt = getattr(order, "receipt", None)
        writer.writerow(
            [
                order.reference,
                order.dossier.code,
                order.dossier.procedure.name_vi,
                order.get_method_display(),
                order.amount,
                order.get_status_display(),
                order.get_settled_via_display() if order.settled_via else "",
                order.gateway_transaction_no,
                order.bank_code,
                timezone.localtime(order.paid_at).strftime("%d/%m/%Y %H:%M:%S") if order.paid_at else "",
                receipt.display_number if receipt else "",
                order.refund_due or "",
                said,
                "Khớp" if agrees else "LỆCH",
            ]
        )
        totals["orders"] += 1
        if order.status == OrderStatus.PAID:
            totals["paid_count"] += 1
            totals["paid_amount"] += order.amount
        totals["mismatches"] += 0 if agrees else 1
        totals["refund_due"] += order.refund_due
    writer.writerow([])
    writer.writerow(["Tổng số giao dịch", totals["orders"]])
    writer.writerow(["Số giao dịch thành công", totals["paid_count"]])
    writer.writerow(["Tổng số tiền đã thu (đồng)", totals["paid_amount"]])
    writer.writerow(["Số giao dịch lệch", totals["mismatches"]])
    writer.writerow(["Tổng số tiền phải hoàn trả (đồng)", totals["refund_due"]])
    with transaction.atomic():
        report, _created = DailyReport.objects.update_or_create(
            agency=agency,
            day=day,
            defaults={"csv": out.getvalue(), "generated_at": timezone.now(), **totals},
        )
    return report


def make_daily_reports(day: date | None = None) -> int:
    """The report of `day` (default: yesterday) for every agency that had orders that day."""
    from opendvc.catalog.models import Agency

    day = day or timezone.localdate() - timedelta(days=1)
    start, end = _day_bounds(day)
    agency_ids = (
        PaymentOrder.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("dossier__agency_id", flat=True)
        .distinct()
    )
    count = 0
    for agency in Agency.objects.filter(pk__in=list(agency_ids)):
        build(agency, day)
        count += 1
    return count


def csv_bytes(report: DailyReport) -> bytes:
    return "\ufeff".encode() + report.csv.encode("utf-8")
