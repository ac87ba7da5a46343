"""The IPN: every answer of the protocol, money counted once, everything logged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opendvc.accounts.tests.factories import make_citizen
from opendvc.core.models import AuditEvent
from opendvc.dossiers.models import Status
from opendvc.notifications.models import Message
from opendvc.payments import vnpay
from opendvc.payments.models import ChargeState, GatewayMessage, OrderStatus, Receipt
from opendvc.payments.services import orders
from opendvc.payments.tests.factories import owing_dossier

pytestmark = pytest.mark.django_db
IPN = "/api/v1/payments/ipn/simulator"


@pytest.fixture
def citizen():
    return make_citizen()


@pytest.fixture
def order(gateway, citizen):
    dossier = owing_dossier(copies=2, applicant=citizen)
    order, _url = orders.start_online_payment(
        dossier, actor=citizen, return_url="http://testserver/thanh-toan/ket-qua/", ip="203.0.113.7"
    )
    return order


def ipn_params(order, **changes) -> dict:
    params = {
        "vnp_Amount": str(order.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": f"Nop phi le phi ho so {order.dossier.code}",
        "vnp_PayDate": vnpay.format_date(timezone.now()),
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": order.merchant.tmn_code,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": order.reference,
        **changes,
    }
    return vnpay.signed(params, order.merchant.hash_secret)


def send(client, params) -> dict:
    response = client.get(IPN, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_a_successful_ipn_is_confirmed_and_pays_the_dossiers_charges_with_a_receipt(client, order):
    assert send(client, ipn_params(order)) == {"RspCode": "00", "Message": "Confirm Success"}
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.settled_via == "ipn"
    assert (order.gateway_transaction_no, order.bank_code) == ("14226112", "NCB")
    assert order.amount == 16_000
    assert {c.state for c in order.charges.all()} == {ChargeState.PAID}
    receipt = Receipt.objects.get(order=order)
    assert (receipt.amount, receipt.number, receipt.payer_name) == (16_000, 1, "Nguyễn Văn An")
    event = order.dossier.events.get(action="payment")
    assert receipt.display_number in event.comment
    assert Message.objects.filter(purpose="dossier_status", body__contains=receipt.display_number).exists()


def test_the_amount_paid_is_the_sum_of_what_was_due(gateway, citizen):
    dossier = owing_dossier(copies=5, applicant=citizen)
    order, url = orders.start_online_payment(
        dossier, actor=citizen, return_url="http://testserver/r/", ip="1.2.3.4"
    )
    assert order.amount == 40_000
    assert "vnp_Amount=4000000" in url


def test_a_tampered_signature_is_refused_logged_and_changes_nothing(client, order):
    params = ipn_params(order)
    params["vnp_ResponseCode"] = "00"
    params["vnp_Amount"] = str(order.amount * 100 - 100)  # changed after signing
    assert send(client, params) == {"RspCode": "97", "Message": "Invalid signature"}
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert GatewayMessage.objects.get(kind="ipn").outcome == "97"
    assert AuditEvent.objects.filter(action="payment.ipn_refused", details__code="97").exists()


def test_an_ipn_of_an_unknown_terminal_is_an_invalid_signature(client, order):
    params = ipn_params(order, vnp_TmnCode="NOBODY01")
    assert send(client, params)["RspCode"] == "97"


def test_an_ipn_of_an_unknown_order_is_refused_as_order_not_found(client, order):
    params = ipn_params(order, vnp_TxnRef="261207ZZZZZZZZ")
    assert send(client, params) == {"RspCode": "01", "Message": "Order not found"}
    assert GatewayMessage.objects.get(kind="ipn").outcome == "01"


def test_an_ipn_with_another_amount_is_refused_as_invalid_amount(client, order):
    params = ipn_params(order, vnp_Amount=str(order.amount * 100 + 100_000))
    assert send(client, params) == {"RspCode": "04", "Message": "invalid amount"}
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert order.charges.filter(state=ChargeState.DUE).count() == 1


def test_a_replayed_successful_ipn_is_already_confirmed_and_changes_nothing(client, order):
    params = ipn_params(order)
    send(client, params)
    order.refresh_from_db()
    settled_at = order.settled_at
    assert send(client, params) == {"RspCode": "02", "Message": "Order already confirmed"}
    order.refresh_from_db()
    assert order.settled_at == settled_at
    assert Receipt.objects.count() == 1
    assert order.dossier.events.filter(action="payment").count() == 1
    assert list(GatewayMessage.objects.filter(kind="ipn").values_list("outcome", flat=True)) == ["00", "02"]


def test_a_failed_payment_is_confirmed_and_leaves_the_charges_due(client, order):
    assert (
        send(client, ipn_params(order, vnp_ResponseCode="51", vnp_TransactionStatus="02"))["RspCode"] == "00"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert order.response_code == "51"
    assert order.charges.get().state == ChargeState.DUE
    assert not Receipt.objects.exists()
    # The gateway cannot turn a failed transaction into a paid one: a later "success" changes nothing.
    assert send(client, ipn_params(order))["RspCode"] == "02"
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED


def test_a_response_code_00_with_a_failed_transaction_status_is_not_a_payment(client, order):
    send(client, ipn_params(order, vnp_ResponseCode="00", vnp_TransactionStatus="02"))
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED


def test_an_unfinished_transaction_keeps_the_order_pending(client, order):
    assert (
        send(client, ipn_params(order, vnp_ResponseCode="99", vnp_TransactionStatus="01"))["RspCode"] == "00"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_two_orders_paying_the_same_charges_count_the_money_once_and_owe_a_refund(client, gateway, citizen):
    dossier = owing_dossier(copies=1, applicant=citizen)
    first, _ = orders.start_online_payment(
        dossier, actor=citizen, return_url="http://testserver/r/", ip="1.2.3.4"
    )
    second, _ = orders.start_online_payment(
        dossier, actor=citizen, return_url="http://testserver/r/", ip="1.2.3.4"
    )
    assert send(client, ipn_params(first))["RspCode"] == "00"
    assert send(client, ipn_params(second))["RspCode"] == "00"  # the money did move: it is taken in
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.refund_due, second.refund_due) == (0, 8_000)
    assert dossier.charges.get().order_id == first.pk
    assert Receipt.objects.count() == 1


def test_a_late_success_for_an_order_reconciliation_had_expired_is_taken_in(client, order):
    order.status = OrderStatus.EXPIRED
    order.save()
    assert send(client, ipn_params(order))["RspCode"] == "00"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_an_error_while_settling_is_answered_99_and_rolls_back(client, order, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("opendvc.payments.services.receipts.issue", broken)
    assert send(client, ipn_params(order)) == {"RspCode": "99", "Message": "Unknow error"}
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert order.charges.get().state == ChargeState.DUE
    assert GatewayMessage.objects.get(kind="ipn").outcome == "99"


def test_ipns_from_addresses_not_allowed_are_not_processed(client, order, settings):
    settings.PAYMENT_IPN_ALLOWED_IPS = ["113.160.92.202"]
    assert send(client, ipn_params(order))["RspCode"] == "99"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_an_ipn_without_parameters_is_an_invalid_signature(client, gateway):
    assert send(client, {})["RspCode"] == "97"


def test_paying_a_financial_obligation_lets_the_dossier_go_on(client, gateway, citizen):
    from opendvc.accounts.tests.factories import make_official
    from opendvc.dossiers.services import actions

    dossier = owing_dossier(copies=1, applicant=citizen, status=Status.PROCESSING)
    handler, _secret = make_official(username="xuly.test", roles=("handler",), totp=False)
    dossier = actions.request_payment(
        dossier, actor=handler, version=None, amount=250_000, reason="Lệ phí trước bạ"
    )
    assert dossier.status == Status.AWAITING_PAYMENT
    order, _url = orders.start_online_payment(
        dossier, actor=citizen, return_url="http://testserver/r/", ip="1.2.3.4"
    )
    assert order.amount == 258_000  # the obligation and the fee still due
    assert send(client, ipn_params(order))["RspCode"] == "00"
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    confirmation = dossier.events.get(action="confirm_payment")
    assert confirmation.actor is None
    assert confirmation.actor_name.startswith("Cổng thanh toán")


def test_an_order_expires_when_its_lifetime_ends_at_the_gateway(order):
    assert order.expires_at - order.created_at == timedelta(minutes=15)
