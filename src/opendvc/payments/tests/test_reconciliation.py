"""Reconciliation: orders with no IPN are settled by asking the gateway (Celery beat, manage.py)."""

from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from opendvc.accounts.tests.factories import make_citizen
from opendvc.payments.models import GatewayMessage, OrderStatus, Receipt
from opendvc.payments.services import orders
from opendvc.payments.services.settlement import reconcile
from opendvc.payments.tests.factories import owing_dossier
from opendvc.payments.tests.support import FailingAdapter, session_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(gateway):
    citizen = make_citizen()
    dossier = owing_dossier(copies=1, applicant=citizen)
    return orders.start_online_payment(
        dossier, actor=citizen, return_url="http://testserver/r/", ip="1.2.3.4"
    )


def pay_without_ipn(client, url, outcome="pay"):
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    client.post(urlsplit(url).path, {**params, "outcome": outcome, "ipn_mode": "never"})


def test_a_payment_whose_ipn_never_came_is_settled_by_the_query(client, started):
    order, url = started
    pay_without_ipn(client, url)
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        counts = reconcile()
    assert (counts["checked"], counts["paid"]) == (1, 1)
    order.refresh_from_db()
    assert (order.status, order.settled_via) == (OrderStatus.PAID, "query")
    assert Receipt.objects.filter(order=order).exists()
    assert GatewayMessage.objects.filter(kind="query", order=order, note="paid").exists()


def test_recent_orders_are_left_to_their_ipn(client, started):
    _order, url = started
    pay_without_ipn(client, url)
    assert reconcile()["checked"] == 0


def test_a_failed_payment_is_settled_as_failed(client, started):
    order, url = started
    pay_without_ipn(client, url, outcome="insufficient_funds")
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        assert reconcile()["failed"] == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED


def test_an_order_never_paid_expires_after_its_lifetime_and_a_grace_period(started):
    order, _url = started
    with freeze_time(timezone.now() + timedelta(minutes=10)):
        assert reconcile()["pending"] == 1
    with freeze_time(timezone.now() + timedelta(minutes=31)):
        assert reconcile()["expired"] == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert order.charges.get().state == "due"  # still owed: the applicant can pay again


def test_a_gateway_that_cannot_be_reached_leaves_the_order_pending(started, monkeypatch):
    order, _url = started
    monkeypatch.setattr("opendvc.payments.http.session", lambda: session_with(FailingAdapter()))
    with freeze_time(timezone.now() + timedelta(minutes=40)):
        assert reconcile()["unreachable"] == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_the_command_prints_what_it_did(client, started):
    _order, url = started
    pay_without_ipn(client, url)
    out = StringIO()
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        call_command("reconcile_payments", stdout=out)
    assert "checked: 1, paid: 1" in out.getvalue()
