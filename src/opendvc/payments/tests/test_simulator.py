"""The local gateway: the gateway's side of VNPAY 2.1.0, as the portal meets it over HTTP."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from freezegun import freeze_time

from opendvc.accounts.tests.factories import make_citizen
from opendvc.payments import vnpay
from opendvc.payments.models import MerchantAccount, OrderStatus
from opendvc.payments.services import orders
from opendvc.payments.simulator import gateway as sim
from opendvc.payments.simulator.models import SimNotification, SimTransaction
from opendvc.payments.tests.factories import owing_dossier
from opendvc.payments.tests.support import FailingAdapter, session_with

pytestmark = pytest.mark.django_db
RETURN = "http://testserver/thanh-toan/ket-qua/"


@pytest.fixture
def started(gateway):
    citizen = make_citizen()
    dossier = owing_dossier(copies=2, applicant=citizen)
    order, url = orders.start_online_payment(dossier, actor=citizen, return_url=RETURN, ip="203.0.113.7")
    return order, url


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def choose(client, url, outcome="pay", ipn_mode="now", bank="VIETCOMBANK"):
    return client.post(
        urlsplit(url).path, {**query_of(url), "outcome": outcome, "ipn_mode": ipn_mode, "bank": bank}
    )


def test_the_payment_page_shows_the_order_the_portal_signed(client, started):
    order, url = started
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert order.reference in text and "16.000 đ" in text
    assert "Tài khoản thu phí, lệ phí – UBND phường Hoàn Kiếm" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"vnp_Amount": "100"}, "Sai chữ ký"),
        ({"vnp_TmnCode": "NOBODY01"}, "Merchant không hợp lệ"),
        ({"vnp_Command": None}, "Dữ liệu gửi sang không đúng định dạng"),
    ],
)
def test_a_payment_request_that_is_tampered_unknown_or_malformed_gets_the_gateways_error_page(
    client, started, change, message
):
    _order, url = started
    params = query_of(url)
    for key, value in change.items():
        if value is None:
            params.pop(key)
        else:
            params[key] = value
    page = client.get(urlsplit(url).path, params)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_a_request_past_its_expiry_or_below_the_minimum_amount_is_refused(client, started):
    order, url = started
    with freeze_time(timezone.now() + timedelta(minutes=16)):
        assert "quá thời gian chờ thanh toán" in client.get(url).content.decode()
    merchant = order.merchant
    small = vnpay.url(
        "/dev/cong-thanh-toan/paymentv2/vpcpay.html",
        {**{k: v for k, v in query_of(url).items() if k != "vnp_SecureHash"}, "vnp_Amount": "400000"},
        merchant.hash_secret,
    )
    assert "Số tiền giao dịch không hợp lệ" in client.get(small).content.decode()


def test_paying_sends_the_payer_back_with_a_signed_result_and_the_ipn_pays_the_order(
    client, started, django_capture_on_commit_callbacks
):
    order, url = started
    with django_capture_on_commit_callbacks(execute=True):
        response = choose(client, url)
    assert response.status_code == 302
    back = response["Location"]
    assert back.startswith(RETURN)
    result = query_of(back)
    assert vnpay.verify(result, order.merchant.hash_secret)
    assert (result["vnp_ResponseCode"], result["vnp_TransactionStatus"], result["vnp_BankCode"]) == (
        "00",
        "00",
        "VIETCOMBANK",
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.gateway_transaction_no == result["vnp_TransactionNo"]
    assert SimNotification.objects.get().last_answer == "00 Confirm Success"


def test_the_same_order_cannot_be_paid_twice_at_the_gateway(
    client, started, django_capture_on_commit_callbacks
):
    _order, url = started
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, url)
    assert "Giao dịch đã tồn tại" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("outcome", "code"), [("cancel", "24"), ("insufficient_funds", "51"), ("timeout", "11")]
)
def test_cancelling_lacking_funds_or_timing_out_fails_the_order(
    client, started, outcome, code, django_capture_on_commit_callbacks
):
    order, url = started
    with django_capture_on_commit_callbacks(execute=True):
        response = choose(client, url, outcome=outcome)
    assert query_of(response["Location"])["vnp_ResponseCode"] == code
    order.refresh_from_db()
    assert (order.status, order.response_code) == (OrderStatus.FAILED, code)


def test_a_duplicated_ipn_is_answered_already_confirmed(client, started, django_capture_on_commit_callbacks):
    order, url = started
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, url, ipn_mode="twice")
    answers = sorted(SimNotification.objects.values_list("last_answer", flat=True))
    assert answers == ["00 Confirm Success", "02 Order already confirmed"]
    assert order.dossier.events.filter(action="payment").count() == 1


def test_a_late_ipn_is_sent_only_when_its_time_comes(client, started, django_capture_on_commit_callbacks):
    order, url = started
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, url, ipn_mode="late")
    assert sim.deliver_due() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert sim.deliver_due(now=timezone.now() + timedelta(seconds=sim.LATE_SECONDS)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_an_ipn_refused_by_the_merchant_stops_and_one_that_gets_no_answer_is_retried(
    client, started, monkeypatch, settings, django_capture_on_commit_callbacks
):
    order, url = started
    settings.PAYMENT_SIMULATOR_RETRY_DELAYS = [10, 30]
    secret = order.merchant.hash_secret
    MerchantAccount.objects.filter(pk=order.merchant_id).update(hash_secret="not-the-gateways-secret")
    # The portal now answers 97 (a refusal): the gateway stops, as VNPAY does for a merchant's "no".
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, url)
    notification = SimNotification.objects.get()
    assert (notification.done, notification.last_answer) == (True, "97 Invalid signature")
    MerchantAccount.objects.filter(pk=order.merchant_id).update(hash_secret=secret)

    # The portal cannot be reached: the IPN is sent again after 10 s, then 30 s, then given up.
    notification.done = False
    notification.attempts = 0
    notification.save()
    monkeypatch.setattr("opendvc.payments.http.session", lambda: session_with(FailingAdapter()))
    sim.deliver(notification.pk)
    notification.refresh_from_db()
    assert (
        not notification.done and notification.attempts == 1 and "ConnectionError" in notification.last_answer
    )
    assert sim.deliver_due(now=timezone.now() + timedelta(seconds=11)) == 1
    assert sim.deliver_due(now=timezone.now() + timedelta(seconds=42)) == 1
    notification.refresh_from_db()
    assert notification.done and notification.attempts == 3
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING  # reconciliation will settle it


def test_querydr_answers_a_signed_state_of_the_transaction(
    client, started, django_capture_on_commit_callbacks
):
    from opendvc.payments.providers import provider_for

    order, url = started
    provider = provider_for(order.merchant)
    assert provider.query(order) is None  # not paid yet: the gateway does not know it
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, url, ipn_mode="never")
    result = provider.query(order)
    assert result.paid and result.final and result.amount == order.amount
    assert result.transaction_no == SimTransaction.objects.get().transaction_no


def test_querydr_refuses_a_bad_checksum_an_unknown_merchant_and_a_repeated_request_id(client, started):
    order, _url = started
    body = {
        "vnp_RequestId": "R1",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": order.merchant.tmn_code,
        "vnp_TxnRef": order.reference,
        "vnp_TransactionDate": vnpay.format_date(order.created_at),
        "vnp_CreateDate": vnpay.format_date(timezone.now()),
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": "Truy van",
    }
    path = "/dev/cong-thanh-toan/merchant_webapi/api/transaction"
    signed = {
        **body,
        "vnp_SecureHash": vnpay.pipe_hash(body, vnpay.QUERY_REQUEST_FIELDS, order.merchant.hash_secret),
    }
    assert (
        client.post(path, {**signed, "vnp_SecureHash": "0" * 128}, content_type="application/json").json()[
            "vnp_ResponseCode"
        ]
        == "97"
    )
    assert (
        client.post(path, {**signed, "vnp_TmnCode": "NOBODY01"}, content_type="application/json").json()[
            "vnp_ResponseCode"
        ]
        == "02"
    )
    assert client.post(path, signed, content_type="application/json").json()["vnp_ResponseCode"] == "91"
    assert client.post(path, signed, content_type="application/json").json()["vnp_ResponseCode"] == "94"
    assert client.post(path, "not json", content_type="application/json").json()["vnp_ResponseCode"] == "03"


def test_the_gateways_page_for_developers_lists_transactions_and_sends_due_ipns(
    client, started, django_capture_on_commit_callbacks
):
    order, url = started
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, url, ipn_mode="late")
    page = client.get("/dev/cong-thanh-toan/").content.decode()
    assert order.reference in page and "IPN đang chờ gửi" in page
    with freeze_time(timezone.now() + timedelta(seconds=sim.LATE_SECONDS + 1)):
        assert client.post("/dev/cong-thanh-toan/").status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
