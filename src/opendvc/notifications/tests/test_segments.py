import unicodedata

import pytest

from opendvc.notifications.services import send_sms
from opendvc.notifications.sms import sms_encoding, sms_segments

pytestmark = pytest.mark.django_db

VIETNAMESE = "Mã xác thực đăng nhập Cổng Dịch vụ công của bạn là 123456."


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_plain_ascii_text_costs_160_characters_alone_and_153_per_segment_when_joined(length, segments):
    assert sms_encoding("a" * length) == "gsm7"
    assert sms_segments("a" * length) == segments


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_vietnamese_text_is_ucs2_with_70_characters_alone_and_67_per_segment(length, segments):
    text = ("ệ" * length)[:length]
    assert sms_encoding(text) == "ucs2"
    assert sms_segments(text) == segments


def test_a_short_vietnamese_otp_text_is_one_ucs2_segment():
    assert sms_encoding(VIETNAMESE) == "ucs2"
    assert sms_segments(VIETNAMESE) == 1


def test_gsm_extension_characters_cost_two_septets_and_stay_in_one_segment():
    assert sms_segments("€" * 80) == 1
    assert sms_segments("€" * 81) == 2
    # 152 plain septets then an escaped one: the pair does not fit in the first 153-septet segment.
    assert sms_segments("a" * 152 + "€" + "a" * 10) == 2
    assert sms_segments("a" * 152 + "€" + "a" * 152) == 3


def test_accented_letters_of_the_gsm_alphabet_stay_gsm7_but_vietnamese_ones_do_not():
    assert sms_encoding("Café à Hà Nội") == "ucs2"
    assert sms_encoding("Café è ù ì ò à") == "gsm7"


def test_decomposed_text_is_counted_as_its_nfc_form():
    decomposed = unicodedata.normalize("NFD", "ệ" * 70)
    assert len(decomposed) > 70
    assert sms_segments(decomposed) == 1


def test_a_character_outside_the_bmp_takes_two_ucs2_units_and_is_not_split():
    assert sms_segments("😀" * 35) == 1
    assert sms_segments("😀" * 36) == 2
    # 134 units would fit in two 67-unit segments only by cutting the 34th pair in half.
    assert sms_segments("😀" * 67) == 3


def test_an_empty_text_costs_nothing():
    assert sms_segments("") == 0


def test_a_sent_sms_stores_its_segment_count():
    message = send_sms("0912345678", "ệ" * 100, purpose="notice")
    assert message.segments == 2
