"""Two IPNs of one order arriving at the same moment settle it once (PostgreSQL: real parallel writers)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection, connections

from opendvc.accounts.tests.factories import make_citizen
from opendvc.payments.demo import ensure_demo_merchants
from opendvc.payments.models import ChargeState, OrderStatus, Receipt
from opendvc.payments.services import orders, settlement
from opendvc.payments.tests.factories import owing_dossier
from opendvc.payments.tests.test_ipn import ipn_params

ROUNDS = 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's shared in-memory test database locks instead of waiting; SQLite serialises writes",
)
def test_two_simultaneous_ipns_of_one_order_are_confirmed_once_and_already_confirmed_once():
    call_command("load_demo", verbosity=0)
    ensure_demo_merchants()
    citizen = make_citizen()
    for _round in range(ROUNDS):
        dossier = owing_dossier(copies=3, applicant=citizen)
        order, _url = orders.start_online_payment(
            dossier, actor=citizen, return_url="http://x/r/", ip="1.2.3.4"
        )
        params = ipn_params(order)
        start = threading.Barrier(2)

        def deliver(params=params, start=start):
            try:
                start.wait()
                return settlement.handle_ipn("simulator", dict(params), ip="203.0.113.9")[0]
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = sorted(pool.map(lambda _: deliver(), range(2)))
        assert answers == ["00", "02"]
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
        assert order.refund_due == 0
        assert Receipt.objects.filter(order=order).count() == 1
        assert dossier.charges.get().state == ChargeState.PAID
        assert dossier.events.filter(action="payment").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
def test_two_orders_of_one_dossier_paid_at_the_same_moment_pay_each_charge_once():
    call_command("load_demo", verbosity=0)
    ensure_demo_merchants()
    citizen = make_citizen()
    dossier = owing_dossier(copies=1, applicant=citizen)
    first, _ = orders.start_online_payment(dossier, actor=citizen, return_url="http://x/r/", ip="1.2.3.4")
    second, _ = orders.start_online_payment(dossier, actor=citizen, return_url="http://x/r/", ip="1.2.3.4")
    start = threading.Barrier(2)

    def deliver(order):
        try:
            start.wait()
            return settlement.handle_ipn("simulator", ipn_params(order), ip="203.0.113.9")[0]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(deliver, [first, second])) == ["00", "00"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert sorted([first.refund_due, second.refund_due]) == [0, 8_000]
    assert Receipt.objects.filter(order__dossier=dossier).count() == 1
