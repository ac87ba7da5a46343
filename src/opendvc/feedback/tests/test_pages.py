"""The feedback pages: sending with a captcha, the sender's page, answered feedback, votes, tracking,
and the back office."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from opendvc.accounts.tests.factories import make_citizen
from opendvc.dossiers.tests.factories import make_pdf_bytes
from opendvc.feedback.models import Feedback, Status
from opendvc.feedback.services import handling
from opendvc.feedback.tests.factories import HOAN_KIEM, JUSTICE_HANOI, official, send

pytestmark = pytest.mark.django_db
FORM = {
    "kind": "regulation",
    "agency": HOAN_KIEM,
    "title": "Yêu cầu bản sao công chứng không cần thiết",
    "content": "Phường yêu cầu nộp bản sao có chứng thực sổ hộ khẩu dù đã bỏ sổ hộ khẩu.",
    "sender_name": "Trần Thị Bình",
    "sender_phone": "0987654321",
    "captcha_0": "x",
    "captcha_1": "PASSED",
}


def text(response) -> str:
    return response.content.decode()


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def answered(**changes) -> Feedback:
    feedback = send(**changes)
    clerk = official("motcua.hk", ("desk_clerk",))
    handler = official("xuly.hk", ("handler",))
    approver = official("pheduyet.hk", ("approver",))
    handling.receive(feedback, actor=clerk, version=None)
    handling.draft_answer(
        feedback, actor=handler, version=None, answer="Phường đã bỏ yêu cầu này từ tháng 7/2025."
    )
    return handling.approve(feedback, actor=approver, version=None)


def test_anyone_sends_feedback_and_lands_on_their_private_page(client):
    pdf = SimpleUploadedFile("giay-hen.pdf", make_pdf_bytes("Giay hen"), content_type="application/pdf")
    response = client.post(reverse("feedback:send"), {**FORM, "files": [pdf]})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert response["Location"] == f"/phan-anh-kien-nghi/{feedback.code}/nguoi-gui/?k={feedback.sender_token}"
    page = client.get(response["Location"])
    assert feedback.code in text(page) and "Chờ tiếp nhận" in text(page) and "giay-hen.pdf" in text(page)
    assert page["Referrer-Policy"] == "no-referrer"
    assert feedback.attachments.count() == 1 and feedback.sender is None


def test_a_wrong_captcha_or_missing_fields_keep_what_was_typed_and_name_each_problem(client):
    response = client.post(reverse("feedback:send"), {**FORM, "captcha_1": "WRONG", "sender_phone": "12"})
    assert response.status_code == 400
    page = text(response)
    assert "Mã xác thực không đúng" in page and "Yêu cầu bản sao công chứng không cần thiết" in page
    response = client.post(reverse("feedback:send"), {**FORM, "sender_phone": "12", "procedure": "9.999999"})
    page = text(response)
    assert "Nhập số điện thoại di động Việt Nam" in page and "Không có thủ tục với mã này" in page
    assert not Feedback.objects.exists()


def test_a_file_that_is_not_what_it_claims_is_refused_by_its_content(client):
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    response = client.post(reverse("feedback:send"), {**FORM, "files": [fake]})
    assert response.status_code == 400
    assert "không phải định dạng được chấp nhận" in text(response)


def test_sending_is_rate_limited_per_address(client, settings):
    settings.FEEDBACK_SUBMIT_LIMITS_PER_IP = ["1/h"]
    assert client.post(reverse("feedback:send"), FORM).status_code == 302
    response = client.post(reverse("feedback:send"), FORM)
    assert response.status_code == 429 and "thử quá nhiều lần" in text(response)


def test_a_signed_in_citizen_finds_the_form_filled_in_and_their_feedback_listed(client):
    citizen = make_citizen()
    browser = signed_in(citizen)
    form = text(browser.get(reverse("feedback:send")))
    assert 'value="Nguyễn Văn An"' in form and 'value="0912345678"' in form
    browser.post(
        reverse("feedback:send"), {**FORM, "sender_name": "Nguyễn Văn An", "sender_phone": "0912345678"}
    )
    feedback = Feedback.objects.get()
    assert feedback.sender == citizen
    assert feedback.code in text(browser.get(reverse("feedback:mine")))
    assert browser.get(reverse("feedback:sender", args=[feedback.code])).status_code == 200  # no token needed


def test_the_private_page_is_a_404_without_the_token(client):
    feedback = send()
    url = reverse("feedback:sender", args=[feedback.code])
    assert client.get(url).status_code == 404
    assert client.get(url + "?k=not-the-token").status_code == 404


def test_the_sender_answers_a_request_for_information_through_the_private_link(client):
    feedback = send()
    handling.receive(feedback, actor=official("motcua.hk", ("desk_clerk",)), version=None)
    handling.request_info(
        feedback, actor=official("xuly.hk", ("handler",)), version=None, question="Gửi ảnh giấy hẹn"
    )
    url = reverse("feedback:sender", args=[feedback.code]) + f"?k={feedback.sender_token}"
    assert "Cơ quan đề nghị bạn bổ sung thông tin" in text(client.get(url))
    empty = client.post(
        reverse("feedback:sender_info", args=[feedback.code]), {"k": feedback.sender_token, "text": ""}
    )
    assert empty.status_code == 400 and "Nhập thông tin bổ sung" in text(empty)
    done = client.post(
        reverse("feedback:sender_info", args=[feedback.code]),
        {"k": feedback.sender_token, "text": "Đã gửi ảnh"},
        follow=True,
    )
    assert "Đã gửi thông tin bổ sung" in text(done)
    feedback.refresh_from_db()
    assert feedback.status == Status.PROCESSING


def test_answered_feedback_is_listed_searched_without_diacritics_and_shown_without_personal_data(client):
    feedback = answered()
    listing = text(client.get(reverse("feedback:list")))
    assert "Cán bộ hẹn trả kết quả nhiều lần" in listing
    found = text(client.get(reverse("feedback:list"), {"q": "hen tra ket qua nhieu lan"}))
    assert feedback.code in found or "Cán bộ hẹn trả kết quả nhiều lần" in found
    assert "1 phản ánh, kiến nghị phù hợp" in found
    assert "0 phản ánh, kiến nghị phù hợp" in text(
        client.get(reverse("feedback:list"), {"q": "giấy phép xây dựng"})
    )
    page = text(client.get(reverse("feedback:detail", args=[feedback.code])))
    assert "Phường đã bỏ yêu cầu này từ tháng 7/2025." in page
    assert "0912345678" not in page and "[số điện thoại]" in page and "Nguyễn Văn An" not in page


def test_unanswered_feedback_is_not_public(client):
    feedback = send()
    assert client.get(reverse("feedback:detail", args=[feedback.code])).status_code == 404
    assert feedback.code not in text(client.get(reverse("feedback:list")))


def test_a_reader_votes_once_per_device_and_may_change_their_mind(client):
    feedback = answered()
    url = reverse("feedback:vote", args=[feedback.code])
    first = client.post(url, {"value": "like"}, HTTP_HX_REQUEST="true")
    assert "Hài lòng (1)" in text(first) and "opendvc_device" in first.cookies
    client.post(url, {"value": "like"}, HTTP_HX_REQUEST="true")
    again = client.post(url, {"value": "dislike"}, HTTP_HX_REQUEST="true")
    assert "Hài lòng (0)" in text(again) and "Không hài lòng (1)" in text(again)
    other_device = Client()
    other_device.post(url, {"value": "like"})
    feedback.refresh_from_db()
    assert (feedback.likes, feedback.dislikes) == (1, 1)


def test_tracking_shows_the_status_and_the_published_answer_only(client):
    waiting = send()
    page = text(client.get(reverse("feedback:track"), {"ma": waiting.code.lower()}))
    assert "Chờ tiếp nhận" in page and "Ủy ban nhân dân phường Hoàn Kiếm" in page
    assert waiting.content not in page and "0912345678" not in page
    done = answered(title="Phí chứng thực thu sai")
    assert "Phường đã bỏ yêu cầu này" in text(client.get(reverse("feedback:track"), {"ma": done.code}))
    missing = client.get(reverse("feedback:track"), {"ma": "PA-000000-XXXXXX"})
    assert missing.status_code == 404


def test_after_three_unknown_codes_tracking_asks_for_a_captcha(client):
    for _ in range(3):
        client.get(reverse("feedback:track"), {"ma": "PA-000000-AAAAAA"})
    assert "Vui lòng nhập mã xác thực" in text(
        client.get(reverse("feedback:track"), {"ma": "PA-000000-AAAAAA"})
    )


def test_the_back_office_lists_the_agencys_feedback_with_deadlines_and_acts_on_it():
    feedback = send()
    clerk = signed_in(official("motcua.hk", ("desk_clerk",)))
    inbox = text(clerk.get(reverse("feedback:inbox")))
    assert feedback.code in inbox and "Chờ tiếp nhận" in inbox
    page = text(clerk.get(reverse("feedback:backoffice_detail", args=[feedback.code])))
    assert "091****678" in page and "Tiếp nhận" in page and "Chuyển cơ quan có thẩm quyền" in page
    url = reverse("feedback:act", args=[feedback.code, "chuyen"])
    bad = clerk.post(url, {"version": feedback.version, "forward-agency": JUSTICE_HANOI, "forward-note": ""})
    assert bad.status_code == 400 and "Nêu lý do chuyển" in text(bad)
    moved = clerk.post(
        url,
        {"version": feedback.version, "forward-agency": JUSTICE_HANOI, "forward-note": "Thẩm quyền của Sở"},
        follow=True,
    )
    assert f"Đã chuyển phản ánh {feedback.code}." in text(moved)
    assert clerk.get(reverse("feedback:backoffice_detail", args=[feedback.code])).status_code == 404
    justice = signed_in(official("motcua.stp", ("desk_clerk",), agency_code=JUSTICE_HANOI))
    assert feedback.code in text(justice.get(reverse("feedback:inbox") + "?xem=new"))


def test_a_stale_page_gets_a_conflict_and_the_fresh_state():
    feedback = send()
    clerk = signed_in(official("motcua.hk", ("desk_clerk",)))
    url = reverse("feedback:act", args=[feedback.code, "tiep-nhan"])
    clerk.post(url, {"version": feedback.version})
    again = clerk.post(url, {"version": feedback.version})
    assert again.status_code == 409 and "vừa được người khác cập nhật" in text(again)


def test_citizens_cannot_open_the_back_office(client):
    feedback = send()
    citizen = signed_in(make_citizen())
    assert citizen.get(reverse("feedback:inbox")).status_code == 403
    assert citizen.get(reverse("feedback:backoffice_detail", args=[feedback.code])).status_code == 403


def test_attachments_are_served_to_the_sender_and_the_agency_and_answers_to_everyone(client):
    pdf = SimpleUploadedFile("giay-hen.pdf", make_pdf_bytes("Giay hen"), content_type="application/pdf")
    client.post(reverse("feedback:send"), {**FORM, "files": [pdf]})
    feedback = Feedback.objects.get()
    item = feedback.attachments.get()
    url = reverse("feedback:attachment", args=[item.pk])
    assert Client().get(url).status_code == 404
    assert Client().get(url + f"?k={feedback.sender_token}").status_code == 200
    assert signed_in(official("motcua.hk", ("desk_clerk",))).get(url).status_code == 200
    assert (
        signed_in(official("motcua.stp", ("desk_clerk",), agency_code=JUSTICE_HANOI)).get(url).status_code
        == 404
    )
