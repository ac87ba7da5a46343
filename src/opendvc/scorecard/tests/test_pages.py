"""The public scorecard pages and their open data: rankings, an agency's page, a comparison, CSV and JSON
downloads of every table, the API, and clear messages for a bad period or an unknown agency."""

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from opendvc.catalog.models import Agency
from opendvc.scorecard import history

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
HANOI, HCMC, THANH_HOA = "000.00.00.H26", "000.00.00.H29", "000.00.00.H56"
MINISTRY_OF_JUSTICE = "000.00.00.G02"


@pytest.fixture(autouse=True)
def year():
    with freeze_time(NOW):
        history.generate(dossiers=2500, days=200, seed=3, lean=True)  # pages read counters only
        yield


def test_the_ranking_lists_the_provinces_best_first_with_each_group_and_the_change(client):
    page = client.get("/chi-so-phuc-vu/?period=2026-11")
    assert page.status_code == 200
    results = page.context["results"]
    assert {r.unit.code for r in results} == {HANOI, HCMC, THANH_HOA}
    totals = [r.total for r in results]
    assert totals == sorted(totals, reverse=True) and all(t is not None for t in totals)
    assert next(r.rank for r in results) == 1
    assert all(r.previous_total is not None for r in results)  # October had dossiers too
    html = page.content.decode()
    assert "Tháng 11/2026" in html and "Tiến độ, kết quả giải quyết" in html
    assert 'role="img"' in html and "<caption>" in html


def test_the_ministries_ranking_is_a_tab_of_the_same_page(client):
    page = client.get("/chi-so-phuc-vu/?level=ministry&period=2026-Q4")
    codes = {r.unit.code for r in page.context["results"]}
    assert MINISTRY_OF_JUSTICE in codes and HANOI not in codes
    assert 'aria-current="page">Bộ, ngành' in page.content.decode()


def test_a_bad_period_is_explained_and_kept_in_the_form(client):
    page = client.get("/chi-so-phuc-vu/?period=2026-13")
    assert page.status_code == 400
    html = page.content.decode()
    assert "Kỳ đánh giá không hợp lệ" in html
    assert 'value="2026-13" selected' in html or "2026-13" in html


@pytest.mark.parametrize(
    "query",
    [
        "period=9999-12",
        "period=9999-Q4",
        "start=9999-12-01&end=9999-12-31",
        "start=0001-01-01&end=0001-01-31",
    ],
)
def test_a_period_at_the_edge_of_the_calendar_is_refused_not_an_error(client, query):
    assert client.get(f"/chi-so-phuc-vu/?{query}").status_code == 400
    assert client.get(f"/chi-so-phuc-vu/co-quan/{HANOI}/?{query}").status_code == 400
    assert client.get(f"/chi-so-phuc-vu/so-sanh/?a={HANOI}&b={HCMC}&{query}").status_code == 400
    period = query.removeprefix("period=") if query.startswith("period=") else "9999-12-01..9999-12-31"
    assert client.get(f"/api/v1/scorecard?period={period}").status_code == 400
    assert client.get(f"/api/v1/scorecard/{HANOI}?period={period}").status_code == 400


def test_a_custom_range_needs_both_dates_in_order(client):
    page = client.get("/chi-so-phuc-vu/?start=2026-10-10&end=2026-10-01")
    assert page.status_code == 400
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu" in page.content.decode()
    page = client.get("/chi-so-phuc-vu/?start=2026-10-10")
    assert "Nhập cả ngày bắt đầu và ngày kết thúc" in page.content.decode()
    page = client.get("/chi-so-phuc-vu/?start=2026-10-01&end=2026-10-20")
    assert page.status_code == 200 and page.context["period"].code == "2026-10-01..2026-10-20"


def test_the_ranking_downloads_as_csv_with_the_same_rows(client):
    response = client.get("/chi-so-phuc-vu/?period=2026-11&format=csv&table=ranking")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="chi-so-phuc-vu-province-2026-11-ranking.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Hạng", "Mã cơ quan", "Đơn vị", "Tổng điểm (trên 100)"]
    assert len(rows) == 4 and {r[1] for r in rows[1:]} == {HANOI, HCMC, THANH_HOA}


