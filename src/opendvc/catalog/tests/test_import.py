import json

import pytest
from django.core.management import CommandError, call_command

from opendvc.catalog.exchange import export_catalogue, procedures_to_csv, read_csv, read_json
from opendvc.catalog.models import Agency, LifeEvent, Procedure
from opendvc.catalog.services import CatalogueImportError, import_catalogue
from opendvc.catalog.tests.records import procedure_record

pytestmark = pytest.mark.django_db


def problems_of(data) -> list[tuple[str, str]]:
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue(data)
    return [(p.row, p.column) for p in caught.value.problems]


def test_import_creates_a_procedure_with_its_steps_documents_fees_and_agency_kinds():
    record = procedure_record("Đăng ký thử nghiệm", agency_kinds=["ubnd-xa", "cong-an-xa"])
    import_catalogue({"procedures": [record]})
    procedure = Procedure.objects.get(code=record["code"])
    assert procedure.name_vi == "Đăng ký thử nghiệm"
    assert (
        procedure.steps.count() == 1 and procedure.documents.count() == 1 and procedure.fees.get().amount == 0
    )
    assert sorted(procedure.agency_kinds.values_list("slug", flat=True)) == ["cong-an-xa", "ubnd-xa"]


def test_a_file_with_one_bad_row_imports_nothing_and_names_every_problem_by_row_and_column():
    good = procedure_record("Tốt")
    bad = procedure_record(
        "Xấu",
        online_level="level-4",
        field="NO-SUCH",
        documents=[{"name": {"vi": "Tờ khai"}, "kind": "photocopy", "copies": 0}],
    )
    found = problems_of({"procedures": [good, bad]})
    row = f"procedures #2 ({bad['code']})"
    assert (row, "online_level") in found
    assert (row, "field") in found
    assert (row, "documents[0].kind") in found
    assert (row, "documents[0].copies") in found
    assert not Procedure.objects.filter(code=good["code"]).exists()


def test_unknown_keys_duplicate_codes_and_missing_vietnamese_names_are_reported():
    first = procedure_record("Một")
    dupe = {**procedure_record("Hai"), "code": first["code"], "agency_kind": ["x"]}
    nameless = procedure_record(name="")
    found = problems_of({"procedures": [first, dupe, nameless]})
    assert (f"procedures #2 ({first['code']})", "code") in found
    assert (f"procedures #2 ({first['code']})", "agency_kind") in found
    assert (f"procedures #3 ({nameless['code']})", "name.vi") in found


def test_life_event_must_refer_to_known_procedures():
    found = problems_of(
        {
            "life_events": [
                {
                    "slug": "thu-nghiem",
                    "name": {"vi": "Thử"},
                    "audience": "citizen",
                    "procedures": ["9.999999"],
                }
            ]
        }
    )
    assert found == [("life_events #1 (thu-nghiem)", "procedures[0]")]
    assert not LifeEvent.objects.filter(slug="thu-nghiem").exists()


def test_commune_police_must_name_the_commune_it_serves():
    found = problems_of(
        {
            "agencies": [
                {
                    "code": "000.01.99.H26",
                    "name": {"vi": "Công an phường Thử"},
                    "level": "commune",
                    "kind": "cong-an-xa",
                    "parent": "000.00.00.H26",
                }
            ]
        }
    )
    assert ("agencies #1 (000.01.99.H26)", "commune") in found


def test_agency_kind_must_match_the_agency_level():
    found = problems_of(
        {
            "agencies": [
                {
                    "code": "000.98.00.H26",
                    "name": {"vi": "Sở Thử"},
                    "level": "commune",
                    "kind": "so-tu-phap",
                    "parent": "000.00.00.H26",
                }
            ]
        }
    )
    assert ("agencies #1 (000.98.00.H26)", "kind") in found


def test_importing_the_same_data_twice_changes_nothing():
    data = {"procedures": [procedure_record("Lặp lại", keywords=["lặp"])]}
    first = import_catalogue(json.loads(json.dumps(data)))
    second = import_catalogue(json.loads(json.dumps(data)))
    assert first.counts["procedures"]["created"] == 1
    assert second.counts["procedures"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert not second.changed


def test_text_is_stored_in_nfc_whatever_form_the_file_uses():
    import unicodedata

    record = procedure_record(unicodedata.normalize("NFD", "Đăng ký hộ tịch thử"))
    import_catalogue(read_json(json.dumps({"procedures": [record]})))
    assert Procedure.objects.get(code=record["code"]).name_vi == unicodedata.normalize(
        "NFC", "Đăng ký hộ tịch thử"
    )


def test_csv_problems_are_reported_by_line_and_csv_column():
    record = procedure_record("Thử CSV")
    csv_text = procedures_to_csv([record]).replace(",full,", ",muc-4,")
    found = problems_of(read_csv(csv_text))
    assert found == [("line 2", "online_level")]


def test_export_then_import_as_csv_reproduces_the_procedures():
    record = procedure_record(
        "Khứ hồi CSV",
        keywords=["khứ hồi", "round trip"],
        fees=[{"amount": None, "description": {"vi": "Theo từng trường hợp", "en": "Varies"}}],
    )
    import_catalogue({"procedures": [record]})
    exported = [p for p in export_catalogue()["procedures"] if p["code"] == record["code"]]
    Procedure.objects.filter(code=record["code"]).delete()
    import_catalogue(read_csv(procedures_to_csv(exported)))
    again = [p for p in export_catalogue()["procedures"] if p["code"] == record["code"]]
    assert again == exported


def test_import_command_reports_problems_and_fails(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"procedures": [procedure_record("Lỗi", status="maybe")]}), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_catalogue", str(path))


