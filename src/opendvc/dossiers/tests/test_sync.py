"""Agency systems pushing dossiers and status events (POST /api/v1/sync/dossiers), their keys, the admin."""

import io
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from opendvc.accounts.models import Account, AccountKind
from opendvc.catalog.models import Agency, Procedure
from opendvc.core.models import AuditEvent
from opendvc.dossiers import apikeys
from opendvc.dossiers.models import AgencyApiKey, Dossier, DossierEvent, FormDefinition, Source, Status
from opendvc.dossiers.services.deadlines import due_date_for
from opendvc.dossiers.tests.factories import BIRTH, HOAN_KIEM, SMALL_FORM, make_dossier

pytestmark = pytest.mark.django_db

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SYSTEM = "Một cửa điện tử Hoàn Kiếm"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=HANOI)  # a Tuesday


@pytest.fixture(autouse=True)
def _now():
    with freeze_time(NOW):
        yield


@pytest.fixture
def key():
    _record, raw = apikeys.create_key(agency=Agency.objects.get(code=HOAN_KIEM), name=SYSTEM)
    return raw


def other_agency() -> Agency:
    return Agency.objects.exclude(code=HOAN_KIEM).order_by("code").first()


def push(client, key, items, **headers):
    headers = headers or {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    return client.post("/api/v1/sync/dossiers", {"items": items}, content_type="application/json", **headers)


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def at(days=0, hours=0) -> str:
    return (NOW + timedelta(days=days, hours=hours)).isoformat()


def upsert(external_id="HK-1", **fields) -> dict:
    return {
        "type": "dossier",
        "external_id": external_id,
        "procedure_code": BIRTH,
        "applicant_name": "Trần Thị Mai",
        "applicant_id_number": "001199012345",
        "channel": "counter",
        "status": Status.RECEIVED,
        "submitted_at": at(hours=-2),
        "received_at": at(hours=-1),
    } | fields


def event(external_id="HK-1", status=Status.PROCESSING, when=None, **fields) -> dict:
    return {"type": "event", "external_id": external_id, "status": status, "at": when or at()} | fields


# ------------------------------------------------------------------------------------------- dossiers


def test_a_new_dossier_gets_a_national_code_and_its_due_date(client, key):
    body = ok(push(client, key, [upsert()]))
    assert body["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 0}
    [item] = body["items"]
    assert item["result"] == "created" and item["index"] == 0 and item["external_id"] == "HK-1"
    assert re.fullmatch(rf"{re.escape(HOAN_KIEM)}-260310-\d{{4}}", item["code"])
    dossier = Dossier.objects.get(code=item["code"])
    assert dossier.source == Source.AGENCY_SYSTEM and dossier.external_id == "HK-1"
    assert dossier.status == Status.RECEIVED and dossier.channel == "counter"
    assert dossier.applicant_name == "Trần Thị Mai" and dossier.applicant_id_number == "001199012345"
    assert dossier.due_at == due_date_for(dossier.procedure, dossier.received_at)
    [created] = DossierEvent.objects.filter(dossier=dossier)
    assert (created.action, created.to_status, created.actor_name) == ("sync", Status.RECEIVED, SYSTEM)


def test_a_due_date_sent_by_the_agency_is_kept(client, key):
    code = ok(push(client, key, [upsert(due_at=at(days=20))]))["items"][0]["code"]
    assert Dossier.objects.get(code=code).due_at == NOW + timedelta(days=20)


def test_a_code_the_agency_gave_is_kept_and_the_portal_skips_its_number(client, key):
    own = f"{HOAN_KIEM}-260310-0007"
    portal, given = ok(push(client, key, [upsert("HK-2"), upsert(code=own)]))["items"]
    later = ok(push(client, key, [upsert("HK-3")]))["items"][0]
    assert given["code"] == own
    assert portal["code"] == f"{HOAN_KIEM}-260310-0008"
    assert later["code"] == f"{HOAN_KIEM}-260310-0009"


def test_replaying_a_batch_changes_nothing(client, key):
    batch = [upsert(), event(status=Status.PROCESSING, when=at(hours=-0.5)), upsert("HK-2", status=1)]
    ok(push(client, key, batch))
    dossier = Dossier.objects.get(external_id="HK-1")
    events = DossierEvent.objects.count()
    again = ok(push(client, key, batch))
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert [i["result"] for i in again["items"]] == ["unchanged"] * 3
    assert DossierEvent.objects.count() == events
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_a_changed_dossier_is_updated_with_a_timeline_event_and_a_new_version(client, key):
    ok(push(client, key, [upsert()]))
    dossier = Dossier.objects.get(external_id="HK-1")
    body = ok(
        push(client, key, [upsert(status=Status.PROCESSED, processed_at=at(), applicant_name="Trần Mai")])
    )
    assert body["items"][0]["result"] == "updated" and body["items"][0]["code"] == dossier.code
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.status == Status.PROCESSED and fresh.processed_at == NOW
    assert fresh.applicant_name == "Trần Mai"
    assert fresh.version == dossier.version + 1
    last = DossierEvent.objects.filter(dossier=dossier).last()
    assert (last.from_status, last.to_status, last.at) == (Status.RECEIVED, Status.PROCESSED, NOW)


def test_an_upsert_after_events_changes_only_what_the_agency_changed(client, key):
    ok(push(client, key, [upsert(), event(status=Status.SUPPLEMENT_REQUESTED, when=at(hours=1))]))
    [item] = ok(push(client, key, [upsert(applicant_name="Trần Thị Mai Anh")]))["items"]
    assert item["result"] == "updated"
    dossier = Dossier.objects.get(external_id="HK-1")
    assert dossier.status == Status.SUPPLEMENT_REQUESTED and dossier.applicant_name == "Trần Thị Mai Anh"
    update = DossierEvent.objects.filter(dossier=dossier).order_by("id").last()
    assert update.action == "sync_update" and update.public is False
    assert update.details["fields"] == ["applicant_name"] and "Trần" not in str(update.details)


def test_fields_left_out_keep_their_values(client, key):
    ok(push(client, key, [upsert(due_at=at(days=20))]))
    ok(push(client, key, [upsert(status=Status.PROCESSING)]))
    assert Dossier.objects.get(external_id="HK-1").due_at == NOW + timedelta(days=20)


def test_a_portal_dossier_is_linked_by_its_code(client, key):
    portal = make_dossier(status=Status.SUBMITTED)
    body = ok(push(client, key, [upsert("HK-9", code=portal.code, status=Status.RECEIVED)]))
    assert body["items"][0] == {"index": 0, "external_id": "HK-9", "result": "updated", "code": portal.code}
    fresh = Dossier.objects.get(pk=portal.pk)
    assert fresh.external_id == "HK-9" and fresh.status == Status.RECEIVED
    assert fresh.source == Source.PORTAL


def test_a_synchronised_dossier_with_my_id_number_is_among_my_dossiers(client, key):
    from django.test import RequestFactory

    from opendvc.accounts.models import AccessMethod
    from opendvc.accounts.services.access import issue_api_token
    from opendvc.accounts.tests.factories import make_citizen

    mai = make_citizen(id_number="001199012345", full_name="Trần Thị Mai", phone="0977777777")
    code = ok(push(client, key, [upsert()]))["items"][0]["code"]
    token = issue_api_token(RequestFactory().get("/"), mai, AccessMethod.PASSWORD_OTP)
    mine = client.get("/api/v1/me/dossiers", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [i["code"] for i in mine["items"]] == [code]


# --------------------------------------------------------------------------------------------- events


def test_events_join_the_timeline_and_change_the_status(client, key):
    code = ok(push(client, key, [upsert()]))["items"][0]["code"]
    body = ok(
        push(
            client,
            key,
            [
                event(status=Status.SUPPLEMENT_REQUESTED, when=at(hours=1), comment="Thiếu giấy chứng sinh"),
                event(status=Status.PROCESSING, when=at(hours=2)),
            ],
        )
    )
    assert [(i["result"], i["code"]) for i in body["items"]] == [("created", code), ("created", code)]
    public = client.get(f"/api/v1/dossiers/{code}/status").json()
    assert public["status"]["code"] == Status.PROCESSING
    timeline = list(DossierEvent.objects.filter(dossier__code=code).values_list("to_status", "comment"))
    assert timeline == [
        (Status.RECEIVED, ""),
        (Status.SUPPLEMENT_REQUESTED, "Thiếu giấy chứng sinh"),
        (Status.PROCESSING, ""),
    ]
    dossier = Dossier.objects.get(code=code)
    assert dossier.supplement_requests == 1 and dossier.paused_since is None


def test_an_older_event_joins_the_timeline_without_changing_the_status(client, key):
    ok(push(client, key, [upsert(), event(status=Status.PROCESSED, when=at(hours=3))]))
    ok(push(client, key, [event(status=Status.PROCESSING, when=at(hours=1))]))
    dossier = Dossier.objects.get(external_id="HK-1")
    assert dossier.status == Status.PROCESSED
    assert DossierEvent.objects.filter(dossier=dossier, to_status=Status.PROCESSING).exists()


def test_a_result_returned_closes_the_dossier(client, key):
    ok(push(client, key, [upsert(), event(status=Status.RETURNED, when=at(hours=4))]))
    dossier = Dossier.objects.get(external_id="HK-1")
    assert dossier.returned_at == dossier.closed_at == NOW + timedelta(hours=4)
    assert dossier.processed_at == NOW + timedelta(hours=4)


def test_an_event_for_an_unknown_dossier_is_an_item_error(client, key):
    [item] = ok(push(client, key, [event("NOPE")]))["items"]
    assert item["result"] == "error" and item["error"]["code"] == "unknown_dossier"
    assert "external_id" in item["error"]["fields"]


# --------------------------------------------------------------------------------------- item errors


def test_one_bad_item_does_not_stop_the_others(client, key):
    body = ok(
        push(
            client,
            key,
            [
                upsert("HK-1", status=11),
                upsert("HK-2", procedure_code="9.999999"),
                upsert("HK-3"),
                upsert("HK-4", submitted_at="2026-03-10T08:00:00"),
                42,
                {"type": "payment", "external_id": "HK-5"},
                upsert("HK-6", recieved_at=at()),
            ],
        )
    )
    results = body["items"]
    assert body["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 6}
    assert [r["result"] for r in results] == ["error", "error", "created", "error", "error", "error", "error"]
    assert results[0]["error"]["code"] == "invalid_item" and "status" in results[0]["error"]["fields"]
    assert results[1]["error"]["code"] == "unknown_procedure"
    assert "procedure_code" in results[1]["error"]["fields"]
    assert "submitted_at" in results[3]["error"]["fields"]
    assert "external_id" not in results[4] and results[4]["error"]["code"] == "invalid_item"
    assert "type" in results[5]["error"]["fields"]
    assert "recieved_at" in results[6]["error"]["fields"]
    assert list(
        Dossier.objects.filter(source=Source.AGENCY_SYSTEM).values_list("external_id", flat=True)
    ) == ["HK-3"]


def test_a_code_of_another_agency_is_forbidden(client, key):
    theirs = make_dossier(agency_code=other_agency().code, status=Status.RECEIVED)
    body = ok(
        push(
            client,
            key,
            [
                upsert("HK-1", code=theirs.code),
                upsert("HK-2", code=f"{other_agency().code}-260310-0042"),
            ],
        )
    )
    assert [i["error"]["code"] for i in body["items"]] == ["forbidden", "forbidden"]
    assert Dossier.objects.get(pk=theirs.pk).external_id is None


def test_external_ids_are_per_agency(client, key):
    ok(push(client, key, [upsert("SHARED-1")]))
    _record, theirs = apikeys.create_key(agency=other_agency(), name="Hệ thống khác")
    [item] = ok(push(client, theirs, [upsert("SHARED-1", status=Status.PROCESSED)]))["items"]
    assert item["result"] == "created" and item["code"].startswith(other_agency().code)
    assert Dossier.objects.get(agency__code=HOAN_KIEM, external_id="SHARED-1").status == Status.RECEIVED
    [refused] = ok(push(client, theirs, [event("HK-UNKNOWN-TO-THEM")]))["items"]
    assert refused["error"]["code"] == "unknown_dossier"


def test_a_code_in_the_wrong_format_is_an_item_error(client, key):
    [item] = ok(push(client, key, [upsert(code="HK-2026-1")]))["items"]
    assert item["error"]["code"] == "invalid_item" and "code" in item["error"]["fields"]


def test_a_moment_far_in_the_future_is_refused_as_a_time_zone_mistake(client, key):
    [item] = ok(push(client, key, [upsert(received_at=at(days=2))]))["items"]
    assert "received_at" in item["error"]["fields"]
    [allowed] = ok(push(client, key, [upsert(due_at=at(days=30))]))["items"]
    assert allowed["result"] == "created"


def test_an_id_number_must_have_twelve_digits(client, key):
    [item] = ok(push(client, key, [upsert(applicant_id_number="12345")]))["items"]
    assert "applicant_id_number" in item["error"]["fields"]


def test_more_than_a_thousand_items_are_refused_whole(client, key):
    error = error_of(push(client, key, [upsert(f"HK-{n}") for n in range(1001)]), 413)
    assert error["code"] == "too_many_items"
    assert not Dossier.objects.filter(source=Source.AGENCY_SYSTEM).exists()


# ------------------------------------------------------------------------------------------------ keys


def test_the_key_may_come_in_the_x_api_key_header(client, key):
    assert ok(push(client, None, [upsert()], HTTP_X_API_KEY=key))["counts"]["created"] == 1


def test_an_unknown_key_is_refused(client, key):
    error = error_of(push(client, key + "x", [upsert()]), 401)
    assert error["code"] == "invalid_api_key"
    assert (
        error_of(push(client, None, [upsert()], HTTP_X_API_KEY="dvc_nope"), 401)["code"] == "invalid_api_key"
    )


def test_no_key_is_refused(client):
    response = client.post("/api/v1/sync/dossiers", {"items": []}, content_type="application/json")
    assert error_of(response, 401)["code"] == "unauthenticated"


def test_a_revoked_key_is_refused(client, key):
    record = AgencyApiKey.objects.get(key_hash=apikeys.hash_key(key))
    apikeys.revoke_key(record)
    assert error_of(push(client, key, [upsert()]), 401)["code"] == "invalid_api_key"
    assert not Dossier.objects.filter(source=Source.AGENCY_SYSTEM).exists()


def test_only_the_hash_of_a_key_is_stored(key):
    record = AgencyApiKey.objects.get()
    assert record.key_hash == apikeys.hash_key(key) and key not in str(record.__dict__)
    assert key.startswith(record.prefix)


def test_a_key_may_send_120_batches_a_minute(client, key):
    for _n in range(120):
        assert push(client, key, []).status_code == 200
    refused = push(client, key, [])
    assert error_of(refused, 429)["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 60


def test_every_batch_goes_to_the_audit_trail_with_its_counts(client, key):
    ok(push(client, key, [upsert(), upsert("HK-2", status=0)]))
    entry = AuditEvent.objects.filter(action="dossiers.sync_batch").get()
    assert {k: entry.details[k] for k in ("created", "updated", "unchanged", "errors", "items")} == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": 1,
        "items": 2,
    }
    assert entry.details["agency"] == HOAN_KIEM and entry.details["system"] == SYSTEM
    assert "Trần Thị Mai" not in str(entry.details) and "001199012345" not in str(entry.details)


def test_create_sync_key_prints_a_working_key_once(client):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_sync_key", agency=HOAN_KIEM, name="Hệ thống một cửa", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert apikeys.verify_key(raw).agency.code == HOAN_KIEM
    assert raw not in err.getvalue()
    assert ok(push(client, raw, [upsert()]))["counts"]["created"] == 1


def test_create_sync_key_refuses_an_unknown_agency():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_sync_key", agency="KHONG-CO", name="x", stdout=io.StringIO())


# ----------------------------------------------------------------------------------------- efficiency


def test_a_batch_reads_its_dossiers_in_one_query(client, key):
    ok(push(client, key, [upsert(f"HK-{n}") for n in range(30)]))
    changed = [upsert(f"HK-{n}", status=Status.PROCESSING) for n in range(30)]
    with CaptureQueriesContext(connection) as queries:
        body = ok(push(client, key, changed))
    assert body["counts"]["updated"] == 30
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"dossiers_dossier"' in q["sql"]]
    assert len(reads) == 1


# ----------------------------------------------------------------------------------------------- admin


@pytest.fixture
def admin_client(client):
    admin = Account.objects.create_user(username="quantri", password="x", kind=AccountKind.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


def test_the_admin_shows_a_new_key_once_and_stores_its_hash(admin_client):
    agency = Agency.objects.get(code=HOAN_KIEM)
    response = admin_client.post(
        "/quan-tri/dossiers/agencyapikey/add/", {"agency": agency.pk, "name": "Hệ thống mới"}
    )
    assert response.status_code == 200
    [raw] = re.findall(r"<code>(dvc_[^<]+)</code>", response.content.decode())
    assert apikeys.verify_key(raw).name == "Hệ thống mới"
    assert "no-store" in response["Cache-Control"]
    listing = admin_client.get("/quan-tri/dossiers/agencyapikey/").content.decode()
    assert raw not in listing and raw[: apikeys.PREFIX_LENGTH] in listing


def test_the_create_key_action_makes_a_new_key_for_the_same_system(admin_client, key):
    old = AgencyApiKey.objects.get()
    response = admin_client.post(
        "/quan-tri/dossiers/agencyapikey/", {"action": "create_key", "_selected_action": [old.pk]}
    )
    [raw] = re.findall(r"<code>(dvc_[^<]+)</code>", response.content.decode())
    new = apikeys.verify_key(raw)
    assert new.pk != old.pk and (new.agency_id, new.name) == (old.agency_id, old.name)
    assert apikeys.verify_key(key) is not None


def test_the_admin_lists_dossiers_without_personal_data(admin_client):
    dossier = make_dossier(status=Status.RECEIVED, applicant_name="Lê Thị Bình")
    dossier.applicant_id_number = "001199012345"
    dossier.save(update_fields=["applicant_id_number"])
    listing = admin_client.get("/quan-tri/dossiers/dossier/").content.decode()
    assert dossier.code in listing and "Lê Thị Bình" not in listing and "001199012345" not in listing
    detail = admin_client.get(f"/quan-tri/dossiers/dossier/{dossier.pk}/change/").content.decode()
    assert "0011******45" in detail and "001199012345" not in detail


def test_the_admin_refuses_a_form_definition_that_does_not_check(admin_client):
    procedure_pk = Procedure.objects.get(code=BIRTH).pk
    broken = admin_client.post(
        "/quan-tri/dossiers/formdefinition/add/",
        {
            "procedure": procedure_pk,
            "version": 99,
            "schema": '{"version": 1, "steps": [{"key": "a", "fields": [{"type": "nope"}]}]}',
            "published_at_0": timezone.localdate().isoformat(),
            "published_at_1": "09:00:00",
        },
    )
    assert broken.status_code == 200 and not FormDefinition.objects.filter(version=99).exists()
    assert "thiếu «title_vi»" in broken.content.decode()

    good = admin_client.post(
        "/quan-tri/dossiers/formdefinition/add/",
        {
            "procedure": procedure_pk,
            "version": 99,
            "schema": json.dumps(SMALL_FORM),
            "published_at_0": timezone.localdate().isoformat(),
            "published_at_1": "09:00:00",
        },
    )
    assert good.status_code == 302, good.content.decode()[:3000]
    assert FormDefinition.objects.filter(version=99).exists()


def test_the_admin_keeps_a_form_version_that_dossiers_use(admin_client):
    procedure = Procedure.objects.get(code=BIRTH)
    used = FormDefinition.objects.create(procedure=procedure, version=98, schema=SMALL_FORM)
    make_dossier(status=Status.SUBMITTED, form_definition=used)
    changed = {**SMALL_FORM, "title_vi": "Tờ khai đã sửa"}
    response = admin_client.post(
        f"/quan-tri/dossiers/formdefinition/{used.pk}/change/",
        {
            "procedure": procedure.pk,
            "version": 98,
            "schema": json.dumps(changed),
            "published_at_0": timezone.localdate().isoformat(),
            "published_at_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert "hãy tạo phiên bản mới" in response.content.decode()
    assert FormDefinition.objects.get(pk=used.pk).schema == SMALL_FORM
