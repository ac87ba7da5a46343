"""Parallel guesses at one OTP get no more tries than one person typing (PostgreSQL, as in production)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import RequestFactory

from opendvc.accounts import otp
from opendvc.accounts.flows import start_flow
from opendvc.accounts.models import FlowPurpose, OneTimeCode
from opendvc.core.errors import DomainError


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's shared in-memory test database locks instead of waiting; SQLite serialises writes",
)
def test_thirty_parallel_wrong_guesses_are_compared_at_most_five_times():
    flow, _token = start_flow(FlowPurpose.LOGIN, step="otp")
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    otp.send_code(request, flow, "0912345678", text="login", owner_key="test")
    compared = []

    def guess(n):
        try:
            otp.verify_code(flow, f"{n:06d}")
        except DomainError as exc:
            compared.append(exc.code)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(guess, range(100000, 100030)))

    assert compared.count("otp_invalid") <= 5
    assert OneTimeCode.objects.get().failed_attempts == 5
