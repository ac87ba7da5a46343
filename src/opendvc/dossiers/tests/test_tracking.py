"""Public tracking by dossier code: status without personal data, a clear message for an unknown code, a
captcha after repeated unknown codes from one address, and a rate limit per address."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from opendvc.accounts.tests.factories import make_citizen
from opendvc.catalog.models import Agency
from opendvc.dossiers.models import Status
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_dossier

pytestmark = pytest.mark.django_db

URL = "/tra-cuu-ho-so/"


@pytest.fixture
def dossier():
    applicant = make_citizen(full_name="Trần Thị Bích Ngọc", id_number="001190022233", phone="0988776655")
    return make_dossier(status=Status.PROCESSING, applicant=applicant, applicant_phone="0988776655")


def look_up(client, code, **extra):
    return client.get(URL, {"ma": code, **extra})


def test_the_tracking_url_is_the_one_sms_messages_link_to():
    assert reverse("dossiers:track") == URL


def test_the_empty_page_asks_for_the_code_by_its_label(client):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<label class="label" for="id_ma">Mã hồ sơ</label>' in body
    assert "Mã xác thực" not in body


def test_a_known_code_shows_procedure_agency_status_dates_and_timing(client, dossier):
    response = look_up(client, dossier.code)
    assert response.status_code == 200
    body = response.content.decode()
    assert dossier.procedure.name in body and dossier.procedure.code in body
    assert Agency.objects.get(code=HOAN_KIEM).name in body
    assert "Đang xử lý" in body
    assert timezone.localtime(dossier.received_at).strftime("%d/%m/%Y") in body
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in body
    assert "Trong hạn" in body


def test_the_public_page_shows_no_personal_data(client, dossier):
    body = look_up(client, dossier.code).content.decode()
    for personal in ("Trần Thị Bích Ngọc", "001190022233", "0011******33", "0988776655", "098****655"):
        assert personal not in body


def test_a_late_dossier_is_shown_as_late(client):
    late = make_dossier(status=Status.PROCESSING, due_in_days=-1)
    assert "Quá hạn" in look_up(client, late.code).content.decode()


def test_the_code_is_found_whatever_its_case_and_spaces(client, dossier):
    response = look_up(client, f"  {dossier.code.lower()} ")
    assert response.status_code == 200
    assert "Đang xử lý" in response.content.decode()


def test_an_unknown_code_gets_a_clear_message(client):
    response = look_up(client, "000.00.20.H26-240101-9999")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không tìm thấy hồ sơ có mã 000.00.20.H26-240101-9999." in body
    assert "Kiểm tra lại mã trên giấy tiếp nhận" in body


def test_an_empty_code_is_an_error_on_the_field(client):
    response = look_up(client, "")
    assert response.status_code == 400
    assert '<a href="#id_ma">Nhập mã hồ sơ cần tra cứu.</a>' in response.content.decode()


def test_after_three_unknown_codes_a_captcha_is_required(client, dossier):
    for number in range(3):
        assert look_up(client, f"KHONG-CO-{number}").status_code == 404
    asked = look_up(client, dossier.code)
    body = asked.content.decode()
    assert "Mã xác thực" in body
    assert "Đang xử lý" not in body  # not looked up before the captcha is answered
    wrong = look_up(client, dossier.code, captcha_0="x", captcha_1="")
    assert wrong.status_code == 400 and "Vui lòng nhập mã xác thực." in wrong.content.decode()
    answered = look_up(client, dossier.code, captcha_0="x", captcha_1="PASSED")
    assert answered.status_code == 200 and "Đang xử lý" in answered.content.decode()


def test_the_captcha_is_asked_only_of_the_address_that_missed(client, dossier):
    for number in range(3):
        look_up(client, f"KHONG-CO-{number}")
    other = client.get(URL, {"ma": dossier.code}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200 and "Mã xác thực" not in other.content.decode()


def test_known_codes_do_not_count_towards_the_captcha(client, dossier):
    for _ in range(4):
        look_up(client, dossier.code)
    assert "Mã xác thực" not in look_up(client, dossier.code).content.decode()


@override_settings(TRACKING_LIMITS_PER_IP=["3/m"])
def test_lookups_are_rate_limited_per_address(client, dossier):
    for _ in range(3):
        assert look_up(client, dossier.code).status_code == 200
    refused = look_up(client, dossier.code)
    assert refused.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
