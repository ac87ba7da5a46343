"""The mobile-signature port (SIM PKI): the carrier has the phone's SIM sign a challenge.

Two adapters of `registries.MobileSignatureService`, chosen in settings.IDENTITY_ADAPTERS:

- `ReferenceMobileSignatureService` plays the carrier locally: requests are stored
  (`MobileSignatureRequest`), a developer approves or refuses them on /dev/ky-so-sim/ (or they are
  approved at once with settings.MOBILE_SIGNATURE_AUTO_APPROVE), and the SIMs are the test PKI's SIM
  tokens (testca.TOKEN_SPECS: 0987654321, 0971112233).
- `HttpMobileSignatureService` talks to a carrier's service over the JSON protocol of docs/pki.md:

      POST {base}/signature-requests       {"phone", "data": base64, "message"}  -> 201 {"id"}
                                           422 {"error": "not_subscribed"}       -> no SIM signature
      GET  {base}/signature-requests/{id}  -> 200 {"state", "signature", "certificate"} (base64, DER)
                                           404 {"error": "not_found"}            -> expired / unknown

  with `Authorization: Bearer <api_key>`, `X-Request-ID`, an `Idempotency-Key` on POST (the same on
  every attempt), a timeout per attempt and `retries` further attempts on connection errors, timeouts,
  429 and 5xx. Any other error, or an answer not in this shape, raises `RegistryUnavailable`.

A request lives 2 minutes (settings.MOBILE_SIGNATURE_REQUEST_LIFETIME). An unknown request id is
reported as "expired". The signature returned is not trusted here: callers verify it (identity.pki).
"""

import base64
import binascii
import secrets
import time
import uuid
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opendvc.core.personal_data import normalize_phone
from opendvc.identity.http_client import JsonHttpClient
from opendvc.identity.models import MobileSignatureRequest, MobileSignatureState
from opendvc.identity.pki.signer import sign_detached
from opendvc.identity.pki.testca import ensure_test_pki
from opendvc.identity.registries.base import (
    MobileSignatureNotSubscribed,
    SignatureRequestStatus,
)

STATES = {state.value for state in MobileSignatureState}


def request_lifetime() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "MOBILE_SIGNATURE_REQUEST_LIFETIME", 120)))


# --- the reference service --------------------------------------------------------------------------


class ReferenceMobileSignatureService:
    """The local stand-in for a carrier's mobile-signature service (development and tests)."""

    def __init__(self, latency: float = 0.0, auto_approve: bool | None = None):
        self.latency = latency
        self.auto_approve = auto_approve  # None: follow settings.MOBILE_SIGNATURE_AUTO_APPROVE

    def _wait(self) -> None:
        if self.latency > 0:
            time.sleep(self.latency)  # a slow carrier, on purpose (REFERENCE_REGISTRY_LATENCY)

    def request_signature(self, phone: str, data: bytes, message: str) -> str:
        self._wait()
        number = normalize_phone(phone)
        token = ensure_test_pki().sim_token_for_phone(number) if number else None
        if token is None:
            raise MobileSignatureNotSubscribed()
        now = timezone.now()
        request = MobileSignatureRequest.objects.create(
            request_id=secrets.token_urlsafe(24),
            phone=number,
            token_id=token.id,
            data=bytes(data),
            message=message[:300],
            created_at=now,
            expires_at=now + request_lifetime(),
        )
        auto_approve = self.auto_approve
        if auto_approve is None:
            auto_approve = getattr(settings, "MOBILE_SIGNATURE_AUTO_APPROVE", False)
        if auto_approve:
            approve_request(request.request_id)
        return request.request_id

    def status(self, request_id: str) -> SignatureRequestStatus:
        self._wait()
        request = MobileSignatureRequest.objects.filter(request_id=request_id).first()
        if request is None:
            return SignatureRequestStatus(MobileSignatureState.EXPIRED.value)
        state = str(request.current_state)
        if state == MobileSignatureState.APPROVED:
            return SignatureRequestStatus(state, bytes(request.signature), bytes(request.certificate))
        return SignatureRequestStatus(state)


