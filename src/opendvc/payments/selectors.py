"""Reads of payments, aware of who asks: the payer sees their dossier's; officials their agency's."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet, Sum
from django.utils import timezone

from opendvc.core.errors import NotFound
from opendvc.dossiers.services.fees import dossier_fee_lines
from opendvc.payments.models import (
    Charge,
    ChargeKind,
    ChargeState,
    DailyReport,
    Method,
    OrderStatus,
    PaymentOrder,
    Receipt,
)
from opendvc.payments.services.orders import is_payer, merchant_for


@dataclass
class DossierPayments:
    charges: list[Charge]
    due: int  # đồng still owed
    pending: list[PaymentOrder]  # online orders waiting for the gateway's word
    orders: list[PaymentOrder]  # every order, newest first
    receipts: list[Receipt]
    to_be_stated: list = field(default_factory=list)  # fee lines whose amount the agency states later
    online: bool = False  # the agency takes online payments
    obligation_due: int = 0

    @property
    def owes(self) -> bool:
        return self.due > 0

    @property
    def refund_due(self) -> int:
        return sum(o.refund_due for o in self.orders)


def dossier_payments(dossier) -> DossierPayments:
    charges = list(Charge.objects.filter(dossier=dossier).order_by("created_at", "id"))
    orders = list(
        PaymentOrder.objects.filter(dossier=dossier).select_related("receipt").order_by("-created_at", "-id")
    )
    due = [c for c in charges if c.state == ChargeState.DUE]
    # Lines whose amount the agency states for the case (status 6): said until it has stated one.
    stated = []
    if not any(c.kind == ChargeKind.OBLIGATION for c in charges):
        stated = [line for line in dossier_fee_lines(dossier) if line.amount is None]
    return DossierPayments(
        charges=charges,
        due=sum(c.amount for c in due),
        pending=[o for o in orders if o.status == OrderStatus.PENDING and o.method == Method.ONLINE],
        orders=orders,
        receipts=[o.receipt for o in orders if hasattr(o, "receipt")],
        to_be_stated=stated,
        online=merchant_for(dossier.agency) is not None,
        obligation_due=sum(c.amount for c in due if c.kind == ChargeKind.OBLIGATION),
    )


def payer_order(account, reference: str) -> PaymentOrder:
    order = PaymentOrder.objects.select_related("dossier").filter(reference=reference).first()
    if order is None or not is_payer(order.dossier, account):
        raise NotFound("no such order for this payer")
    return order


def readable_receipt(account, receipt_id) -> Receipt:
    """A receipt its payer or an official of its agency may read; NotFound for anyone else."""
    receipt = (
        Receipt.objects.select_related("order__dossier", "agency", "file").filter(pk=receipt_id).first()
        if str(receipt_id).isdigit()
        else None
    )
    if receipt is None or not account.is_authenticated:
        raise NotFound("no such receipt")
    if is_payer(receipt.order.dossier, account):
        return receipt
    if account.is_official and account.agency_id == receipt.agency_id:
        return receipt
    raise NotFound("no such receipt")


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(days=1)


def agency_orders(official, *, day: date | None = None, status: str = "") -> QuerySet:
    """The orders of the official's agency's dossiers, newest first, optionally of one day or status."""
    orders = PaymentOrder.objects.filter(dossier__agency_id=official.agency_id)
    if day is not None:
        start, end = _day_bounds(day)
        orders = orders.filter(created_at__gte=start, created_at__lt=end)
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return orders.select_related("dossier__procedure", "receipt").order_by("-created_at", "-id")


def agency_totals(official, *, day: date | None = None) -> dict:
    orders = agency_orders(official, day=day).filter(status=OrderStatus.PAID)
    totals = orders.aggregate(amount=Sum("amount"), refund=Sum("refund_due"))
    return {"count": orders.count(), "amount": totals["amount"] or 0, "refund_due": totals["refund"] or 0}


def agency_reports(official) -> QuerySet:
    return DailyReport.objects.filter(agency_id=official.agency_id).order_by("-day")


def agency_report(official, report_id) -> DailyReport:
    report = DailyReport.objects.filter(agency_id=official.agency_id, pk=report_id).first()
    if report is None:
        raise NotFound("no such report in this agency")
    return report
