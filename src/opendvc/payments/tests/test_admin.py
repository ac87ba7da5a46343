"""Merchant accounts in the admin: the secret is written, never shown back, and kept when left blank."""

import pytest
from django.test import Client

from opendvc.catalog.models import Agency
from opendvc.payments.models import MerchantAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(django_user_model):
    admin = django_user_model.objects.create_superuser("quantri.test", "Quantri@2026")
    client = Client()
    client.force_login(admin)
    return client


def test_a_merchant_account_is_added_with_its_secret_encrypted_and_edited_without_retyping_it(admin_client):
    agency = Agency.objects.get(code="000.00.00.H56")
    form = {
        "agency": agency.pk,
        "provider": "vnpay_sandbox",
        "name": "Tài khoản thu – UBND tỉnh Thanh Hóa",
        "tmn_code": "THOA0002",
        "hash_secret": "SECRETKEYFROMVNPAY0123456789ABCD",
        "payment_url": "",
        "api_url": "",
        "active": "on",
    }
    assert admin_client.post("/quan-tri/payments/merchantaccount/add/", form).status_code == 302
    merchant = MerchantAccount.objects.get(tmn_code="THOA0002")
    assert merchant.hash_secret == "SECRETKEYFROMVNPAY0123456789ABCD"
    page = admin_client.get(f"/quan-tri/payments/merchantaccount/{merchant.pk}/change/").content.decode()
    assert "SECRETKEYFROMVNPAY" not in page
    admin_client.post(
        f"/quan-tri/payments/merchantaccount/{merchant.pk}/change/",
        {**form, "hash_secret": "", "name": "Đổi tên"},
    )
    merchant.refresh_from_db()
    assert (merchant.name, merchant.hash_secret) == ("Đổi tên", "SECRETKEYFROMVNPAY0123456789ABCD")
    missing = admin_client.post(
        "/quan-tri/payments/merchantaccount/add/", {**form, "tmn_code": "X2", "hash_secret": ""}
    )
    assert "Nhập chuỗi bí mật" in missing.content.decode()
