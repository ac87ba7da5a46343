"""The mobile-signature port (SIM PKI): the reference service with its phone page, and the HTTP adapter
against a local carrier server."""

import socket
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import include, path
from freezegun import freeze_time

from opendvc import urls as site_urls
from opendvc.identity.mobile_signature import HttpMobileSignatureService, ReferenceMobileSignatureService
from opendvc.identity.mobile_signature_server import CarrierSignatureServer
from opendvc.identity.models import MobileSignatureRequest
from opendvc.identity.pki import verify_signature
from opendvc.identity.registries import (
    MobileSignatureNotSubscribed,
    RegistryUnavailable,
    mobile_signature_service,
)

# The site with the identity pages, also while the site's urls.py does not include them yet.
urlpatterns = list(site_urls.urlpatterns)
if not any(getattr(pattern, "namespace", None) == "identity" for pattern in urlpatterns):
    urlpatterns.insert(0, path("", include("opendvc.identity.urls")))
with_identity_pages = pytest.mark.urls(__name__)

CHALLENGE = b"opendvc-login:0c1d2e3f405162738495a6b7c8d9eaf1"
BINH_SIM = "0987654321"
MESSAGE = "Đăng nhập Cổng Dịch vụ công: mã 4821"


@pytest.fixture(autouse=True)
def _pki(test_pki, settings):
    settings.PKI_TEST_CA_ENABLED = True
    settings.PKI_TRUST_ROOTS = []
    settings.PKI_CRLS = []
    settings.MOBILE_SIGNATURE_AUTO_APPROVE = False
    return test_pki


@pytest.fixture
def service():
    return ReferenceMobileSignatureService()


# --- the reference service --------------------------------------------------------------------------


@pytest.mark.django_db
def test_new_request_is_pending(service):
    request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    status = service.status(request_id)

    assert status.state == "pending"
    assert status.signature is None


@pytest.mark.django_db
@with_identity_pages
def test_request_approved_on_the_phone_page_returns_a_signature_that_verifies(service, client):
    request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    response = client.post(f"/dev/ky-so-sim/{request_id}/", {"decision": "approve"}, follow=True)

    assert "Đã ký yêu cầu." in response.content.decode()
    status = service.status(request_id)
    assert status.state == "approved"
    signer = verify_signature(CHALLENGE, status.signature, status.certificate)
    assert signer.id_number == "079190001234"
    assert signer.common_name == "Trần Thị Bình"


@pytest.mark.django_db
@with_identity_pages
def test_request_refused_on_the_phone_page_is_refused(service, client):
    request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    client.post(f"/dev/ky-so-sim/{request_id}/", {"decision": "refuse"})

    status = service.status(request_id)
    assert status.state == "refused"
    assert status.signature is None


@pytest.mark.django_db
def test_request_expires_after_two_minutes(service):
    with freeze_time("2025-03-10 08:00:00") as clock:
        request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)
        clock.tick(timedelta(seconds=119))
        assert service.status(request_id).state == "pending"

        clock.tick(timedelta(seconds=1))

        assert service.status(request_id).state == "expired"


@pytest.mark.django_db
@with_identity_pages
def test_expired_request_cannot_be_approved_any_more(service, client):
    with freeze_time("2025-03-10 08:00:00") as clock:
        request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)
        clock.tick(timedelta(minutes=3))

        response = client.post(f"/dev/ky-so-sim/{request_id}/", {"decision": "approve"}, follow=True)

        assert "đã hết hạn" in response.content.decode()
        assert service.status(request_id).state == "expired"


@pytest.mark.django_db
@with_identity_pages
def test_answered_request_keeps_its_first_answer(service, client):
    request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)
    client.post(f"/dev/ky-so-sim/{request_id}/", {"decision": "refuse"})

    client.post(f"/dev/ky-so-sim/{request_id}/", {"decision": "approve"})

    assert service.status(request_id).state == "refused"


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["0912345678", "12345", ""], ids=["no-sim-pki", "not-a-phone", "empty"])
def test_phone_without_sim_signature_is_not_subscribed(service, phone):
    with pytest.raises(MobileSignatureNotSubscribed):
        service.request_signature(phone, CHALLENGE, MESSAGE)

    assert not MobileSignatureRequest.objects.exists()


@pytest.mark.django_db
def test_phone_in_international_form_reaches_the_same_sim(service):
    request_id = service.request_signature("+84 971 112 233", CHALLENGE, MESSAGE)

    assert MobileSignatureRequest.objects.get(request_id=request_id).token_id == "cuong-sim"


