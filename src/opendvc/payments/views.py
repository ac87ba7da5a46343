"""Payment pages: paying a dossier, coming back from the gateway, receipts, and the back office's view.

- `/ho-so-cua-toi/<code>/thanh-toan/`: what is due and why, then "Thanh toán" sends the browser to the
  gateway with a new order.
- `/thanh-toan/ket-qua/`: the gateway's return address. For display only: the signature is checked and the
  order shown as the database has it; a payment is confirmed by the IPN (or reconciliation), never here,
  so a return before the IPN says "processing" and the page asks again until the order is settled.
- `/bien-lai/<id>/`: the receipt PDF (its payer, or officials of its agency); `/xac-minh-bien-lai/<token>/`:
  public verification by the QR code printed on it.
- `/mot-cua/thanh-toan/`: the agency's payments and daily reconciliation reports; money taken at the desk.
"""

import re
from datetime import date

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendvc.core.errors import DomainError, NotFound
from opendvc.core.limits import Limit, enforce
from opendvc.core.request_info import client_ip
from opendvc.dossiers import selectors as dossier_selectors
from opendvc.dossiers.views.backoffice import backoffice_required
from opendvc.dossiers.views.citizen.common import applicant_required
from opendvc.payments import selectors, vnpay
from opendvc.payments.models import GatewayMessage, MerchantAccount, OrderStatus, PaymentOrder
from opendvc.payments.providers import ProviderUnavailable, provider_for, result_from_params
from opendvc.payments.services import orders, receipts, reports
from opendvc.payments.services.settlement import log_message

_ORDER_SALT = "opendvc.payments.order"


def start_limits(request, account) -> list[Limit]:
    from django.conf import settings

    return [Limit("payment-start", str(account.pk), rate) for rate in settings.PAYMENT_START_LIMITS]


def order_token(order) -> str:
    return signing.dumps(order.reference, salt=_ORDER_SALT, compress=False)


def return_url(request) -> str:
    return request.build_absolute_uri(reverse("payments:return"))


# --- paying -------------------------------------------------------------------------------------------------


