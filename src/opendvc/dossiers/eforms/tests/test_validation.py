import pytest
from freezegun import freeze_time

from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.eforms.tests.sample import sample, valid
from opendvc.dossiers.eforms.validation import validate

SPEC = load_definition(sample())
ALL_ATTACHED = frozenset({"2", "7"})


def check(data, **kwargs):
    kwargs.setdefault("attachments_present", ALL_ATTACHED)
    return validate(SPEC, data, **kwargs)


def errors_of(**changes):
    return check(valid(**changes)).errors


def test_valid_answers_give_typed_json_safe_values():
    result = check(valid(area="85,5", email=" an@example.vn "))
    assert result.errors == {} and result.is_valid
    cleaned = result.cleaned
    assert cleaned["date_of_birth"] == "1988-05-12"
    assert cleaned["copies"] == 2 and cleaned["capital"] == 1500000 and cleaned["area"] == 85.5
    assert cleaned["has_children"] is False and cleaned["email"] == "an@example.vn"
    assert cleaned["address"] == {"province": "01", "commune": "00070", "detail": "Số 12 phố Hàng Bông"}
    assert cleaned["birth_notice"] == {"document": 2}


def test_missing_required_answers_get_specific_messages():
    data = {"spouse": {}}
    errors = check(data, attachments_present=frozenset()).errors
    assert errors["full_name"] == ["Nhập họ và tên"]
    assert errors["gender"] == ["Chọn giới tính"]
    assert errors["has_children"] == ["Chọn Có hoặc Không cho câu hỏi «Bạn có con?»"]
    assert errors["address.province"] == ["Nơi cư trú: chọn tỉnh, thành phố"]
    assert errors["birth_notice"] == ["Đính kèm giấy chứng sinh"]
    assert "email" not in errors and "area" not in errors


@freeze_time("2025-03-10 10:00:00")
def test_a_date_of_birth_after_today_is_refused():
    assert errors_of(date_of_birth="2025-03-11")["date_of_birth"] == ["Ngày sinh không được sau ngày hôm nay"]
    assert "date_of_birth" not in errors_of(date_of_birth="2025-03-10")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("31/02/2020", "Ngày sinh không phải là một ngày có thật"),
        ("hôm qua", "Ngày sinh phải là ngày theo dạng ngày/tháng/năm, ví dụ 27/03/2024"),
        ("1899-12-31", "Ngày sinh không được trước ngày 01/01/1900"),
        (["2020-01-01"], "Ngày sinh phải là ngày theo dạng ngày/tháng/năm, ví dụ 27/03/2024"),
    ],
)
def test_dates_that_are_not_real_readable_or_in_range_are_refused(raw, message):
    assert errors_of(date_of_birth=raw)["date_of_birth"] == [message]


def test_dates_may_be_typed_day_first():
    assert check(valid(date_of_birth="12/05/1988")).cleaned["date_of_birth"] == "1988-05-12"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("00108801234", "Số định danh cá nhân gồm đúng 12 chữ số"),
        ("00108801234a", "Số định danh cá nhân gồm đúng 12 chữ số"),
        (
            "003088012345",
            "3 chữ số đầu của số định danh cá nhân phải là mã tỉnh, thành phố nơi đăng ký khai sinh "
            "(001 đến 096)",
        ),
        (
            "097088012345",
            "3 chữ số đầu của số định danh cá nhân phải là mã tỉnh, thành phố nơi đăng ký khai sinh "
            "(001 đến 096)",
        ),
    ],
)
def test_id_numbers_need_twelve_digits_starting_with_a_province_code(raw, message):
    assert errors_of(id_number=raw)["id_number"] == [message]


def test_id_numbers_may_be_typed_with_spaces():
    assert check(valid(id_number="001 088 012 345")).cleaned["id_number"] == "001088012345"


def test_phones_are_normalised_and_non_mobile_numbers_refused():
    assert check(valid(phone="+84 912-345-678")).cleaned["phone"] == "0912345678"
    assert errors_of(phone="0243123456")["phone"] == [
        "Số điện thoại phải là số di động Việt Nam gồm 10 chữ số, ví dụ 0912345678"
    ]


