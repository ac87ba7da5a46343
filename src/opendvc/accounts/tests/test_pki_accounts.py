"""USB token and SIM PKI registration and sign-in through the services: the challenge is single-use and
fresh, the certificate is checked, and the identity comes from the certificate."""

from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone
from freezegun import freeze_time

from opendvc.accounts.errors import AccountExists, ChallengeInvalid, MethodRefused
from opendvc.accounts.models import AccountKind, Certificate
from opendvc.accounts.services import pki
from opendvc.accounts.tests.factories import make_citizen
from opendvc.identity.mobile_signature import approve_request, refuse_request
from opendvc.identity.pki import PkiError
from opendvc.identity.pki.signer import sign_detached
from opendvc.notifications.selectors import last_message_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pki(test_pki):
    return test_pki


@pytest.fixture
def rq():
    return RequestFactory().post("/", REMOTE_ADDR="192.0.2.10")


def signed(purpose: str, token_id: str, *, nonce_of=None):
    challenge = nonce_of or pki.issue_challenge(purpose)
    signature, certificate = sign_detached(pki.challenge_bytes(challenge.nonce, purpose), token_id)
    return {"nonce": challenge.nonce, "signature": signature, "certificate": certificate}


def register_citizen_with_token(rq, token_id="an"):  # noqa: S107 - a test token name
    _flow, token = pki.start_token_registration(rq, audience="citizen", **signed(pki.REGISTER, token_id))
    return pki.complete_certificate_registration(rq, token, email="an@example.vn", address="")


def test_a_usb_token_registers_a_level_3_citizen_with_the_identity_from_the_certificate(rq):
    account = register_citizen_with_token(rq)
    assert account.assurance_level == 3
    assert account.registration_method == "usb_token"
    assert account.id_number == "001088012345"
    assert account.full_name == "Nguyễn Văn An"
    assert account.address.startswith("Số 12 phố Hàng Bông")
    assert not account.has_usable_password()
    assert account.certificates.get().kind == "usb_token"


def test_the_registered_token_signs_in(rq):
    account = register_citizen_with_token(rq)
    assert pki.login_with_token(rq, **signed(pki.LOGIN, "an")) == account
    assert Certificate.objects.get().last_used_at is not None


def test_a_challenge_cannot_be_replayed(rq):
    register_citizen_with_token(rq)
    answer = signed(pki.LOGIN, "an")
    pki.login_with_token(rq, **answer)
    with pytest.raises(ChallengeInvalid) as refused:
        pki.login_with_token(rq, **answer)
    assert refused.value.code == "challenge_used"


def test_a_stale_challenge_is_refused(rq):
    register_citizen_with_token(rq)
    with freeze_time(timezone.now()) as clock:
        answer = signed(pki.LOGIN, "an")
        clock.tick(timedelta(minutes=6))
        with pytest.raises(ChallengeInvalid) as refused:
            pki.login_with_token(rq, **answer)
    assert refused.value.code == "challenge_expired"


def test_a_signature_made_to_register_cannot_sign_in(rq):
    register_citizen_with_token(rq)
    challenge = pki.issue_challenge(pki.LOGIN)
    signature, certificate = sign_detached(pki.challenge_bytes(challenge.nonce, pki.REGISTER), "an")
    with pytest.raises(PkiError) as refused:
        pki.login_with_token(rq, nonce=challenge.nonce, signature=signature, certificate=certificate)
    assert refused.value.code == "invalid_signature"


@pytest.mark.parametrize(
    ("token_id", "code"),
    [
        ("expired", "certificate_expired"),
        ("revoked", "certificate_revoked"),
        ("unknown-issuer", "certificate_untrusted"),
        ("not-yet-valid", "certificate_not_yet_valid"),
        ("no-digital-signature-key-usage", "key_usage_not_allowed"),
    ],
)
def test_unacceptable_certificates_are_refused_with_their_reason(rq, token_id, code):
    with pytest.raises(PkiError) as refused:
        pki.start_token_registration(rq, audience="citizen", **signed(pki.REGISTER, token_id))
    assert refused.value.code == code