def _my_dossier(request, code):
    try:
        return dossier_selectors.my_dossier(request.user, code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@applicant_required
@require_http_methods(["GET", "POST"])
def pay(request, code):
    """What the dossier owes, and the button that sends the browser to the gateway."""
    dossier = _my_dossier(request, code)
    problem = ""
    if request.method == "POST":
        try:
            enforce(request, start_limits(request, request.user))
            _order, url = orders.start_online_payment(
                dossier,
                actor=request.user,
                return_url=return_url(request),
                ip=client_ip(request) or "127.0.0.1",
                locale=get_language() or "vi",
            )
        except DomainError as exc:
            problem = exc.message
        else:
            return redirect(url)
    info = selectors.dossier_payments(dossier)
    status = 200 if not problem else 409
    return render(
        request,
        "payments/pay.html",
        {"dossier": dossier, "info": info, "problem": problem},
        status=status,
    )


def _gateway_return(request):
    """(order or None, what the gateway claims, signature valid) for the return's parameters."""
    params = vnpay.gateway_params(request.GET)
    merchants = MerchantAccount.objects.filter(tmn_code=params.get("vnp_TmnCode", ""))
    for merchant in merchants:
        try:
            valid = provider_for(merchant).verify(params)
        except ProviderUnavailable:
            continue
        if valid:
            order = (
                PaymentOrder.objects.select_related("dossier__procedure", "receipt")
                .filter(reference=params.get("vnp_TxnRef", ""), merchant=merchant)
                .first()
            )
            log_message(
                GatewayMessage.Kind.RETURN,
                params,
                params.get("vnp_ResponseCode", ""),
                order=order,
                ip=client_ip(request),
            )
            return order, result_from_params(params), True
    log_message(GatewayMessage.Kind.RETURN, params, "", note="signature", ip=client_ip(request))
    return None, None, False


@never_cache
@require_GET
def gateway_return(request):
    order, claimed, valid = _gateway_return(request)
    if not valid or order is None:
        return render(request, "payments/return.html", {"invalid": True}, status=400)
    return render(request, "payments/return.html", _order_context(request, order, claimed))


def _order_context(request, order, claimed=None) -> dict:
    is_payer = orders.is_payer(order.dossier, request.user)
    return {
        "order": order,
        "dossier": order.dossier,
        "claimed": claimed,
        "claimed_message": vnpay.response_message(claimed.response_code) if claimed else "",
        "failure": vnpay.response_message(order.response_code),
        "receipt": getattr(order, "receipt", None) if order.status == OrderStatus.PAID else None,
        "is_payer": is_payer,
        "status_url": reverse("payments:order_status", args=[order_token(order)]),
        "pay_again_url": reverse("payments:pay", args=[order.dossier.code]) if is_payer else "",
    }


@never_cache
@require_GET
def order_status(request, token):
    """The order's state as the database has it (the return page asks again while it is pending)."""
    try:
        reference = signing.loads(token, salt=_ORDER_SALT)
    except signing.BadSignature as exc:
        raise Http404("bad token") from exc
    order = (
        PaymentOrder.objects.select_related("dossier__procedure", "receipt")
        .filter(reference=reference)
        .first()
    )
    if order is None:
        raise Http404("no such order")
    template = "payments/_order_status.html" if request.htmx else "payments/return.html"
    return render(request, template, _order_context(request, order))


# --- receipts -----------------------------------------------------------------------------------------------


@require_GET
def receipt_pdf(request, receipt_id: int):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    try:
        receipt = selectors.readable_receipt(request.user, receipt_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(receipts.pdf_bytes(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipts.filename(receipt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def receipt_verify(request, token):
    """Public: the receipt's content as issued, for whoever scans its QR code (payer's name masked)."""
    from opendvc.payments.models import Receipt

    receipt = None
    if re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):  # what secrets.token_urlsafe gives, nothing else
        receipt = (
            Receipt.objects.select_related("order__dossier__procedure", "agency").filter(token=token).first()
        )
    if receipt is None:
        return render(request, "payments/receipt_verify.html", {"receipt": None}, status=404)
    return render(
        request,
        "payments/receipt_verify.html",
        {"receipt": receipt, "payer": _masked_name(receipt.payer_name)},
    )


def _masked_name(name: str) -> str:
    """'Lê Văn Cường' -> 'L. V. Cường': enough to recognise one's own receipt, not to learn a stranger's."""
    words = name.split()
    return " ".join([*(w[0] + "." for w in words[:-1]), *words[-1:]])


# --- back office --------------------------------------------------------------------------------------------


@backoffice_required
@require_POST
def counter_payment(request, code):
    """A clerk records the money for everything due as received at the desk; the receipt is issued."""
    try:
        dossier = dossier_selectors.official_dossier(request.user, code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    try:
        order = orders.record_counter_payment(
            dossier, actor=request.user, note=request.POST.get("note", "").replace("\x00", "").strip()[:500]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã ghi nhận thu %(amount)s đồng tại quầy cho hồ sơ %(code)s; biên lai số %(number)s.")
            % {
                "amount": f"{order.amount:,}".replace(",", "."),
                "code": dossier.code,
                "number": order.receipt.display_number,
            },
        )
    return redirect("dossiers:backoffice_detail", dossier.code)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@backoffice_required
@require_GET
def backoffice(request):
    """The agency's payments (by day and status), totals, and its reconciliation reports."""
    day = _day(request.GET.get("ngay", ""))
    status = request.GET.get("trang_thai", "")
    rows = selectors.agency_orders(request.user, day=day, status=status)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "result": {"page": page.number, "pages": page.paginator.num_pages},
        "day": day,
        "status": status if status in OrderStatus.values else "",
        "statuses": OrderStatus.choices,
        "totals": selectors.agency_totals(request.user, day=day),
        "reports": selectors.agency_reports(request.user)[:31],
        "today": timezone.localdate(),
        "querystring": params.urlencode(),
        "bo_section": "payments",
    }
    return render(request, "payments/backoffice.html", context)


@backoffice_required
@require_POST
def build_report(request):
    day = _day(request.POST.get("ngay", ""))
    if day is None or day > timezone.localdate():
        messages.error(request, _("Chọn ngày cần đối soát (không sau hôm nay)."))
        return redirect("payments:backoffice")
    report = reports.build(request.user.agency, day)
    messages.success(
        request,
        _("Đã lập báo cáo đối soát ngày %(day)s: %(count)d giao dịch, %(mismatches)d giao dịch lệch.")
        % {"day": day.strftime("%d/%m/%Y"), "count": report.orders, "mismatches": report.mismatches},
    )
    return redirect("payments:backoffice")


@backoffice_required
@require_GET
def report_csv(request, report_id: int):
    try:
        report = selectors.agency_report(request.user, report_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(reports.csv_bytes(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="doi-soat-{report.agency.code}-{report.day:%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


app_name = "payments"
urlpatterns = [
    path("ho-so-cua-toi/<str:code>/thanh-toan/", pay, name="pay"),
    path("thanh-toan/ket-qua/", gateway_return, name="return"),
    path("thanh-toan/giao-dich/<str:token>/", order_status, name="order_status"),
    path("bien-lai/<int:receipt_id>/", receipt_pdf, name="receipt"),
    path("xac-minh-bien-lai/<str:token>/", receipt_verify, name="receipt_verify"),
    path("mot-cua/thanh-toan/ho-so/<str:code>/thu-tai-quay/", counter_payment, name="counter"),
    path("mot-cua/thanh-toan/", backoffice, name="backoffice"),
    path("mot-cua/thanh-toan/doi-soat/", build_report, name="build_report"),
    path("mot-cua/thanh-toan/doi-soat/<int:report_id>/", report_csv, name="report_csv"),
]