def test_emails_must_look_like_an_address():
    assert errors_of(email="an@")["email"] == ["Thư điện tử không đúng định dạng, ví dụ ten@example.com"]


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("1.500.000", 1500000),
        ("1,500,000", 1500000),
        ("1 500 000 đ", 1500000),
        ("2000000", 2000000),
        (750000, 750000),
        ("0", 0),
        ("1.500.000 VNĐ", 1500000),
    ],
)
def test_money_accepts_the_ways_people_write_amounts(raw, amount):
    assert check(valid(capital=raw)).cleaned["capital"] == amount


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-5.000", "Vốn kinh doanh không được là số âm"),
        ("1.500,50", "Vốn kinh doanh phải là số tiền bằng đồng, ví dụ 1.500.000"),
        ("mười nghìn", "Vốn kinh doanh phải là số tiền bằng đồng, ví dụ 1.500.000"),
        ("1.50.000", "Vốn kinh doanh phải là số tiền bằng đồng, ví dụ 1.500.000"),
        (True, "Vốn kinh doanh phải là số tiền bằng đồng, ví dụ 1.500.000"),
        ("9" * 30, "Vốn kinh doanh quá lớn"),
    ],
)
def test_money_refuses_negative_fractional_and_unreadable_amounts(raw, message):
    assert errors_of(capital=raw)["capital"] == [message]


def test_numbers_respect_range_and_decimals():
    assert errors_of(copies="11")["copies"] == ["Số bản không được lớn hơn 10"]
    assert errors_of(copies="0")["copies"] == ["Số bản không được nhỏ hơn 1"]
    assert errors_of(copies="1,5")["copies"] == ["Số bản phải là số nguyên"]
    assert errors_of(area="12,25")["area"] == ["Diện tích chỉ được có tối đa 1 chữ số sau dấu phẩy"]
    assert errors_of(area="abc")["area"] == ["Diện tích phải là một số, ví dụ 12 hoặc 85,5"]


def test_text_length_pattern_and_control_characters():
    assert errors_of(full_name="A" * 51)["full_name"] == [
        "Họ và tên không được dài quá 50 ký tự (hiện có 51)"
    ]
    assert errors_of(code="12345")["code"] == ["Mã bảo hiểm xã hội gồm đúng 10 chữ số"]
    cleaned = check(valid(full_name="  Nguyễn\x00  Văn\tAn ", note="dòng 1\r\ndòng 2")).cleaned
    assert cleaned["full_name"] == "Nguyễn Văn An" and cleaned["note"] == "dòng 1\ndòng 2"


def test_text_is_stored_in_nfc():
    decomposed = "Nguye\u0302\u0303n Văn An"
    assert check(valid(full_name=decomposed)).cleaned["full_name"] == "Nguyễn Văn An"


def test_choices_outside_the_list_are_refused():
    assert errors_of(gender="other")["gender"] == ["Chọn giới tính trong danh sách"]


def test_a_conditional_field_is_required_only_when_its_condition_holds():
    assert "purpose_other" not in errors_of(purpose="work")
    assert errors_of(purpose="other")["purpose_other"] == ["Nhập mục đích khác"]
    errors = check(valid(purpose="other"), attachments_present=frozenset({"2"})).errors
    assert errors["power_of_attorney"] == ["Đính kèm văn bản ủy quyền"]


def test_hidden_fields_are_dropped_from_the_cleaned_answers():
    result = check(valid(purpose_other="ghi thêm", has_children="no", children=[{"full_name": "Bé"}]))
    assert result.errors == {}
    assert "purpose_other" not in result.cleaned and "children" not in result.cleaned


def test_a_repeatable_group_checks_its_items_and_their_own_conditions():
    children = [
        {"full_name": "Nguyễn Văn Bình", "date_of_birth": "2015-01-02", "relationship": "child"},
        {"full_name": "", "relationship": "other"},
    ]
    result = check(valid(has_children="yes", children=children))
    assert result.errors == {
        "children.1.full_name": ["Nhập họ và tên con"],
        "children.1.relationship_other": ["Nhập quan hệ khác"],
    }
    fixed = check(
        valid(
            has_children="yes",
            children=[children[0], {**children[1], "full_name": "Bé", "relationship_other": "Con riêng"}],
        )
    )
    assert fixed.errors == {}
    assert fixed.cleaned["children"][0] == {
        "full_name": "Nguyễn Văn Bình",
        "date_of_birth": "2015-01-02",
        "relationship": "child",
    }
    assert fixed.cleaned["children"][1]["relationship_other"] == "Con riêng"


def test_a_repeatable_group_enforces_its_minimum_and_maximum_items():
    item = {"full_name": "Bé", "relationship": "child"}
    assert errors_of(has_children="yes", children=[])["children"] == ["Cần khai ít nhất 1 người con"]
    assert errors_of(has_children="yes", children=[item] * 4)["children"] == [
        "Chỉ khai được tối đa 3 người con"
    ]
    assert "children" not in errors_of(has_children="yes", children=[item] * 3)