def test_a_token_of_an_id_that_already_has_an_account_is_told_so(rq):
    make_citizen()
    with pytest.raises(AccountExists):
        pki.start_token_registration(rq, audience="citizen", **signed(pki.REGISTER, "an"))


def test_a_token_the_account_does_not_hold_does_not_sign_in_even_with_its_identity(rq):
    account = make_citizen()
    with pytest.raises(MethodRefused) as refused:
        pki.login_with_token(rq, **signed(pki.LOGIN, "an"))
    assert refused.value.code == "certificate_not_registered"
    assert "Phương thức xác thực" in refused.value.message
    assert not account.certificates.exists()


def test_a_removed_token_no_longer_signs_in(rq):
    account = register_citizen_with_token(rq)
    account.certificates.get().delete()
    with pytest.raises(MethodRefused):
        pki.login_with_token(rq, **signed(pki.LOGIN, "an"))


def test_a_refused_certificate_leaves_the_challenge_for_another_try(rq):
    challenge = pki.issue_challenge(pki.REGISTER)
    with pytest.raises(PkiError):
        pki.start_token_registration(
            rq, audience="citizen", **signed(pki.REGISTER, "expired", nonce_of=challenge)
        )
    pki.start_token_registration(rq, audience="citizen", **signed(pki.REGISTER, "an", nonce_of=challenge))


def test_the_stored_certificate_subject_masks_the_id_number(rq):
    subject = register_citizen_with_token(rq).certificates.get().subject
    assert "001088012345" not in subject
    assert "0010******45" in subject


def test_an_unknown_certificate_without_an_account_cannot_sign_in(rq):
    with pytest.raises(MethodRefused) as refused:
        pki.login_with_token(rq, **signed(pki.LOGIN, "an"))
    assert refused.value.code == "certificate_not_registered"


def test_a_business_token_registers_the_business_with_its_legal_representative(rq):
    _flow, token = pki.start_token_registration(rq, audience="business", **signed(pki.REGISTER, "saomai"))
    details = pki.registration_details(token)
    assert details["prefill"]["tax_code"] == "0101234567"
    account = pki.complete_certificate_registration(
        rq,
        token,
        business_name="Công ty TNHH Phần mềm Sao Mai",
        address="Số 1 Tràng Tiền, Hà Nội",
        email="lienhe@saomai.example.vn",
        representative_name="Nguyễn Văn An",
        representative_id_number="001088012345",
    )
    assert account.kind == AccountKind.BUSINESS
    assert account.tax_code == "0101234567"
    assert account.representative_id_number == "001088012345"
    assert pki.login_with_token(rq, **signed(pki.LOGIN, "saomai")) == account


def test_a_personal_certificate_cannot_register_a_business(rq):
    with pytest.raises(MethodRefused) as refused:
        pki.start_token_registration(rq, audience="business", **signed(pki.REGISTER, "an"))
    assert refused.value.code == "certificate_without_tax_code"


def test_sim_pki_registration_waits_for_the_phone_then_signs_in(rq):
    _flow, token = pki.start_sim_signature(rq, phone="0987654321", purpose=pki.REGISTER)
    assert pki.poll_sim_signature(rq, token) is None
    from opendvc.identity.models import MobileSignatureRequest

    approve_request(MobileSignatureRequest.objects.get().request_id)
    pki.poll_sim_signature(rq, token)
    account = pki.complete_certificate_registration(rq, token, email="", address="")
    assert account.registration_method == "sim_pki"
    assert account.certificates.get().phone == "0987654321"

    _flow, login_token = pki.start_sim_signature(rq, phone="0987654321", purpose=pki.LOGIN)
    approve_request(MobileSignatureRequest.objects.filter(state="pending").get().request_id)
    assert pki.poll_sim_signature(rq, login_token) == account