def pending_requests():
    """The reference service's requests still waiting for the phone's answer, oldest first."""
    return MobileSignatureRequest.objects.filter(
        state=MobileSignatureState.PENDING, expires_at__gt=timezone.now()
    ).order_by("created_at", "id")


def approve_request(request_id: str) -> str:
    """The phone's owner agrees: the SIM signs. Returns the request's state afterwards (a request
    that is no longer pending is left as it is). Raises MobileSignatureRequest.DoesNotExist."""
    return _decide(request_id, approve=True)


def refuse_request(request_id: str) -> str:
    """The phone's owner refuses. Returns the request's state afterwards."""
    return _decide(request_id, approve=False)


def _decide(request_id: str, *, approve: bool) -> str:
    with transaction.atomic():
        request = MobileSignatureRequest.objects.select_for_update().get(request_id=request_id)
        if request.current_state != MobileSignatureState.PENDING:
            return request.current_state
        if approve:
            request.signature, request.certificate = sign_detached(bytes(request.data), request.token_id)
            request.state = MobileSignatureState.APPROVED
        else:
            request.state = MobileSignatureState.REFUSED
        request.decided_at = timezone.now()
        request.save(update_fields=["signature", "certificate", "state", "decided_at"])
        return request.state


# --- the production adapter -------------------------------------------------------------------------


class HttpMobileSignatureService:
    """A carrier's mobile-signature service over HTTP (protocol in the module docstring)."""

    def __init__(self, base_url: str, api_key: str = "", **options):
        """`options`: timeout, retries, backoff, verify, client_cert (see JsonHttpClient)."""
        self.http = JsonHttpClient(name="mobile_signature", base_url=base_url, api_key=api_key, **options)

    def request_signature(self, phone: str, data: bytes, message: str) -> str:
        number = normalize_phone(phone)
        if not number:
            raise MobileSignatureNotSubscribed()
        body = {"phone": number, "data": base64.b64encode(data).decode("ascii"), "message": message}
        # The same Idempotency-Key on every attempt: a retried POST must not make the phone ask twice.
        request_id = uuid.uuid4().hex
        response = self.http.request("POST", "/signature-requests", request_id=request_id, json=body)
        answer = self.http.json_object(response) or {}
        if response.status_code == 422 and answer.get("error") == "not_subscribed":
            raise MobileSignatureNotSubscribed()
        if response.status_code not in (200, 201):
            raise self.http.unavailable(self.http.status_problem(response), request_id)
        signature_request_id = answer.get("id")
        if not isinstance(signature_request_id, str) or not signature_request_id:
            raise self.http.unavailable("the answer to POST has no id", request_id)
        return signature_request_id

    def status(self, request_id: str) -> SignatureRequestStatus:
        call_id = uuid.uuid4().hex
        response = self.http.request(
            "GET", f"/signature-requests/{quote(request_id, safe='')}", request_id=call_id
        )
        answer = self.http.json_object(response) or {}
        if response.status_code == 404 and answer.get("error") == "not_found":
            return SignatureRequestStatus(MobileSignatureState.EXPIRED.value)
        if response.status_code != 200:
            raise self.http.unavailable(self.http.status_problem(response), call_id)
        state = answer.get("state")
        if state not in STATES:
            raise self.http.unavailable(f"unknown state {state!r}", call_id)
        if state != MobileSignatureState.APPROVED:
            return SignatureRequestStatus(state)
        return SignatureRequestStatus(
            state,
            self._base64(answer.get("signature"), call_id),
            self._base64(answer.get("certificate"), call_id),
        )

    def _base64(self, value, request_id: str) -> bytes:
        if not isinstance(value, str) or not value:
            raise self.http.unavailable("an approved request without signature or certificate", request_id)
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise self.http.unavailable("signature or certificate is not base64", request_id) from None
