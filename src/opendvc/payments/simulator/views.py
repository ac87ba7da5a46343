"""The simulated gateway's pages and API under /dev/cong-thanh-toan/ (installed only when enabled)."""

import json

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendvc.payments import vnpay
from opendvc.payments.simulator import gateway
from opendvc.payments.simulator.models import IpnMode, SimNotification, SimTransaction


def _vnp(source) -> dict:
    return vnpay.gateway_params(source)


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request):
    """The payment page (vpcpay.html): GET shows the order, POST is the payer's choice."""
    params = _vnp(request.GET if request.method == "GET" else request.POST)
    try:
        merchant = gateway.check_request(params)
    except gateway.PaymentRequestError as exc:
        return render(
            request, "payment_simulator/error.html", {"code": exc.code, "message": exc.message}, status=400
        )
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome in gateway.OUTCOMES:
            ipn_mode = request.POST.get("ipn_mode", IpnMode.NOW)
            txn = gateway.complete(
                params,
                outcome=outcome,
                bank_code=request.POST.get("bank", ""),
                ipn_mode=ipn_mode if ipn_mode in IpnMode.values else IpnMode.NOW,
            )
            return redirect(gateway.return_url(txn))
    amount = int(params["vnp_Amount"]) // 100
    context = {
        "merchant": merchant,
        "params": params,
        "amount": amount,
        "banks": gateway.BANKS,
        "ipn_modes": IpnMode.choices,
        "english": params.get("vnp_Locale") == "en",
    }
    return render(request, "payment_simulator/pay.html", context)


@csrf_exempt
@require_POST
def querydr(request):
    """merchant_webapi/api/transaction: querydr (the only command simulated)."""
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    return JsonResponse(gateway.query(body))


@never_cache
@require_http_methods(["GET", "POST"])
def transactions(request):
    """For the developer: the gateway's recent transactions and the IPNs it owes; send the due ones now."""
    if request.method == "POST":
        gateway.deliver_due()
        return redirect("payment_simulator:transactions")
    rows = SimTransaction.objects.select_related("merchant").order_by("-id")[:50]
    owed = SimNotification.objects.filter(done=False).select_related("transaction").order_by("due_at")[:50]
    return render(
        request,
        "payment_simulator/transactions.html",
        {"transactions": rows, "owed": owed, "messages_by_code": vnpay.RESPONSE_MESSAGES},
    )


@require_GET
def ipn_preview(request, transaction_no: str):
    """The signed IPN of a transaction, as the gateway sends it (for developers trying the protocol)."""
    txn = get_object_or_404(SimTransaction.objects.select_related("merchant"), transaction_no=transaction_no)
    return JsonResponse(gateway.ipn_params(txn))
