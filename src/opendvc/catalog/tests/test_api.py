import pytest

pytestmark = pytest.mark.django_db


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_search_ranks_birth_registration_first_and_describes_each_item(client):
    body = client.get("/api/v1/procedures", {"q": "lam giay khai sinh"}).json()
    first = body["items"][0]
    assert first["name"] == "Đăng ký khai sinh"
    assert set(first) == {"code", "name", "level", "audiences", "field", "agencies", "url"}
    assert first["url"].endswith(f"/thu-tuc/{first['code']}/")
    assert body["count"] >= 1


def test_filters_narrow_the_list_and_count_matches_the_items(client):
    everything = client.get("/api/v1/procedures", {"page_size": 100}).json()
    business = client.get(
        "/api/v1/procedures", {"audience": "business", "level": "full", "page_size": 100}
    ).json()
    assert 0 < business["count"] < everything["count"]
    assert all("business" in i["audiences"] and i["level"] == "full" for i in business["items"])


def test_filter_by_agency_field_and_life_event(client):
    by_field = client.get("/api/v1/procedures", {"field": "G06-HT01", "page_size": 100}).json()
    assert by_field["count"] > 0 and {i["field"]["code"] for i in by_field["items"]} == {"G06-HT01"}
    ward = client.get("/api/v1/agencies", {"level": "commune"}).json()[0]["code"]
    by_agency = client.get("/api/v1/procedures", {"agency": ward, "page_size": 100}).json()
    assert by_agency["count"] > 0
    assert all(any(a["level"] == "commune" for a in i["agencies"]) for i in by_agency["items"])
    event = client.get("/api/v1/life-events").json()[0]
    by_event = client.get("/api/v1/procedures", {"event": event["slug"], "page_size": 100}).json()
    detail = client.get(f"/api/v1/life-events/{event['slug']}").json()
    assert {i["code"] for i in by_event["items"]} == {p["code"] for p in detail["procedures"] if p}


def test_pages_do_not_overlap(client):
    first = client.get("/api/v1/procedures", {"page_size": 5, "page": 1}).json()["items"]
    second = client.get("/api/v1/procedures", {"page_size": 5, "page": 2}).json()["items"]
    assert len(first) == len(second) == 5
    assert not {i["code"] for i in first} & {i["code"] for i in second}


def test_english_names_through_lang_or_accept_language(client):
    by_param = client.get("/api/v1/procedures", {"q": "birth registration", "lang": "en"}).json()["items"][0]
    by_header = client.get(
        "/api/v1/procedures", {"q": "birth registration"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert by_param["name"] == "Birth registration"
    assert by_header["items"][0]["name"] == "Birth registration"


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"page": 0}, "page", "invalid_parameters"),
        ({"page_size": 10000}, "page_size", "invalid_parameters"),
        ({"page": "abc"}, "page", "invalid_parameters"),
        ({"level": "muc-4"}, "level", "invalid_filter"),
        ({"audience": "alien"}, "audience", "invalid_filter"),
        ({"agency": "000.00.00.X99"}, "agency", "invalid_filter"),
        ({"field": "NOPE"}, "field", "invalid_filter"),
        ({"event": "no-such-event"}, "event", "invalid_filter"),
        ({"q": "x" * 2000}, "q", "query_too_long"),
        ({"lang": "fr"}, "lang", "invalid_parameters"),
    ],
)
def test_bad_input_is_a_4xx_with_the_error_envelope(client, params, field, code):
    error = error_of(client.get("/api/v1/procedures", params), 400)
    assert error["code"] == code and field in error["fields"]


def test_invalid_utf8_in_the_query_is_a_400(client):
    error = error_of(client.get("/api/v1/procedures?q=%ff%fe%80"), 400)
    assert error["code"] == "invalid_encoding"


def test_unknown_procedure_agency_and_life_event_are_404_with_the_envelope(client):
    for url in (
        "/api/v1/procedures/9.999999",
        "/api/v1/agencies/000.00.00.X99",
        "/api/v1/life-events/khong-co",
    ):
        assert error_of(client.get(url), 404)["code"] == "not_found"


def test_procedure_detail_has_every_part_of_the_procedure(client):
    body = client.get("/api/v1/procedures/1.001193").json()
    assert body["name"] == "Đăng ký khai sinh"
    assert body["steps"] and body["documents"] and body["legal_basis"] and body["keywords"]
    assert body["processing_time"]["unit"] in {"working_days", "days", "hours", "months"}
    assert body["status"] == "active"


def test_agencies_come_as_a_tree_or_filtered_by_parent_and_level(client):
    tree = client.get("/api/v1/agencies").json()
    hanoi = next(a for a in tree if a["code"] == "000.00.00.H26")
    assert any(c["level"] == "commune" for c in hanoi["children"])
    children = client.get("/api/v1/agencies", {"parent": "000.00.00.H26"}).json()
    assert {c["code"] for c in children} == {c["code"] for c in hanoi["children"]}
    assert {a["level"] for a in client.get("/api/v1/agencies", {"level": "central"}).json()} == {"central"}
    one = client.get("/api/v1/agencies/000.00.00.H26").json()
    assert one["name"].startswith("Ủy ban nhân dân") and one["children"]


def test_fields_and_life_events_are_listed(client):
    assert any(f["code"] == "G06-HT01" for f in client.get("/api/v1/fields").json())
    events = client.get("/api/v1/life-events", {"audience": "business"}).json()
    assert events and {e["audience"] for e in events} == {"business"}


def test_openapi_document_describes_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
        "/api/v1/agencies",
        "/api/v1/agencies/{code}",
        "/api/v1/fields",
        "/api/v1/life-events",
        "/api/v1/life-events/{slug}",
    } <= set(spec["paths"])