@pytest.mark.django_db
def test_auto_approve_setting_approves_at_once_through_the_configured_adapter(settings):
    settings.MOBILE_SIGNATURE_AUTO_APPROVE = True
    configured = mobile_signature_service()

    status = configured.status(configured.request_signature(BINH_SIM, CHALLENGE, MESSAGE))

    assert isinstance(configured, ReferenceMobileSignatureService)
    assert status.state == "approved"
    assert verify_signature(CHALLENGE, status.signature, status.certificate).id_number == "079190001234"


@pytest.mark.django_db
def test_unknown_request_id_is_reported_expired(service):
    assert service.status("no-such-request").state == "expired"


@pytest.mark.django_db
def test_phone_number_is_stored_encrypted(service):
    request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone FROM identity_mobilesignaturerequest WHERE request_id = %s", [request_id]
        )
        stored = cursor.fetchone()[0]

    assert BINH_SIM not in stored
    assert MobileSignatureRequest.objects.get(request_id=request_id).phone == BINH_SIM


# --- the phone page ---------------------------------------------------------------------------------


@pytest.mark.django_db
@with_identity_pages
def test_phone_page_lists_pending_requests_with_a_masked_phone(service, client):
    service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    page = client.get("/dev/ky-so-sim/").content.decode()

    assert MESSAGE in page
    assert "098****321" in page
    assert "Đồng ý ký" in page and "Từ chối" in page


@pytest.mark.django_db
@with_identity_pages
def test_phone_page_leaves_out_answered_and_expired_requests(service, client):
    with freeze_time("2025-03-10 08:00:00") as clock:
        service.request_signature(BINH_SIM, CHALLENGE, "yêu cầu đã hết hạn")
        clock.tick(timedelta(minutes=3))
        answered = service.request_signature(BINH_SIM, CHALLENGE, "yêu cầu đã trả lời")
        client.post(f"/dev/ky-so-sim/{answered}/", {"decision": "refuse"})

        page = client.get("/dev/ky-so-sim/").content.decode()

    assert "yêu cầu đã hết hạn" not in page
    assert "yêu cầu đã trả lời" not in page
    assert "Không có yêu cầu ký nào đang chờ." in page


@pytest.mark.django_db
@with_identity_pages
def test_phone_page_answer_needs_the_csrf_token(service):
    request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/dev/ky-so-sim/{request_id}/", {"decision": "approve"})

    assert response.status_code == 403
    assert service.status(request_id).state == "pending"


@pytest.mark.django_db
@with_identity_pages
def test_phone_page_refuses_an_unknown_decision(service, client):
    request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    response = client.post(f"/dev/ky-so-sim/{request_id}/", {"decision": "maybe"})

    assert response.status_code == 400
    assert service.status(request_id).state == "pending"


@pytest.mark.django_db
@with_identity_pages
def test_phone_page_does_not_exist_when_the_test_ca_is_disabled(service, client, settings):
    request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)
    settings.PKI_TEST_CA_ENABLED = False

    assert client.get("/dev/ky-so-sim/").status_code == 404
    assert client.post(f"/dev/ky-so-sim/{request_id}/", {"decision": "approve"}).status_code == 404
    assert service.status(request_id).state == "pending"


@pytest.mark.browser
@with_identity_pages
def test_person_approves_a_sim_signature_on_the_phone_page(page, test_pki):
    service = ReferenceMobileSignatureService()
    request_id = service.request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    page.goto("/dev/ky-so-sim/")
    page.get_by_text(MESSAGE).wait_for()
    page.get_by_role("button", name="Đồng ý ký").click()

    page.get_by_role("status").get_by_text("Đã ký yêu cầu.").wait_for()
    status = service.status(request_id)
    assert verify_signature(CHALLENGE, status.signature, status.certificate).id_number == "079190001234"


# --- the HTTP adapter -------------------------------------------------------------------------------


API_KEY = "carrier-test-key"


@pytest.fixture
def carrier():
    with CarrierSignatureServer(api_key=API_KEY) as server:
        yield server


def http_service(server, **options) -> HttpMobileSignatureService:
    options = {"api_key": API_KEY, "timeout": 2.0, "retries": 2, "backoff": 0.0, **options}
    return HttpMobileSignatureService(server.url, **options)


def test_http_request_approved_by_the_carrier_returns_a_signature_that_verifies(carrier):
    adapter = http_service(carrier)
    request_id = adapter.request_signature(BINH_SIM, CHALLENGE, MESSAGE)
    assert adapter.status(request_id).state == "pending"

    carrier.approve(request_id)

    status = adapter.status(request_id)
    assert status.state == "approved"
    assert verify_signature(CHALLENGE, status.signature, status.certificate).id_number == "079190001234"
    assert carrier.requests[request_id]["message"] == MESSAGE
    assert carrier.requests[request_id]["data"] == CHALLENGE