def test_a_refused_sim_request_says_so(rq):
    _flow, token = pki.start_sim_signature(rq, phone="0987654321", purpose=pki.LOGIN)
    from opendvc.identity.models import MobileSignatureRequest

    refuse_request(MobileSignatureRequest.objects.get().request_id)
    with pytest.raises(MethodRefused) as refused:
        pki.poll_sim_signature(rq, token)
    assert refused.value.code == "sim_refused"


def test_a_phone_without_sim_signature_is_refused(rq):
    with pytest.raises(MethodRefused) as refused:
        pki.start_sim_signature(rq, phone="0912345678", purpose=pki.LOGIN)
    assert refused.value.code == "sim_not_subscribed"


@override_settings(MOBILE_SIGNATURE_AUTO_APPROVE=True)
def test_the_reference_service_can_approve_at_once_for_tests(rq):
    _flow, token = pki.start_sim_signature(rq, phone="0987654321", purpose=pki.REGISTER)
    assert pki.poll_sim_signature(rq, token) is not None


@pytest.fixture
def reauthenticated(rq):
    from django.contrib.sessions.backends.db import SessionStore

    from opendvc.accounts.services.account import REAUTHENTICATED_AT

    rq.session = SessionStore()
    rq.session[REAUTHENTICATED_AT] = timezone.now().timestamp()
    return rq


def test_adding_a_token_needs_a_recent_reauthentication(rq):
    from opendvc.accounts.errors import ReauthenticationRequired

    with pytest.raises(ReauthenticationRequired):
        pki.add_certificate(rq, make_citizen(), **signed(pki.ADD_CERTIFICATE, "an"))


def test_a_token_of_the_accounts_own_identity_can_be_added(reauthenticated):
    rq = reauthenticated
    account = make_citizen(email="an@example.vn")
    cert = pki.add_certificate(rq, account, **signed(pki.ADD_CERTIFICATE, "an"))
    assert cert.account == account
    account.refresh_from_db()
    assert account.assurance_level == 3
    assert last_message_to("an@example.vn", channel="email") is not None
    assert pki.login_with_token(rq, **signed(pki.LOGIN, "an")) == account
    with pytest.raises(MethodRefused) as twice:
        pki.add_certificate(rq, account, **signed(pki.ADD_CERTIFICATE, "an"))
    assert twice.value.code == "certificate_in_use"


def test_a_token_of_someone_else_cannot_be_added(reauthenticated):
    rq = reauthenticated
    account = make_citizen(id_number="079190001234", full_name="Trần Thị Bình", phone="0987654321")
    with pytest.raises(MethodRefused) as refused:
        pki.add_certificate(rq, account, **signed(pki.ADD_CERTIFICATE, "an"))
    assert refused.value.code == "certificate_not_yours"


def test_a_refused_token_of_an_account_shows_in_its_access_history(rq, test_pki):
    from opendvc.accounts.models import AccessEvent, Certificate

    account = register_citizen_with_token(rq)
    revoked = test_pki.token("revoked")
    Certificate.objects.create(
        account=account,
        kind="usb_token",
        fingerprint=revoked.fingerprint,
        serial_number=revoked.serial_number,
        subject="x",
        issuer="y",
        not_after=timezone.now(),
    )
    with pytest.raises(PkiError):
        pki.login_with_token(rq, **signed(pki.LOGIN, "revoked"))
    event = AccessEvent.objects.get(account=account, success=False)
    assert event.reason == "certificate_revoked"


def test_without_a_password_only_certificates_count_as_ways_in(rq):
    import pyotp

    from opendvc.accounts.models import TotpDevice
    from opendvc.accounts.selectors import sign_in_method_count

    account = register_citizen_with_token(rq)
    TotpDevice.objects.create(account=account, secret=pyotp.random_base32(), confirmed_at=timezone.now())
    account.phones.create(number="0912345678")
    assert sign_in_method_count(account) == 1
