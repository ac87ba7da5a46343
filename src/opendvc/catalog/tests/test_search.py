"""Ranking behaviour on small hand-built catalogues (test_search_quality searches the demo catalogue)."""

import unicodedata

import pytest

from opendvc.catalog.models import Procedure
from opendvc.catalog.search import search_procedures
from opendvc.catalog.services import import_catalogue
from opendvc.catalog.tests.records import procedure_record

pytestmark = pytest.mark.django_db


def make(*records) -> list[str]:
    import_catalogue({"procedures": list(records)})
    return [r["code"] for r in records]


def codes(query: str, **kwargs) -> list[str]:
    scope = Procedure.objects.filter(code__startswith="9.")
    ids = search_procedures(query, scope=scope, **kwargs).ids
    by_id = Procedure.objects.in_bulk(ids)
    return [by_id[i].code for i in ids]


def test_a_name_match_ranks_above_a_match_in_the_body_only():
    in_body, in_name = make(
        procedure_record("Cấp giấy phép thử", description={"vi": "Liên quan đến chim yến", "en": ""}),
        procedure_record("Đăng ký nuôi chim yến"),
    )
    assert codes("chim yến")[:2] == [in_name, in_body]


def test_the_exact_phrase_ranks_above_the_same_words_scattered():
    _scattered, phrase = make(
        procedure_record("Xác nhận trạng thái hồ sơ ngầm và cấp lại bản đồ"),
        procedure_record("Cấp lại bản đồ trạng thái ngầm"),
    )
    assert codes("bản đồ trạng thái ngầm")[0] == phrase


def test_abolished_procedures_are_never_found():
    active, _abolished = make(
        procedure_record("Đăng ký khinh khí cầu"),
        procedure_record("Đăng ký khinh khí cầu cũ", status="abolished"),
    )
    assert codes("khinh khí cầu") == [active]


def test_queries_without_diacritics_in_nfd_or_in_capitals_find_the_same_procedure():
    (code,) = make(procedure_record("Cấp giấy phép thả diều"))
    for query in ("thả diều", "THA DIEU", unicodedata.normalize("NFD", "Thả Diều"), "tha dieu"):
        assert codes(query)[:1] == [code], query


def test_a_swapped_or_missing_letter_is_corrected_to_a_known_word():
    (code,) = make(procedure_record("Cấp phép khinh khí cầu khổng lồ"))
    result = search_procedures("khogn lồ", scope=Procedure.objects.filter(code__startswith="9."))
    assert result.corrections == {"khogn": "khong"}
    assert Procedure.objects.get(pk=result.ids[0]).code == code
    assert codes("khng lo")[:1] == [code]


def test_keywords_let_people_find_a_procedure_by_its_everyday_name():
    (code,) = make(procedure_record("Cấp giấy chứng nhận thử nghiệm gốm", keywords=["bình bát tràng"]))
    assert codes("bình bát tràng")[:1] == [code]


def test_english_query_finds_the_english_name():
    record = procedure_record()
    record["name"] = {"vi": "Cấp giấy phép khinh khí cầu", "en": "Hot-air balloon licence"}
    (code,) = make(record)
    assert codes("balloon licences")[:1] == [code]


def test_suggestions_complete_the_word_being_typed():
    (code,) = make(procedure_record("Đăng ký nuôi hươu cao cổ"))
    assert code in codes("hươu cao c", suggest=True)


def test_a_query_with_nothing_meaningful_returns_nothing():
    make(procedure_record("Đăng ký thử"))
    assert codes("   ") == []
    assert codes("?!") == []


def test_reindexing_after_an_update_finds_the_new_name_and_not_the_old():
    record = procedure_record("Đăng ký nuôi lạc đà")
    make(record)
    import_catalogue({"procedures": [{**record, "name": {"vi": "Đăng ký nuôi ngựa vằn", "en": ""}}]})
    assert codes("lạc đà") == []
    assert codes("ngựa vằn") == [record["code"]]