def test_import_command_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("code,name_vi\n1.000001,Đăng ký\n".encode("cp1258", errors="replace") + b"\xff")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_catalogue", str(path))


def test_agency_tree_records_province_for_departments_and_communes():
    ward = Agency.objects.filter(kind__slug="ubnd-xa", province__code="000.00.00.H26").first()
    police = Agency.objects.filter(kind__slug="cong-an-xa", province__code="000.00.00.H26").first()
    assert ward is not None and ward.commune_id == ward.pk
    assert police.commune.kind.slug == "ubnd-xa"


def test_blank_forms_are_imported_once_and_linked_from_the_procedure_page(tmp_path, settings, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "to-khai.pdf").write_bytes(b"%PDF-1.4 blank form\n%%EOF\n")
    record = procedure_record("Đăng ký có mẫu tờ khai")
    record["documents"][0]["template"] = "to-khai.pdf"
    data = json.dumps({"procedures": [record]})
    import_catalogue(read_json(data), source_dir=tmp_path)
    again = import_catalogue(read_json(data), source_dir=tmp_path)
    assert again.counts["procedures"]["unchanged"] == 1
    document = Procedure.objects.get(code=record["code"]).documents.get()
    assert document.template.read() == b"%PDF-1.4 blank form\n%%EOF\n"
    assert list((tmp_path / "media" / "forms" / record["code"]).iterdir()) == [
        tmp_path / "media" / "forms" / record["code"] / "to-khai.pdf"
    ]
    html = client.get(f"/thu-tuc/{record['code']}/").content.decode()
    assert f'href="/media/forms/{record["code"]}/to-khai.pdf"' in html and "Tải mẫu" in html


def test_a_missing_blank_form_file_is_a_problem_of_its_row(tmp_path):
    record = procedure_record("Thiếu mẫu")
    record["documents"][0]["template"] = "khong-co.pdf"
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue({"procedures": [record]}, source_dir=tmp_path)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (f"procedures #1 ({record['code']})", "documents[0].template")
    ]


def test_fee_rules_and_the_time_of_payment_survive_export_and_import_as_csv():
    record = procedure_record(
        "Khứ hồi phí",
        fees=[
            {
                "amount": 200000,
                "description": {"vi": "Thông thường"},
                "rule": {"when": {"field": "kind", "equals": "a"}},
            },
            {
                "amount": 5000,
                "description": {"vi": "Từ phiếu thứ 3: thêm"},
                "rule": {"per": "copies", "after": 2},
            },
            {"amount": 0, "description": {"vi": "Miễn"}},
        ],
        fee_timing="result",
    )
    import_catalogue({"procedures": [record]})
    procedure = Procedure.objects.get(code=record["code"])
    assert procedure.fee_timing == "result"
    assert [f.rule for f in procedure.fees.all()] == [
        {"when": {"field": "kind", "equals": "a"}},
        {"per": "copies", "after": 2},
        {},
    ]
    exported = [p for p in export_catalogue()["procedures"] if p["code"] == record["code"]]
    Procedure.objects.filter(code=record["code"]).delete()
    import_catalogue(read_csv(procedures_to_csv(exported)))
    again = [p for p in export_catalogue()["procedures"] if p["code"] == record["code"]]
    assert again == exported


def test_malformed_fee_rules_and_an_unknown_time_of_payment_are_problems_of_their_row():
    record = procedure_record(
        "Phí sai",
        fees=[
            {"amount": 1000, "description": {"vi": "A"}, "rule": {"when": {"field": "x", "greater": 2}}},
            {"amount": 1000, "description": {"vi": "B"}, "rule": {"after": -1, "colour": "red"}},
        ],
        fee_timing="whenever",
    )
    found = problems_of({"procedures": [record]})
    row = f"procedures #1 ({record['code']})"
    assert found.count((row, "fees[0].rule")) == 1
    assert found.count((row, "fees[1].rule")) == 3  # unknown key, negative "after", "after" without "per"
    assert (row, "fee_timing") in found


def test_a_csv_file_written_before_fee_timing_existed_still_imports():
    record = procedure_record("Tệp cũ")
    old = procedures_to_csv([record]).splitlines()
    header, row = old[0].rsplit(",", 1)[0], old[1].rsplit(",", 1)[0]
    import_catalogue(read_csv(header + "\n" + row + "\n"))
    assert Procedure.objects.get(code=record["code"]).fee_timing == "submission"