def test_http_request_refused_by_the_phone_is_refused(carrier):
    adapter = http_service(carrier)
    request_id = adapter.request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    carrier.refuse(request_id)

    assert adapter.status(request_id).state == "refused"


def test_http_request_expired_at_the_carrier_is_expired(carrier):
    adapter = http_service(carrier)
    request_id = adapter.request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    carrier.expire(request_id)

    assert adapter.status(request_id).state == "expired"


def test_http_unknown_request_is_expired(carrier):
    assert http_service(carrier).status("no-such-request").state == "expired"


def test_http_phone_without_sim_signature_is_not_subscribed(carrier):
    with pytest.raises(MobileSignatureNotSubscribed):
        http_service(carrier).request_signature("0912345678", CHALLENGE, MESSAGE)


@pytest.mark.django_db
def test_not_subscribed_does_not_carry_the_phone_number(service):
    with pytest.raises(MobileSignatureNotSubscribed) as caught:
        service.request_signature("0912345678", CHALLENGE, MESSAGE)

    assert "912345678" not in f"{caught.value} {caught.value.args} {vars(caught.value)}"


def test_http_post_is_retried_with_the_same_idempotency_key(carrier):
    carrier.fail_next(1, status=503)

    request_id = http_service(carrier).request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    posts = [headers for method, _path, headers in carrier.received if method == "POST"]
    assert len(posts) == 2
    assert posts[0]["Idempotency-Key"] == posts[1]["Idempotency-Key"]
    assert list(carrier.requests) == [request_id]


def test_http_dropped_connection_is_retried(carrier):
    adapter = http_service(carrier)
    request_id = adapter.request_signature(BINH_SIM, CHALLENGE, MESSAGE)
    carrier.drop_next(1)

    assert adapter.status(request_id).state == "pending"
    assert [method for method, _path, _headers in carrier.received] == ["POST", "GET", "GET"]


def test_http_service_down_after_every_retry_is_unavailable(carrier):
    carrier.fail_next(3, status=503)

    with pytest.raises(RegistryUnavailable) as caught:
        http_service(carrier, retries=2).request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    assert caught.value.registry == "mobile_signature"
    assert len(carrier.received) == 3


def test_http_service_that_does_not_answer_in_time_is_unavailable(carrier):
    carrier.hang_next(1)

    with pytest.raises(RegistryUnavailable):
        http_service(carrier, timeout=0.2, retries=0).request_signature(BINH_SIM, CHALLENGE, MESSAGE)


def test_http_service_not_listening_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    adapter = HttpMobileSignatureService(
        f"http://127.0.0.1:{port}", API_KEY, timeout=1.0, retries=1, backoff=0
    )

    with pytest.raises(RegistryUnavailable):
        adapter.request_signature(BINH_SIM, CHALLENGE, MESSAGE)


def test_http_wrong_api_key_is_unavailable_without_retrying(carrier):
    with pytest.raises(RegistryUnavailable) as caught:
        http_service(carrier, api_key="wrong").request_signature(BINH_SIM, CHALLENGE, MESSAGE)

    assert "401" in caught.value.detail
    assert len(carrier.received) == 1


def test_http_approved_answer_without_a_signature_is_unavailable():
    with CarrierSignatureServer(sign=lambda phone, data: (b"", b""), subscribers={BINH_SIM}) as server:
        adapter = HttpMobileSignatureService(server.url, timeout=2.0, retries=0, backoff=0)
        request_id = adapter.request_signature(BINH_SIM, CHALLENGE, MESSAGE)
        server.approve(request_id)

        with pytest.raises(RegistryUnavailable):
            adapter.status(request_id)


def test_http_adapter_is_built_from_settings_when_a_url_is_set(settings, carrier):
    settings.IDENTITY_ADAPTERS = {
        **settings.IDENTITY_ADAPTERS,
        "mobile_signature": {
            "class": "opendvc.identity.mobile_signature.HttpMobileSignatureService",
            "base_url": carrier.url,
            "api_key": API_KEY,
            "timeout": 2.0,
            "retries": 0,
        },
    }

    adapter = mobile_signature_service()

    assert isinstance(adapter, HttpMobileSignatureService)
    assert adapter.status(adapter.request_signature(BINH_SIM, CHALLENGE, MESSAGE)).state == "pending"