def test_a_non_repeatable_group_nests_its_answers():
    result = check(valid(spouse={"full_name": "Trần Thị Bình", "id_number": "12"}))
    assert result.errors == {"spouse.id_number": ["Số định danh của vợ hoặc chồng gồm đúng 12 chữ số"]}
    ok = check(valid(spouse={"full_name": "Trần Thị Bình"}))
    assert ok.cleaned["spouse"] == {"full_name": "Trần Thị Bình"}


def test_an_address_needs_a_province_then_one_of_its_communes_and_a_detail():
    def address_errors(value):
        return {k: v for k, v in errors_of(address=value).items() if k.startswith("address")}

    assert address_errors({"province": "99", "commune": "", "detail": "x"}) == {
        "address.province": ["Nơi cư trú: chọn tỉnh, thành phố trong danh sách"]
    }
    assert address_errors({"province": "01", "commune": "", "detail": "Số 1"}) == {
        "address.commune": ["Nơi cư trú: chọn xã, phường"]
    }
    assert address_errors({"province": "01", "commune": "26743", "detail": "Số 1"}) == {
        "address.commune": ["Nơi cư trú: xã, phường đã chọn không thuộc Thành phố Hà Nội"]
    }
    assert address_errors({"province": "01", "commune": "00070", "detail": ""}) == {
        "address.detail": ["Nơi cư trú: nhập số nhà, tên đường hoặc thôn, tổ dân phố"]
    }


def test_an_address_in_a_province_without_known_communes_needs_only_the_detail():
    result = check(valid(address={"province": "46", "commune": "xyz", "detail": "Phường Thuận Hóa"}))
    assert result.errors == {}
    assert result.cleaned["address"] == {"province": "46", "commune": "", "detail": "Phường Thuận Hóa"}


def test_addresses_come_from_the_address_book_given():
    class OneProvince:
        def provinces(self):
            return [("P1", "Tỉnh Một")]

        def communes(self, code):
            return [("C1", "Xã Một")] if code == "P1" else []

        def name_of(self, code):
            return {"P1": "Tỉnh Một", "C1": "Xã Một"}.get(code, "")

    data = valid(address={"province": "P1", "commune": "C1", "detail": "Thôn 1"})
    assert check(data, addresses=OneProvince()).errors == {}
    assert "address.province" in check(valid(), addresses=OneProvince()).errors


def test_validating_one_step_checks_and_returns_only_that_step():
    data = {"purpose": "other", "capital": "5.000.000", "copies": 1, "has_children": "no"}
    result = validate(SPEC, data, step="details")
    assert set(result.errors) == {"purpose_other"}
    assert set(result.cleaned) <= {f.key for f in SPEC.step("details").fields}
    assert validate(SPEC, {}, step="documents", attachments_present={"2"}).errors == {}
    with pytest.raises(KeyError):
        validate(SPEC, data, step="nope")


def test_a_step_condition_may_read_an_answer_of_another_step():
    assert (
        "power_of_attorney"
        in validate(SPEC, {"purpose": "other"}, step="documents", attachments_present={"2"}).errors
    )
    assert validate(SPEC, {"purpose": "work"}, step="documents", attachments_present={"2"}).errors == {}


def test_attachment_slots_may_be_given_as_numbers():
    assert "birth_notice" not in validate(SPEC, {}, step="documents", attachments_present={2}).errors


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        "x",
        {
            "full_name": {"a": 1},
            "gender": ["male"],
            "address": "Hà Nội",
            "children": "many",
            "spouse": [1],
            "has_children": "maybe",
            "copies": float("nan"),
            "capital": {"x": 1},
            "email": 5,
            "area": float("inf"),
        },
        {"has_children": True, "children": [None, 5, "x", {"full_name": ["a"]}]},
        {"has_children": True, "children": [{}] * 100_000},
        {"address": {"province": ["01"], "commune": {"x": 1}, "detail": 12}},
        {"full_name": "x" * 1_000_000, "unknown": object()},
    ],
)
def test_garbage_answers_give_errors_never_exceptions(garbage):
    result = check(garbage)
    assert isinstance(result.errors, dict) and result.errors
    assert all(isinstance(m, str) for messages in result.errors.values() for m in messages)


def test_huge_lists_are_refused_without_checking_every_item():
    errors = check(valid(has_children=True, children=[{}] * 100_000)).errors
    assert errors == {"children": ["Chỉ khai được tối đa 3 người con"]}


def test_unknown_keys_are_ignored():
    result = check(valid(something_else="x", __proto__="y"))
    assert result.errors == {} and "something_else" not in result.cleaned
