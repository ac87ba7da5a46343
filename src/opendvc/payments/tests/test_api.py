"""Payments in the JSON API: the mobile apps' view of what a dossier owes, and starting a payment."""

import pytest
from django.test import RequestFactory

from opendvc.accounts.models import AccessMethod
from opendvc.accounts.services.access import issue_api_token
from opendvc.accounts.tests.factories import make_citizen
from opendvc.payments.tests.factories import owing_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return make_citizen()


def auth(account) -> dict:
    token = issue_api_token(RequestFactory().get("/"), account, AccessMethod.PASSWORD_OTP)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_my_dossiers_payments_say_what_is_due(client, gateway, citizen):
    dossier = owing_dossier(copies=2, applicant=citizen)
    body = client.get(f"/api/v1/me/dossiers/{dossier.code}/payments", **auth(citizen)).json()
    assert (body["due"], body["online"]) == (16_000, True)
    assert body["charges"][0]["state"] == "due" and body["charges"][0]["amount"] == 16_000
    assert body["orders"] == []


def test_starting_a_payment_gives_the_gateway_address_and_the_order_can_be_followed(client, gateway, citizen):
    dossier = owing_dossier(copies=2, applicant=citizen)
    response = client.post(f"/api/v1/me/dossiers/{dossier.code}/payments", **auth(citizen))
    assert response.status_code == 201
    started = response.json()
    assert started["amount"] == 16_000
    assert started["payment_url"].startswith("http://testserver/dev/cong-thanh-toan/paymentv2/vpcpay.html?")
    order = client.get(f"/api/v1/me/payments/{started['reference']}", **auth(citizen)).json()
    assert (order["status"], order["method"], order["receipt"]) == ("pending", "online", None)


def test_refusals_come_in_the_error_envelope(client, gateway, citizen):
    dossier = owing_dossier(copies=1, applicant=citizen)
    dossier.charges.update(state="paid")
    response = client.post(f"/api/v1/me/dossiers/{dossier.code}/payments", **auth(citizen))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nothing_due"
    stranger = make_citizen(id_number="001190001234", phone="0911222333")
    assert client.get(f"/api/v1/me/dossiers/{dossier.code}/payments", **auth(stranger)).status_code == 404
    assert client.get("/api/v1/me/payments/NOPE", **auth(citizen)).json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/me/payments/" + "X" * 40, **auth(citizen)).status_code == 400
    assert client.get(f"/api/v1/me/dossiers/{dossier.code}/payments").status_code == 401


def test_the_ipn_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/payments/ipn/{provider}" in paths
    assert "/api/v1/me/dossiers/{code}/payments" in paths
