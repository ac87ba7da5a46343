"""The dossier JSON API for the public and for applicants: status by code, my dossiers, one dossier."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from opendvc.accounts.models import AccessMethod
from opendvc.accounts.services.access import issue_api_token
from opendvc.accounts.tests.factories import make_citizen
from opendvc.core.personal_data import lookup_digest
from opendvc.dossiers.models import (
    DossierDocument,
    DossierEvent,
    DossierRating,
    Status,
    SupplementRequest,
)
from opendvc.dossiers.services.files import store_bytes
from opendvc.dossiers.tests.factories import BIRTH, HOAN_KIEM, make_dossier, make_pdf_bytes

pytestmark = pytest.mark.django_db

STATUS_FIELDS = {
    "code",
    "procedure",
    "agency",
    "status",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "late",
    "channel",
}


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def token_for(account) -> str:
    return issue_api_token(RequestFactory().get("/"), account, AccessMethod.PASSWORD_OTP)


def get_as(client, account, path, **params):
    return client.get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {token_for(account)}")


def status_of(client, code, params=None, **extra):
    return client.get(f"/api/v1/dossiers/{code}/status", params, **extra)


# ------------------------------------------------------------------------------------------ public status


def test_public_status_has_exactly_the_status_fields_and_no_personal_data(client):
    dossier = make_dossier(status=Status.RECEIVED, applicant_name="Lê Thị Bình", applicant_phone="0987654321")
    dossier.applicant_id_number = "001199012345"
    dossier.save(update_fields=["applicant_id_number"])
    response = status_of(client, dossier.code)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == STATUS_FIELDS
    assert body["code"] == dossier.code
    assert body["procedure"]["code"] == BIRTH
    assert body["agency"]["code"] == HOAN_KIEM
    assert body["status"] == {"code": 2, "label": "Đã tiếp nhận"}
    assert body["received_at"].endswith("+07:00")
    assert body["late"] is False and body["channel"] == "online"
    text = response.content.decode()
    for secret in ("Lê Thị Bình", "Bình", "001199012345", "0987654321"):
        assert secret not in text


def test_a_dossier_past_its_due_date_shows_as_late(client):
    dossier = make_dossier(status=Status.PROCESSING, due_in_days=-1)
    assert status_of(client, dossier.code).json()["late"] is True


def test_status_lookup_accepts_a_lower_case_code(client):
    dossier = make_dossier(status=Status.RECEIVED)
    assert status_of(client, dossier.code.lower()).json()["code"] == dossier.code


def test_status_names_in_english_with_lang(client):
    dossier = make_dossier(status=Status.RECEIVED)
    body = status_of(client, dossier.code, {"lang": "en"}).json()
    assert body["procedure"]["name"] == "Birth registration"


def test_unknown_code_is_a_404_in_the_error_envelope(client):
    error = error_of(status_of(client, f"{HOAN_KIEM}-240101-9999"), 404)
    assert error["code"] == "not_found"


def test_unknown_language_is_refused(client):
    dossier = make_dossier(status=Status.RECEIVED)
    assert error_of(status_of(client, dossier.code, {"lang": "fr"}), 400)["fields"] == {
        "lang": ["“fr” is not one of: vi, en"]
    }


def test_after_twenty_unknown_codes_every_lookup_from_that_address_waits(client):
    known = make_dossier(status=Status.RECEIVED)
    for n in range(20):
        assert status_of(client, f"{HOAN_KIEM}-240101-{n:04d}").status_code == 404
    refused = status_of(client, known.code)
    assert error_of(refused, 429)["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 600
    assert status_of(client, known.code, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_sixty_lookups_a_minute_per_address_then_429_with_retry_after(client):
    known = make_dossier(status=Status.RECEIVED)
    for _n in range(60):
        assert status_of(client, known.code).status_code == 200
    refused = status_of(client, known.code)
    assert error_of(refused, 429)["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 60


# ------------------------------------------------------------------------------------------- my dossiers


def test_my_dossiers_need_a_bearer_token(client):
    assert error_of(client.get("/api/v1/me/dossiers"), 401)["code"] == "unauthenticated"
    bad = client.get("/api/v1/me/dossiers", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert error_of(bad, 401)["code"] == "unauthenticated"


def test_my_dossiers_lists_only_mine_in_pages(client):
    an = make_citizen()
    other = make_citizen(id_number="001077054321", full_name="Phạm Văn Khác", phone="0933333333")
    mine = {make_dossier(applicant=an, status=s).code for s in (Status.SUBMITTED, Status.RECEIVED, 9)}
    make_dossier(applicant=other)
    first = get_as(client, an, "/me/dossiers", page_size=2).json()
    second = get_as(client, an, "/me/dossiers", page_size=2, page=2).json()
    assert first["count"] == 3 and first["page_size"] == 2
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {i["code"] for i in first["items"] + second["items"]} == mine
    assert set(first["items"][0]) == STATUS_FIELDS | {"needs_action"}


def test_status_filters_open_action_done_and_a_code(client):
    an = make_citizen()
    waiting = make_dossier(applicant=an, status=Status.SUPPLEMENT_REQUESTED).code
    processing = make_dossier(applicant=an, status=Status.PROCESSING).code
    returned = make_dossier(applicant=an, status=Status.RETURNED).code

    def codes(status):
        return {i["code"] for i in get_as(client, an, "/me/dossiers", status=status).json()["items"]}

    assert codes("open") == {waiting, processing}
    assert codes("action") == {waiting}
    assert codes("done") == {returned}
    assert codes("4") == {processing}


def test_an_unknown_status_filter_is_refused(client):
    an = make_citizen()
    error = error_of(get_as(client, an, "/me/dossiers", status="11"), 400)
    assert error["code"] == "invalid_filter" and "status" in error["fields"]


def test_a_dossier_registered_with_my_id_number_is_among_mine(client):
    an = make_citizen()
    desk = make_dossier(status=Status.RECEIVED, applicant_id_digest=lookup_digest(an.id_number, kind="id"))
    items = get_as(client, an, "/me/dossiers").json()["items"]
    assert [i["code"] for i in items] == [desk.code]


def test_detail_shows_timeline_documents_supplement_and_next_actions(client):
    an = make_citizen()
    dossier = make_dossier(applicant=an, status=Status.SUPPLEMENT_REQUESTED)
    SupplementRequest.objects.create(
        dossier=dossier, items=["Bản sao giấy chứng sinh"], note="Ảnh bị mờ", resume_status=Status.PROCESSING
    )
    stored = store_bytes(make_pdf_bytes(), name="to-khai.pdf", owner=an)
    DossierDocument.objects.create(
        dossier=dossier, role=DossierDocument.Role.APPLICATION, title="Tờ khai", file=stored
    )
    DossierEvent.objects.create(dossier=dossier, action="assign", to_status=4, public=False, comment="nội bộ")
    body = get_as(client, an, f"/me/dossiers/{dossier.code}").json()
    assert body["status"]["code"] == 5 and body["needs_action"] is True
    assert [(e["action"], e["label"]) for e in body["timeline"]] == [("submit", "Nộp hồ sơ trực tuyến")]
    assert "nội bộ" not in str(body)
    [document] = body["documents"]
    assert document["title"] == "Tờ khai" and document["role"] == "application"
    assert document["size"] == stored.size
    assert document["download_url"] == "http://testserver" + reverse("dossiers:file", args=[stored.pk])
    assert body["supplement"]["items"] == ["Bản sao giấy chứng sinh"]
    assert body["supplement"]["note"] == "Ảnh bị mờ"
    assert {a["name"] for a in body["actions"]} == {"supplement", "withdraw"}
    assert body["rating"] is None


def test_a_returned_dossier_offers_a_rating_then_shows_it(client):
    an = make_citizen()
    dossier = make_dossier(applicant=an, status=Status.RETURNED)
    before = get_as(client, an, f"/me/dossiers/{dossier.code}").json()
    assert [a["name"] for a in before["actions"]] == ["rate"]
    DossierRating.objects.create(dossier=dossier, value="satisfied", comment="Nhanh", at=timezone.now())
    after = get_as(client, an, f"/me/dossiers/{dossier.code}").json()
    assert after["actions"] == []
    assert after["rating"]["value"] == "satisfied" and after["rating"]["label"] == "Hài lòng"


def test_another_persons_dossier_is_not_found(client):
    an = make_citizen()
    other = make_citizen(id_number="001077054321", full_name="Phạm Văn Khác", phone="0933333333")
    theirs = make_dossier(applicant=other, status=Status.RECEIVED)
    error = error_of(get_as(client, an, f"/me/dossiers/{theirs.code}"), 404)
    assert error["code"] == "not_found"
    assert "Phạm Văn Khác" not in str(error)


def test_openapi_describes_the_dossier_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "get" in paths["/api/v1/dossiers/{code}/status"]
    assert "get" in paths["/api/v1/me/dossiers"] and "get" in paths["/api/v1/me/dossiers/{code}"]
    assert "post" in paths["/api/v1/sync/dossiers"]
    assert {"SyncKeyBearer", "SyncKeyHeader"} <= set(schema["components"]["securitySchemes"])
    item_shapes = schema["components"]["schemas"]["SyncBatchIn"]["properties"]["items"]["items"]["oneOf"]
    assert [shape["properties"]["type"]["const"] for shape in item_shapes] == ["dossier", "event"]
