"""Nasty input on every dossier page and endpoint gets a 4xx or the page again, never a server error.

PostgreSQL refuses NUL characters and integers beyond 64 bits where SQLite is lenient, so these run on
both databases in CI.
"""

import json

import pytest
from django.test import Client

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.dossiers.models import Status
from opendvc.dossiers.services import submission
from opendvc.dossiers.tests.factories import make_dossier, make_procedure_with_form

pytestmark = pytest.mark.django_db

# A lone surrogate cannot travel in a UTF-8 request; it arrives only as a JSON escape (the sync test).
NASTY = ["\x00", "a\x00b", "x" * 20_000, "' OR 1=1 --", "<script>alert(1)</script>", "٣٤٥", "-1"]
HUGE = "99999999999999999999999"


def assert_no_server_error(response):
    assert response.status_code < 500, response.content[:500]


@pytest.fixture
def citizen_client():
    client = Client()
    client.force_login(make_citizen())
    return client


@pytest.fixture
def official_client():
    client = Client()
    client.force_login(make_official(username="motcua.nasty", roles=("desk_clerk", "handler"), totp=False)[0])
    return client


@pytest.mark.parametrize("value", NASTY)
def test_public_tracking_and_status_api_survive_nasty_codes(client, value):
    assert_no_server_error(client.get("/tra-cuu-ho-so/", {"ma": value}))
    assert_no_server_error(client.post("/tra-cuu-ho-so/", {"ma": value}))
    safe = value.encode("utf-8", "surrogatepass").hex()[:200]
    assert_no_server_error(client.get(f"/api/v1/dossiers/{safe}/status"))


def test_ids_beyond_64_bits_are_not_found(client, citizen_client, official_client):
    dossier = make_dossier(status=Status.RECEIVED)
    for c in (client, citizen_client, official_client):
        assert_no_server_error(c.get(f"/tep/{HUGE}/"))
        assert_no_server_error(c.get(f"/ho-so/{dossier.code}/van-ban/{HUGE}/"))
        assert_no_server_error(c.get(f"/ho-so/nhap/{HUGE}/"))
        assert_no_server_error(c.get(f"/ho-so/nhap/{HUGE}/xem-lai/"))


@pytest.mark.parametrize("value", NASTY)
def test_the_wizard_and_autosave_keep_nasty_answers_without_failing(citizen_client, value):
    procedure = make_procedure_with_form()
    citizen_client.post(f"/ho-so/nop/{procedure.code}/")
    from opendvc.dossiers.models import Draft

    draft = Draft.objects.get()
    for path in (f"/ho-so/nhap/{draft.pk}/child/", f"/ho-so/nhap/{draft.pk}/luu/child/"):
        response = citizen_client.post(path, {"f-child_name": value, "action": value})
        assert_no_server_error(response)
    for path in (f"/ho-so/nhap/{draft.pk}/noi-nhan/", f"/ho-so/nhap/{draft.pk}/xem-lai/"):
        response = citizen_client.post(
            path, {"agency": value, "delivery": value, "delivery_address": value, "declaration": value}
        )
        assert_no_server_error(response)
    assert_no_server_error(
        citizen_client.get("/ho-so/dia-gioi/xa-phuong/", {"field": value, f"{value}-province": value})
    )
    assert_no_server_error(citizen_client.get("/ho-so/cua-toi/", {"trang_thai": value, "q": value}))


@pytest.mark.parametrize("value", NASTY)
def test_back_office_filters_and_actions_survive_nasty_input(official_client, value):
    dossier = make_dossier(status=Status.RECEIVED)
    query = {"status": value, "procedure": value, "channel": value, "due_within": value, "q": value}
    assert_no_server_error(official_client.get("/mot-cua/", query))
    assert_no_server_error(official_client.get("/mot-cua/", {"due_within": HUGE}))
    for slug in ("yeu-cau-bo-sung", "dung-xu-ly", "nghia-vu-tai-chinh", "xin-loi-hen-lai", "phan-cong"):
        response = official_client.post(
            f"/mot-cua/ho-so/{dossier.code}/{slug}/",
            {
                "version": value,
                "items": value,
                "reason": value,
                "amount": value,
                "new_due": value,
                "handler": value,
                "comment": value,
            },
        )
        assert_no_server_error(response)
    response = official_client.post(
        "/mot-cua/tiep-nhan/?thu_tuc=1.001193",
        {"channel": value, "applicant_name": value, "id_number": value, "phone": value, "email": value},
    )
    assert_no_server_error(response)


@pytest.mark.parametrize("value", NASTY)
def test_the_sync_api_reports_nasty_items_as_item_errors(client, value):
    from opendvc.catalog.models import Agency
    from opendvc.dossiers.apikeys import create_key

    _key, raw = create_key(agency=Agency.objects.get(code="000.00.20.H26"), name="Hệ thống một cửa")
    item = {
        "type": "dossier",
        "external_id": value,
        "procedure_code": value,
        "applicant_name": value,
        "channel": "counter",
        "status": 2,
        "submitted_at": "2026-12-01T08:00:00+07:00",
    }
    body = json.dumps(
        {"items": [item, {"type": "event", "external_id": value, "status": value, "at": value}]}
    )
    response = client.post(
        "/api/v1/sync/dossiers", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert_no_server_error(response)


def test_a_draft_saved_with_a_nul_character_can_still_be_submitted_or_corrected(citizen_client):
    procedure = make_procedure_with_form()
    citizen = make_citizen(id_number="001099000444", phone="0987000444")
    draft = submission.start_draft(applicant=citizen, procedure=procedure)
    draft, errors = submission.save_draft_step(draft, step="child", values={"child_name": "An\x00"})
    draft.refresh_from_db()
    assert "child_name" in errors or draft.data["child_name"] == "An\x00"
