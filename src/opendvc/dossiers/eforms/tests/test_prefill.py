import datetime

from opendvc.dossiers.eforms.addresses import default_address_book, format_address, parse_address
from opendvc.dossiers.eforms.prefill import enforce_locked, origin_label, prefill
from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.eforms.tests.sample import sample

SPEC = load_definition(sample())
REGISTRY = {
    "full_name": "Nguyễn Văn An",
    "date_of_birth": datetime.date(1988, 5, 12),
    "gender": "male",
    "id_number": "001088012345",
    "address": "Số 12 phố Hàng Bông, phường Hoàn Kiếm, thành phố Hà Nội",
}
PROFILE = {"full_name": "An Nguyễn", "gender": "female", "phone": "0912345678", "email": "an@example.vn"}


def test_registry_values_come_first_and_are_locked():
    data, origins, locked = prefill(SPEC, {"registry": REGISTRY, "profile": PROFILE})
    assert data["full_name"] == "Nguyễn Văn An" and data["date_of_birth"] == "1988-05-12"
    assert data["gender"] == "male"
    assert origins["full_name"] == "Từ Cơ sở dữ liệu quốc gia về dân cư"
    assert {"full_name", "date_of_birth", "gender", "id_number", "address"} <= locked


def test_profile_values_fill_the_rest_and_stay_editable():
    data, origins, locked = prefill(SPEC, {"registry": {}, "profile": PROFILE})
    assert data["full_name"] == "An Nguyễn" and data["phone"] == "0912345678"
    assert origins["phone"] == "Từ tài khoản" and origins["full_name"] == "Từ tài khoản"
    assert locked == set()


def test_earlier_dossier_answers_are_offered_again():
    data, origins, locked = prefill(SPEC, {"previous": {"occupation": "Kỹ sư", "purpose": "work"}})
    assert data["occupation"] == "Kỹ sư" and origins["occupation"] == "Từ hồ sơ trước"
    assert "purpose" not in data  # the field does not ask for it
    assert "occupation" not in locked


def test_a_value_that_is_invalid_for_the_field_is_not_used():
    data, origins, locked = prefill(
        SPEC, {"registry": {"gender": "unknown", "id_number": "123"}, "profile": PROFILE}
    )
    assert data["gender"] == "female" and origins["gender"] == "Từ tài khoản"
    assert "id_number" not in data and "id_number" not in locked


def test_a_registry_address_is_matched_to_province_and_commune_codes():
    data, _origins, locked = prefill(SPEC, {"registry": REGISTRY})
    assert data["address"] == {"province": "01", "commune": "00070", "detail": "Số 12 phố Hàng Bông"}
    assert "address" in locked


def test_an_address_that_cannot_be_matched_is_offered_but_not_locked():
    data, origins, locked = prefill(
        SPEC, {"registry": {"address": "Thôn Đông, xã Quảng Tâm, tỉnh Thanh Hóa"}}
    )
    assert data["address"] == {"province": "38", "commune": "", "detail": "Thôn Đông, xã Quảng Tâm"}
    assert origins["address"] and "address" not in locked


def test_defaults_fill_fields_no_source_answers_without_an_origin():
    data, origins, _locked = prefill(SPEC, {})
    assert data["copies"] == 1 and "copies" not in origins


def test_a_field_may_lock_or_unlock_its_prefilled_value():
    schema = sample()
    fields = schema["steps"][0]["fields"]
    fields[0]["locked_when_prefilled"] = False
    fields[4]["locked_when_prefilled"] = True
    _data, _origins, locked = prefill(load_definition(schema), {"registry": REGISTRY, "profile": PROFILE})
    assert "full_name" not in locked and "phone" in locked


def test_missing_or_broken_sources_are_skipped():
    data, origins, locked = prefill(
        SPEC, {"registry": None, "profile": "x", "previous": {"occupation": ["a"]}}
    )
    assert origins == {} and locked == set() and "occupation" not in data


def test_enforce_locked_puts_back_the_prefilled_value_whatever_was_posted():
    prefilled, _origins, locked = prefill(SPEC, {"registry": REGISTRY})
    posted = {"full_name": "Someone Else", "phone": "0987654321", "address": {"province": "79"}}
    result = enforce_locked(posted, prefilled, locked)
    assert result["full_name"] == "Nguyễn Văn An" and result["phone"] == "0987654321"
    assert result["address"]["commune"] == "00070"
    assert posted["full_name"] == "Someone Else"
    assert "id_number" not in result


def test_enforce_locked_restores_a_locked_field_a_posted_group_left_out():
    locked = {"spouse.full_name"}
    prefilled = {"spouse": {"full_name": "Trần Thị Bình"}}
    result = enforce_locked({"spouse": {"id_number": "001088012345"}}, prefilled, locked)
    assert result["spouse"] == {"id_number": "001088012345", "full_name": "Trần Thị Bình"}


def test_origin_labels_show_in_the_active_language_for_names_and_stored_labels():
    assert origin_label("registry") == "Từ Cơ sở dữ liệu quốc gia về dân cư"
    assert origin_label("Từ tài khoản") == "Từ tài khoản"
    assert origin_label("something") == "something"


def test_the_address_book_has_the_34_provinces_after_the_2025_merger():
    book = default_address_book()
    provinces = dict(book.provinces())
    assert len(provinces) == 34
    assert provinces["01"] == "Thành phố Hà Nội" and provinces["79"] == "Thành phố Hồ Chí Minh"
    assert provinces["38"] == "Tỉnh Thanh Hóa"
    for code in ("01", "79", "38"):
        assert len(book.communes(code)) >= 8
    assert book.name_of("00199") == "Phường Láng" and book.name_of("nope") == ""


def test_addresses_format_and_parse_with_the_book():
    value = {"province": "79", "commune": "26743", "detail": "45 đường Lê Lợi"}
    assert format_address(value) == "45 đường Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"
    assert parse_address("45 đường Lê Lợi, phường Bến Thành, TP Hồ Chí Minh") == value
    assert parse_address("")["province"] == ""