def test_every_table_of_an_agency_page_downloads_as_json(client):
    for table in ("groups", "criteria", "trend"):
        response = client.get(f"/chi-so-phuc-vu/co-quan/{HANOI}/?period=2026-11&format=json&table={table}")
        data = json.loads(response.content)
        assert data["table"] == table and data["rows"]
        assert [c["key"] for c in data["columns"]] == list(data["rows"][0])


def test_an_agency_page_shows_each_criterion_with_the_numbers_behind_its_rate(client):
    page = client.get(f"/chi-so-phuc-vu/co-quan/{HANOI}/?period=2026-11")
    assert page.status_code == 200
    criteria = {row["code"]: row for row in page.context["tables"]["criteria"].rows}
    on_time = criteria["dossiers_on_time"]
    assert on_time["denominator"] > 0 and 0 <= on_time["rate"] <= 100
    assert criteria["e_certified_copies"]["note"].startswith("Không tính (N/A)")
    assert page.context["rank"] in (1, 2, 3) and page.context["ranked"] == 3
    assert len(page.context["tables"]["trend"].rows) == 12
    assert "Diễn biến qua từng tháng" in page.content.decode()


def test_an_unknown_agency_page_is_not_found(client):
    assert client.get("/chi-so-phuc-vu/co-quan/000.00.00.X99/").status_code == 404


def test_two_units_are_compared_criterion_by_criterion(client):
    page = client.get(f"/chi-so-phuc-vu/so-sanh/?a={HANOI}&b={MINISTRY_OF_JUSTICE}&period=2026-11")
    assert page.status_code == 200
    table = page.context["table"]
    assert table.rows[0]["first"] == page.context["first"].total
    assert any(row["item"].startswith("– ") for row in table.rows)


def test_comparing_an_unknown_or_the_same_unit_says_what_is_wrong(client):
    page = client.get(f"/chi-so-phuc-vu/so-sanh/?a=KHONG-CO&b={HANOI}")
    assert page.status_code == 400 and "Không có cơ quan mang mã “KHONG-CO”" in page.content.decode()
    page = client.get(f"/chi-so-phuc-vu/so-sanh/?a={HANOI}&b={HANOI}")
    assert "Chọn hai đơn vị khác nhau" in page.content.decode()


def test_a_ward_reached_from_its_page_can_be_compared_though_it_is_not_in_the_list(client):
    ward = Agency.objects.filter(level="commune").first()
    page = client.get(f"/chi-so-phuc-vu/so-sanh/?a={ward.code}&period=2026-11")
    assert page.status_code == 200
    assert f'<option value="{ward.code}" selected>' in page.content.decode()


def test_the_api_ranks_a_level_for_a_period(client):
    data = client.get("/api/v1/scorecard?level=province&period=2026-Q4").json()
    assert data["period"] == {
        "code": "2026-Q4",
        "label": "Quý 4/2026",
        "start": "2026-10-01",
        "end": "2026-12-31",
    }
    assert data["definition"]["version"] == "766-2024"
    assert [u["rank"] for u in data["units"]] == sorted(u["rank"] for u in data["units"])
    assert len(data["units"][0]["groups"]) == 5


def test_the_api_gives_one_agency_with_its_criteria_and_months(client):
    data = client.get(f"/api/v1/scorecard/{HANOI}?period=2026-11&lang=en").json()
    assert data["code"] == HANOI and data["name"] == "Hanoi People's Committee"
    criteria = {c["code"]: c for g in data["groups"] for c in g["criteria"]}
    assert criteria["e_certified_copies"]["available"] is False and criteria["e_certified_copies"]["reason"]
    assert (
        criteria["dossiers_on_time"]["denominator"]
        == data["numbers"]["finished_on_time"]
        + data["numbers"]["finished_late"]
        + data["numbers"]["open@end"]
    )
    assert [m["period"] for m in data["trend"]][-1] == "2026-11" and len(data["trend"]) == 12


def test_the_api_refuses_a_bad_period_or_level_with_the_error_envelope(client):
    bad = client.get("/api/v1/scorecard?period=tuần-này")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_parameters" and "period" in bad.json()["error"]["fields"]
    bad = client.get("/api/v1/scorecard?level=district")
    assert bad.status_code == 400 and "level" in bad.json()["error"]["fields"]
    missing = client.get("/api/v1/scorecard/000.00.00.X99")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
