"""Demo merchant accounts for `make run` and tests: agencies paid through the local gateway simulator.

Each demo merchant exists twice, as in real life: as the agency's `MerchantAccount` on the portal and as
the gateway's `SimMerchant` (the same terminal code and secret, and the portal's IPN address). Wards
without an account of their own use their province's. Idempotent: an existing account keeps its secret.
"""

import secrets

from django.db import transaction

from opendvc.catalog.models import Agency
from opendvc.payments.models import MerchantAccount

PROVIDER = "simulator"
IPN_PATH = "/api/v1/payments/ipn/simulator"
MERCHANTS = [
    ("000.00.20.H26", "HKIEM001", "Tài khoản thu phí, lệ phí – UBND phường Hoàn Kiếm"),
    ("000.00.00.H26", "HANOI001", "Tài khoản thu ngân sách – UBND thành phố Hà Nội"),
    ("000.00.00.H29", "HCMC0001", "Tài khoản thu ngân sách – UBND Thành phố Hồ Chí Minh"),
    ("000.00.00.H56", "THOA0001", "Tài khoản thu ngân sách – UBND tỉnh Thanh Hóa"),
    ("000.00.00.G01", "BCA00001", "Tài khoản thu phí, lệ phí – Bộ Công an"),
]


@transaction.atomic
def ensure_demo_merchants() -> list[tuple[str, str]]:
    """Create what is missing; returns (agency code, outcome) per demo merchant."""
    from opendvc.payments.simulator.models import SimMerchant

    outcomes = []
    for agency_code, tmn_code, name in MERCHANTS:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            outcomes.append((agency_code, "missing agency"))
            continue
        merchant = MerchantAccount.objects.filter(agency=agency).first()
        created = merchant is None
        if created:
            merchant = MerchantAccount.objects.create(
                agency=agency,
                provider=PROVIDER,
                name=name,
                tmn_code=tmn_code,
                hash_secret=secrets.token_hex(16).upper(),
            )
        SimMerchant.objects.update_or_create(
            tmn_code=merchant.tmn_code,
            defaults={"hash_secret": merchant.hash_secret, "name": merchant.name, "ipn_url": IPN_PATH},
        )
        outcomes.append((agency_code, "created" if created else "unchanged"))
    return outcomes
