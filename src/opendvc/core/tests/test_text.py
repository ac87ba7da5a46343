import unicodedata

import pytest

from opendvc.core.text import fold, nfc, search_key, search_tokens


def test_fold_removes_tone_marks_and_d_stroke_and_lowercases():
    assert fold("Đăng Ký Khai Sinh") == "dang ky khai sinh"


def test_fold_treats_nfc_and_nfd_input_alike():
    text = "Cấp thẻ căn cước"
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


def test_fold_turns_punctuation_and_runs_of_space_into_single_spaces():
    assert fold("  Đăng ký thay đổi, cải chính -- bổ sung!  ") == "dang ky thay doi cai chinh bo sung"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ký", "kí"),
        ("lý lịch", "lí lịch"),
        ("hòa", "hoà"),
        ("xóa", "xoá"),
        ("thủy", "thuỷ"),
        ("Mỹ", "Mĩ"),
        ("quý", "quí"),
        ("y tế", "i tế"),
    ],
)
def test_spelling_variants_share_one_search_key(one, other):
    assert search_key(one) == search_key(other)


def test_i_y_unification_leaves_other_vowel_groups_alone():
    assert search_tokens("thủy tuyến ấy") == ["thuy", "tuyen", "ay"]


def test_long_english_word_forms_share_a_stem():
    assert search_key("registration") == search_key("register") == search_key("registered")
    assert search_key("permits") == search_key("permit")


def test_vietnamese_syllables_are_never_cut():
    assert search_tokens("nghiêng nghiệp trường") == ["nghieng", "nghiep", "truong"]


def test_nfc_composes_decomposed_text():
    assert nfc(unicodedata.normalize("NFD", "Hộ tịch")) == "Hộ tịch"
