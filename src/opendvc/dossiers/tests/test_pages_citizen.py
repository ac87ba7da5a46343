"""The applicant's pages through HTTP: starting a dossier, the step-by-step e-form (validation, back, save,
autosave, locked registry values, repeatable groups), attachments, agency and delivery, review and submit,
"Hồ sơ nháp", and "Hồ sơ của tôi" with supplements, withdrawal and rating."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.catalog.models import Agency
from opendvc.core.personal_data import lookup_digest
from opendvc.dossiers.models import Dossier, DossierEvent, DossierRating, Draft, Status, StoredFile
from opendvc.dossiers.services import actions
from opendvc.dossiers.services.files import store_bytes
from opendvc.dossiers.tests.factories import (
    BIRTH,
    HOAN_KIEM,
    make_dossier,
    make_pdf_bytes,
    make_procedure_with_form,
)
from opendvc.notifications.selectors import messages_to

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
OTHER_ID = "079190000123"


@pytest.fixture
def citizen():
    return make_citizen(email="an.nguyen@example.vn")


@pytest.fixture
def client_in(citizen):
    client = Client()
    client.force_login(citizen)
    return client


@pytest.fixture
def procedure():
    return make_procedure_with_form()


def start(client, procedure) -> Draft:
    response = client.post(reverse("dossiers:start", args=[procedure.code]))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Draft.objects.latest("id")


def step_url(draft, step):
    return reverse("dossiers:draft_step", args=[draft.pk, step])


def pdf_upload(name="giay-chung-sinh.pdf", content=None):
    return SimpleUploadedFile(name, content or make_pdf_bytes(), content_type="application/pdf")


def text(response) -> str:
    return response.content.decode()


def fill_form(client, draft, *, child_name="Nguyễn Minh Khang"):
    """Answer both steps and attach the birth certificate (through the step's own file input)."""
    client.post(step_url(draft, "applicant"), {"f-phone": "0912345678", "action": "next"})
    client.post(
        step_url(draft, "child"),
        {"f-child_name": child_name, "f-birth_certificate": pdf_upload(), "action": "next"},
    )


def choose_agency(client, draft, delivery="electronic"):
    return client.post(
        reverse("dossiers:draft_delivery", args=[draft.pk]),
        {"agency": HOAN_KIEM, "delivery": delivery, "delivery_address": "", "action": "next"},
    )


# --- Start ----------------------------------------------------------------------------------------------


def test_the_start_page_lists_what_to_prepare_and_a_start_button(client_in, procedure):
    response = client_in.get(reverse("dossiers:start", args=[procedure.code]))
    assert response.status_code == 200
    body = text(response)
    assert "Giấy chứng sinh do cơ sở y tế cấp" in body
    assert re.search(r"<button[^>]*>Bắt đầu</button>", body)


def test_starting_creates_a_draft_prefilled_from_the_registry_and_opens_the_first_step(
    client_in, citizen, procedure
):
    response = client_in.post(reverse("dossiers:start", args=[procedure.code]))
    draft = Draft.objects.get(applicant=citizen)
    assert response["Location"] == step_url(draft, "applicant")
    assert draft.data["full_name"] == "Nguyễn Văn An"
    assert "full_name" in draft.locked


def test_the_start_page_offers_to_continue_an_existing_draft(client_in, procedure):
    draft = start(client_in, procedure)
    body = text(client_in.get(reverse("dossiers:start", args=[procedure.code])))
    assert "Bạn đang có hồ sơ nháp cho thủ tục này." in body
    assert reverse("dossiers:draft", args=[draft.pk]) in body


def test_an_official_is_told_that_filing_is_for_citizens_and_businesses(procedure):
    official, _secret = make_official(totp=False)
    client = Client()
    client.force_login(official)
    response = client.get(reverse("dossiers:start", args=[procedure.code]))
    assert response.status_code == 403
    assert "tài khoản cán bộ, công chức" in text(response)
    assert client.post(reverse("dossiers:start", args=[procedure.code])).status_code == 403
    assert not Draft.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in_first(client, procedure):
    response = client.get(reverse("dossiers:start", args=[procedure.code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_procedure_without_an_e_form_says_so_and_cannot_be_started(client_in):
    from opendvc.catalog.models import Procedure

    other = Procedure.objects.exclude(code=BIRTH).filter(status="active").exclude(online_level="none").first()
    other.form_definitions.all().delete()
    page = client_in.get(reverse("dossiers:start", args=[other.code]))
    assert page.status_code == 200
    assert "Thủ tục này chưa có biểu mẫu điện tử." in text(page)
    assert "Bắt đầu" not in text(page)
    assert reverse("catalog:submit", args=[other.code]) in text(page)
    assert client_in.post(reverse("dossiers:start", args=[other.code])).status_code == 400
    assert not Draft.objects.exists()


def test_a_procedure_not_offered_online_says_where_to_file_instead(client_in):
    from opendvc.catalog.models import Procedure

    offline = Procedure.objects.exclude(code=BIRTH).first()
    Procedure.objects.filter(pk=offline.pk).update(online_level="none")
    page = text(client_in.get(reverse("dossiers:start", args=[offline.code])))
    assert "Thủ tục này chưa nhận hồ sơ trực tuyến." in page
    assert "Bắt đầu" not in page


def test_a_business_account_may_file_too(procedure):
    from opendvc.accounts.models import Account, AccountKind

    business = make_citizen(id_number=OTHER_ID, phone="0911222333", full_name="Công ty TNHH Sao Mai")
    Account.objects.filter(pk=business.pk).update(kind=AccountKind.BUSINESS)
    client = Client()
    client.force_login(business)
    assert client.post(reverse("dossiers:start", args=[procedure.code])).status_code == 302
    assert Draft.objects.filter(applicant=business).exists()


# --- The steps ------------------------------------------------------------------------------------------


def test_a_step_shows_its_place_in_the_progress_with_the_current_step_marked(client_in, procedure):
    draft = start(client_in, procedure)
    body = text(client_in.get(step_url(draft, "child")))
    assert "Bước 2/5: Người được khai sinh" in body
    current = re.findall(r'<li[^>]*aria-current="step"[^>]*>(.*?)</li>', body, re.S)
    assert len(current) == 1 and "Người được khai sinh" in current[0]


def test_the_progress_marks_finished_steps_done_and_links_only_those_reachable(client_in, procedure):
    draft = start(client_in, procedure)
    client_in.post(step_url(draft, "applicant"), {"f-phone": "0912345678", "action": "next"})
    body = text(client_in.get(step_url(draft, "child")))
    items = re.findall(r"<li[^>]*>(.*?)</li>", body[body.index('class="progress-steps"') :], re.S)[:5]
    assert f'href="{step_url(draft, "applicant")}"' in items[0] and "(đã xong)" in items[0]
    assert "<a " not in items[1] and "(đã xong)" not in items[1]
    assert all("<a " not in item for item in items[2:])


def test_a_prefilled_value_shows_where_it_came_from_and_cannot_be_edited(client_in, procedure):
    draft = start(client_in, procedure)
    body = text(client_in.get(step_url(draft, "applicant")))
    assert "Từ Cơ sở dữ liệu quốc gia về dân cư" in body
    assert re.search(r'<input[^>]*name="f-full_name"[^>]*readonly', body)


def test_continuing_with_invalid_answers_stays_on_the_step_keeps_them_and_links_each_error(
    client_in, procedure
):
    draft = start(client_in, procedure)
    response = client_in.post(step_url(draft, "applicant"), {"f-phone": "12ab", "action": "next"})
    assert response.status_code == 400
    body = text(response)
    summary = body[body.index('class="error-summary"') :]
    assert re.search(r'<a href="#f-phone">[^<]+</a>', summary)
    assert 'id="f-phone"' in body and 'value="12ab"' in body
    draft.refresh_from_db()
    assert draft.data["phone"] == "12ab"


def test_continuing_with_valid_answers_goes_to_the_next_step(client_in, procedure):
    draft = start(client_in, procedure)
    response = client_in.post(step_url(draft, "applicant"), {"f-phone": "0987654321", "action": "next"})
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "child")


def test_going_back_keeps_what_was_typed_without_checking_it(client_in, procedure):
    draft = start(client_in, procedure)
    response = client_in.post(step_url(draft, "child"), {"f-child_name": "", "action": "back"})
    assert response["Location"] == step_url(draft, "applicant")
    client_in.post(step_url(draft, "child"), {"f-child_name": "K", "action": "back"})
    draft.refresh_from_db()
    assert draft.data["child_name"] == "K"
    assert 'value="K"' in text(client_in.get(step_url(draft, "child")))


def test_saving_a_draft_leads_to_my_drafts(client_in, procedure):
    draft = start(client_in, procedure)
    response = client_in.post(step_url(draft, "child"), {"f-child_name": "Khang", "action": "save"})
    assert response["Location"] == reverse("dossiers:drafts")
    draft.refresh_from_db()
    assert draft.data["child_name"] == "Khang"
    assert "Đã lưu hồ sơ nháp" in text(client_in.get(reverse("dossiers:drafts")))


def test_autosave_keeps_answers_without_validating_and_says_when(client_in, procedure):
    draft = start(client_in, procedure)
    page = text(client_in.get(step_url(draft, "applicant")))
    autosave_url = reverse("dossiers:draft_autosave", args=[draft.pk, "applicant"])
    assert f'hx-post="{autosave_url}"' in page and 'hx-trigger="change delay:1s"' in page
    response = client_in.post(autosave_url, {"f-phone": "not a phone"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert re.fullmatch(r"Đã lưu lúc \d\d:\d\d", text(response).strip())
    draft.refresh_from_db()
    assert draft.data["phone"] == "not a phone"


def test_autosave_after_the_session_ended_says_so_instead_of_showing_the_sign_in_page(client, procedure):
    response = client.post(
        reverse("dossiers:draft_autosave", args=[1, "applicant"]), {"f-phone": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert text(response).startswith("Chưa lưu được: phiên đăng nhập đã hết.")


def test_a_forged_post_cannot_change_a_locked_registry_value(client_in, procedure):
    draft = start(client_in, procedure)
    client_in.post(
        step_url(draft, "applicant"),
        {"f-full_name": "Kẻ Mạo Danh", "f-phone": "0912345678", "action": "next"},
    )
    client_in.post(
        reverse("dossiers:draft_autosave", args=[draft.pk, "applicant"]), {"f-full_name": "Kẻ Mạo Danh"}
    )
    draft.refresh_from_db()
    assert draft.data["full_name"] == "Nguyễn Văn An"


def test_another_citizens_draft_is_not_found(client_in, procedure):
    draft = start(client_in, procedure)
    other = Client()
    other.force_login(make_citizen(id_number=OTHER_ID, phone="0911222333"))
    assert other.get(step_url(draft, "applicant")).status_code == 404
    assert other.post(step_url(draft, "applicant"), {"f-phone": "0911222333"}).status_code == 404
    assert other.post(reverse("dossiers:draft_autosave", args=[draft.pk, "applicant"])).status_code == 404


def test_an_unknown_step_is_not_found(client_in, procedure):
    draft = start(client_in, procedure)
    assert client_in.get(step_url(draft, "nothing_here")).status_code == 404


MEMBERS_FORM = {
    "version": 1,
    "title_vi": "Tờ khai có nhiều người",
    "steps": [
        {
            "key": "people",
            "title_vi": "Thành viên",
            "fields": [
                {
                    "key": "members",
                    "type": "group",
                    "label_vi": "Thành viên hộ gia đình",
                    "repeatable": True,
                    "item_label_vi": "Thành viên",
                    "max_items": 3,
                    "fields": [{"key": "name", "type": "text", "label_vi": "Họ và tên", "required": True}],
                },
                {"key": "home", "type": "address", "label_vi": "Nơi cư trú", "required": True},
            ],
        }
    ],
}


def test_repeatable_items_are_added_and_removed_by_buttons_keeping_the_other_answers(client_in):
    procedure = make_procedure_with_form(schema=MEMBERS_FORM)
    draft = start(client_in, procedure)
    url = step_url(draft, "people")
    response = client_in.post(url, {"action": "add:members", "f-home-detail": "Số 1"})
    assert response.status_code == 200
    body = text(response)
    assert 'name="f-members-0-name"' in body and 'value="Số 1"' in body
    draft.refresh_from_db()
    assert draft.data["home"]["detail"] == "Số 1"
    client_in.post(url, {"f-members-0-_item": "1", "f-members-0-name": "An", "action": "add:members"})
    draft.refresh_from_db()
    assert draft.data["members"] == [{"name": "An"}, {}]
    client_in.post(
        url,
        {
            "f-members-0-_item": "1",
            "f-members-0-name": "An",
            "f-members-1-_item": "1",
            "f-members-1-name": "Bình",
            "action": "remove:members.0",
        },
    )
    draft.refresh_from_db()
    assert draft.data["members"] == [{"name": "Bình"}]


def test_the_commune_list_follows_the_province(client):
    from opendvc.dossiers.eforms.addresses import default_address_book

    book = default_address_book()
    province = next(code for code, _name in book.provinces() if book.communes(code))
    commune_code, commune_name = book.communes(province)[0]
    response = client.get(
        reverse("dossiers:communes"), {"field": "f-home", "f-home-province": province}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'value="{commune_code}"' in text(response) and commune_name in text(response)
    assert 'name="f-home-commune"' in text(response)


# --- Attachments ----------------------------------------------------------------------------------------


def files_url(draft):
    return reverse("dossiers:draft_files", args=[draft.pk])


def test_a_file_uploaded_with_its_step_goes_to_its_document_slot(client_in, citizen, procedure):
    draft = start(client_in, procedure)
    response = client_in.post(
        step_url(draft, "child"),
        {"f-child_name": "Khang", "f-birth_certificate": pdf_upload(), "action": "next"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    stored = StoredFile.objects.get(pk=draft.attachments["2"][0])
    assert stored.owner == citizen and stored.content_type == "application/pdf"


def test_the_step_with_a_required_file_is_not_done_without_it(client_in, procedure):
    draft = start(client_in, procedure)
    response = client_in.post(step_url(draft, "child"), {"f-child_name": "Khang", "action": "next"})
    assert response.status_code == 400
    assert '<a href="#f-birth_certificate">' in text(response)


def test_the_attachments_page_has_a_slot_per_required_document_marked_required_by_the_form(
    client_in, procedure
):
    draft = start(client_in, procedure)
    body = text(client_in.get(files_url(draft)))
    for document in procedure.documents.all():
        assert f'id="slot-{document.position}"' in body
        assert f'<label class="label" for="tep-{document.position}">' in body
    slot_2 = body[body.index('id="slot-2"') : body.index('id="slot-3"')]
    assert "Bắt buộc" in slot_2
    slot_3 = body[body.index('id="slot-3"') :]
    assert "Bắt buộc" not in slot_3.split("</li>")[0]


def test_an_executable_renamed_to_pdf_is_refused_by_its_content_next_to_its_slot(client_in, procedure):
    draft = start(client_in, procedure)
    response = client_in.post(
        files_url(draft), {"tep-2": pdf_upload("giay-chung-sinh.pdf", EXE), "action": "attach:2"}
    )
    assert response.status_code == 400
    body = text(response)
    slot = body[body.index('id="slot-2"') :].split("</li>")[0]
    assert "không phải định dạng được chấp nhận" in slot
    assert '<a href="#slot-2">' in body
    draft.refresh_from_db()
    assert not draft.attachments.get("2")
    assert not StoredFile.objects.exists()


@override_settings(DOSSIER_MAX_FILE_BYTES=2048)
def test_a_file_over_the_size_limit_is_refused(client_in, procedure):
    draft = start(client_in, procedure)
    big = make_pdf_bytes() + b"%" * 4096
    response = client_in.post(files_url(draft), {"tep-2": pdf_upload("lon.pdf", big), "action": "next"})
    assert response.status_code == 400
    assert "lớn hơn" in text(response)
    assert not StoredFile.objects.exists()


def test_a_file_from_the_document_store_is_reused_without_uploading_again(client_in, citizen, procedure):
    earlier = store_bytes(make_pdf_bytes("cu"), name="giay-chung-sinh-cu.pdf", owner=citizen)
    draft = start(client_in, procedure)
    body = text(client_in.get(files_url(draft)))
    assert f'<option value="{earlier.pk}">giay-chung-sinh-cu.pdf' in body
    response = client_in.post(files_url(draft), {"kho-2": str(earlier.pk), "action": "attach:2"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.attachments["2"] == [earlier.pk]
    assert StoredFile.objects.count() == 1


def test_another_persons_file_cannot_be_reused(client_in, procedure):
    other = make_citizen(id_number=OTHER_ID, phone="0911222333")
    theirs = store_bytes(make_pdf_bytes(), name="cua-nguoi-khac.pdf", owner=other)
    draft = start(client_in, procedure)
    response = client_in.post(files_url(draft), {"kho-2": str(theirs.pk), "action": "attach:2"})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert not draft.attachments.get("2")


def test_the_same_file_attached_to_two_slots_is_listed_in_both(client_in, procedure):
    draft = start(client_in, procedure)
    same = make_pdf_bytes("giong nhau")
    client_in.post(files_url(draft), {"tep-2": pdf_upload("a.pdf", same), "tep-3": pdf_upload("b.pdf", same)})
    body = text(client_in.get(files_url(draft)))
    assert "a.pdf" in body.split('id="slot-2"')[1].split("</li>")[0]
    assert "b.pdf" in body.split('id="slot-3"')[1].split("</li>")[0]


def test_an_attachment_can_be_removed(client_in, procedure):
    draft = start(client_in, procedure)
    client_in.post(files_url(draft), {"tep-3": pdf_upload("uy-quyen.pdf"), "action": "attach:3"})
    draft.refresh_from_db()
    file_id = draft.attachments["3"][0]
    body = text(client_in.get(files_url(draft)))
    assert "uy-quyen.pdf" in body and "PDF" in body
    client_in.post(files_url(draft), {"action": f"remove:3:{file_id}"})
    draft.refresh_from_db()
    assert draft.attachments["3"] == []


def test_continuing_from_attachments_needs_every_required_document(client_in, procedure):
    draft = start(client_in, procedure)
    response = client_in.post(files_url(draft), {"action": "next"})
    assert response.status_code == 400
    assert "Đính kèm “Giấy chứng sinh do cơ sở y tế cấp”." in text(response)
    response = client_in.post(files_url(draft), {"tep-2": pdf_upload(), "action": "next"})
    assert response["Location"] == reverse("dossiers:draft_delivery", args=[draft.pk])


# --- Agency and delivery --------------------------------------------------------------------------------


def test_choosing_province_and_commune_lists_the_agencies_there(client_in, procedure):
    draft = start(client_in, procedure)
    agency = Agency.objects.get(code=HOAN_KIEM)
    url = reverse("dossiers:draft_delivery", args=[draft.pk])
    first = text(client_in.get(url))
    assert 'id="province"' in first and agency.name not in first
    params = {"province": agency.province.code, "commune": agency.commune.code}
    partial = client_in.get(url, params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="agency-choice")
    body = text(partial)
    assert body.lstrip().startswith('<div id="agency-choice"')
    assert f'value="{HOAN_KIEM}"' in body and agency.name in body


def test_delivery_by_post_needs_an_address_and_errors_link_to_the_fields(client_in, procedure):
    draft = start(client_in, procedure)
    url = reverse("dossiers:draft_delivery", args=[draft.pk])
    response = client_in.post(url, {"delivery": "post", "delivery_address": "ngắn", "action": "next"})
    assert response.status_code == 400
    body = text(response)
    assert '<a href="#agency">' in body and '<a href="#delivery-address">' in body
    assert ">ngắn</textarea>" in body
    response = choose_agency(client_in, draft, delivery="desk")
    assert response["Location"] == reverse("dossiers:draft_review", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.agency.code == HOAN_KIEM and draft.delivery == "desk"


# --- Review and submit ----------------------------------------------------------------------------------


def review_url(draft):
    return reverse("dossiers:draft_review", args=[draft.pk])


def test_the_review_page_summarises_each_step_with_change_links_attachments_and_delivery(
    client_in, procedure
):
    draft = start(client_in, procedure)
    fill_form(client_in, draft)
    choose_agency(client_in, draft)
    body = text(client_in.get(review_url(draft)))
    assert "Nguyễn Minh Khang" in body and "giay-chung-sinh.pdf" in body
    assert f'href="{step_url(draft, "child")}"' in body
    assert Agency.objects.get(code=HOAN_KIEM).name in body
    assert "Tôi xin cam đoan những thông tin khai trên là đúng sự thật" in body


def test_submitting_creates_the_dossier_with_its_code_and_event_and_tells_the_applicant(
    client_in, citizen, procedure
):
    draft = start(client_in, procedure)
    fill_form(client_in, draft)
    choose_agency(client_in, draft)
    response = client_in.post(review_url(draft), {"declaration": "yes", "action": "submit"})
    dossier = Dossier.objects.get(applicant=citizen)
    assert response["Location"] == reverse("dossiers:submitted", args=[dossier.code])
    assert dossier.code.startswith(HOAN_KIEM + "-") and dossier.status == Status.SUBMITTED
    assert dossier.data["child_name"] == "Nguyễn Minh Khang"
    assert dossier.documents.count() == 1
    event = DossierEvent.objects.get(dossier=dossier, action="submit")
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert messages_to("0912345678", "sms").filter(body__contains=dossier.code).exists()
    assert messages_to("an.nguyen@example.vn", "email").exists()
    page = text(client_in.get(response["Location"]))
    assert dossier.code in page
    assert reverse("dossiers:letter", args=[dossier.code, event.pk]) in page
    assert f"{reverse('dossiers:track')}?ma={dossier.code}" in page


def test_an_incomplete_submission_keeps_everything_and_links_each_problem_to_its_step(client_in, procedure):
    draft = start(client_in, procedure)
    client_in.post(step_url(draft, "applicant"), {"f-phone": "0912345678", "action": "next"})
    client_in.post(step_url(draft, "child"), {"f-child_name": "", "action": "save"})
    response = client_in.post(review_url(draft), {"action": "submit"})
    assert response.status_code == 400
    body = text(response)
    assert f'href="{step_url(draft, "child")}#f-child_name"' in body
    assert f'href="{step_url(draft, "child")}#f-birth_certificate"' in body
    assert f'href="{reverse("dossiers:draft_delivery", args=[draft.pk])}#agency"' in body
    assert 'href="#declaration"' in body
    assert not Dossier.objects.exists()
    draft.refresh_from_db()
    assert draft.data["phone"] == "0912345678"


def test_resuming_a_draft_opens_the_step_where_work_stopped(client_in, procedure):
    draft = start(client_in, procedure)
    client_in.post(step_url(draft, "child"), {"f-child_name": "K", "action": "save"})
    response = client_in.get(reverse("dossiers:draft", args=[draft.pk]))
    assert response["Location"] == step_url(draft, "child")
    fill_form(client_in, draft)
    assert client_in.get(reverse("dossiers:draft", args=[draft.pk]))["Location"] == reverse(
        "dossiers:draft_delivery", args=[draft.pk]
    )


# --- My drafts ------------------------------------------------------------------------------------------


def test_my_drafts_lists_procedure_last_saved_and_expiry_and_deletes_on_post(client_in, procedure):
    draft = start(client_in, procedure)
    body = text(client_in.get(reverse("dossiers:drafts")))
    assert procedure.name in body and timezone.localtime(draft.expires_at).strftime("%d/%m/%Y") in body
    assert client_in.get(reverse("dossiers:draft_delete", args=[draft.pk])).status_code == 405
    response = client_in.post(reverse("dossiers:draft_delete", args=[draft.pk]))
    assert response["Location"] == reverse("dossiers:drafts")
    assert not Draft.objects.exists()


def test_another_citizen_cannot_delete_my_draft(client_in, procedure):
    draft = start(client_in, procedure)
    other = Client()
    other.force_login(make_citizen(id_number=OTHER_ID, phone="0911222333"))
    assert other.post(reverse("dossiers:draft_delete", args=[draft.pk])).status_code == 404
    assert procedure.name not in text(other.get(reverse("dossiers:drafts")))
    assert Draft.objects.filter(pk=draft.pk).exists()


# --- My dossiers ----------------------------------------------------------------------------------------


def test_my_dossiers_shows_only_mine_with_filters_and_search(client_in, citizen):
    open_one = make_dossier(status=Status.PROCESSING, applicant=citizen)
    needs_me = make_dossier(status=Status.SUPPLEMENT_REQUESTED, applicant=citizen)
    done = make_dossier(status=Status.RETURNED, applicant=citizen)
    theirs = make_dossier(status=Status.PROCESSING, applicant=make_citizen(id_number=OTHER_ID, phone=""))
    url = reverse("dossiers:mine")
    everything = text(client_in.get(url))
    assert all(d.code in everything for d in (open_one, needs_me, done))
    assert theirs.code not in everything
    action = text(client_in.get(url, {"trang_thai": "action"}))
    assert needs_me.code in action and open_one.code not in action and done.code not in action
    finished = text(client_in.get(url, {"trang_thai": "done"}))
    assert done.code in finished and open_one.code not in finished
    found = text(client_in.get(url, {"q": done.code[-4:]}))
    assert done.code in found


def test_a_desk_dossier_with_my_id_number_is_mine_too(client_in, citizen):
    walk_in = make_dossier(status=Status.RECEIVED, applicant=None, channel="counter")
    Dossier.objects.filter(pk=walk_in.pk).update(
        applicant_id_digest=lookup_digest(citizen.id_number, kind="id")
    )
    assert walk_in.code in text(client_in.get(reverse("dossiers:mine")))


def test_someone_elses_dossier_page_is_not_found(client_in):
    theirs = make_dossier(status=Status.PROCESSING, applicant=make_citizen(id_number=OTHER_ID, phone=""))
    assert client_in.get(reverse("dossiers:mine_detail", args=[theirs.code])).status_code == 404


def test_the_dossier_page_shows_status_due_date_timeline_documents_and_letters(client_in, citizen):
    dossier = make_dossier(status=Status.PROCESSING, applicant=citizen)
    stored = store_bytes(make_pdf_bytes(), name="to-khai.pdf", owner=citizen)
    dossier.documents.create(role="application", slot=1, title="to-khai.pdf", file=stored)
    event = dossier.events.get(action="submit")
    body = text(client_in.get(reverse("dossiers:mine_detail", args=[dossier.code])))
    assert "Đang xử lý" in body and "Trong hạn" in body
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in body
    assert reverse("dossiers:file", args=[stored.pk]) in body
    assert reverse("dossiers:letter", args=[dossier.code, event.pk]) in body
    assert "Nộp hồ sơ trực tuyến" in body


def test_a_late_dossier_says_so(client_in, citizen):
    dossier = make_dossier(status=Status.PROCESSING, applicant=citizen, due_in_days=-2)
    assert "Quá hạn" in text(client_in.get(reverse("dossiers:mine_detail", args=[dossier.code])))


# --- Supplement, withdraw, rate -------------------------------------------------------------------------


@pytest.fixture
def clerk():
    account, _secret = make_official(username="motcua.hk", roles=("desk_clerk",), totp=False)
    return account


def asked_for_more(clerk, citizen):
    dossier = make_dossier(status=Status.RECEIVED, applicant=citizen)
    return actions.request_supplement(
        dossier, actor=clerk, version=dossier.version, items=["Bản sao giấy chứng nhận kết hôn"]
    )


def test_a_supplement_request_shows_the_items_and_takes_files_per_item(client_in, citizen, clerk):
    dossier = asked_for_more(clerk, citizen)
    url = reverse("dossiers:mine_detail", args=[dossier.code])
    body = text(client_in.get(url))
    assert "Bản sao giấy chứng nhận kết hôn" in body
    assert '<label class="label" for="tep-0">' in body
    response = client_in.post(
        reverse("dossiers:mine_supplement", args=[dossier.code]),
        {"version": str(dossier.version), "tep-0": pdf_upload("ket-hon.pdf"), "note": "Đã bổ sung"},
    )
    assert response["Location"] == url
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.documents.filter(role="supplement", title="ket-hon.pdf").exists()
    assert "Đã gửi hồ sơ bổ sung" in text(client_in.get(url))


def test_a_supplement_can_reuse_a_file_from_the_document_store(client_in, citizen, clerk):
    dossier = asked_for_more(clerk, citizen)
    earlier = store_bytes(make_pdf_bytes(), name="ket-hon-cu.pdf", owner=citizen)
    client_in.post(
        reverse("dossiers:mine_supplement", args=[dossier.code]),
        {"version": str(dossier.version), "kho-0": str(earlier.pk)},
    )
    document = Dossier.objects.get(pk=dossier.pk).documents.get(role="supplement")
    assert document.file_id == earlier.pk


def test_an_invalid_supplement_file_is_shown_at_its_item_and_nothing_changes(client_in, citizen, clerk):
    dossier = asked_for_more(clerk, citizen)
    response = client_in.post(
        reverse("dossiers:mine_supplement", args=[dossier.code]),
        {"version": str(dossier.version), "tep-0": pdf_upload("x.pdf", EXE)},
    )
    assert response.status_code == 400
    assert "không phải định dạng được chấp nhận" in text(response)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


def test_a_stale_supplement_page_gets_a_conflict_message(client_in, citizen, clerk):
    dossier = asked_for_more(clerk, citizen)
    response = client_in.post(
        reverse("dossiers:mine_supplement", args=[dossier.code]),
        {"version": str(dossier.version - 1), "note": "Đã bổ sung"},
    )
    assert response.status_code == 409
    assert "vừa được người khác cập nhật" in text(response)


def test_withdrawing_needs_a_reason_and_confirmation(client_in, citizen):
    dossier = make_dossier(status=Status.RECEIVED, applicant=citizen)
    url = reverse("dossiers:mine_withdraw", args=[dossier.code])
    refused = client_in.post(url, {"version": str(dossier.version), "reason": "Không cần nữa"})
    assert refused.status_code == 400 and "Đánh dấu xác nhận để rút hồ sơ." in text(refused)
    response = client_in.post(
        url, {"version": str(dossier.version), "reason": "Không cần nữa", "confirm": "on"}
    )
    assert response["Location"] == reverse("dossiers:mine_detail", args=[dossier.code])
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN


def test_withdrawing_a_finished_dossier_is_refused_with_409(client_in, citizen):
    dossier = make_dossier(status=Status.PROCESSED, applicant=citizen)
    body = text(client_in.get(reverse("dossiers:mine_detail", args=[dossier.code])))
    assert "Rút hồ sơ" not in body
    response = client_in.post(
        reverse("dossiers:mine_withdraw", args=[dossier.code]),
        {"version": str(dossier.version), "reason": "Thử", "confirm": "on"},
    )
    assert response.status_code == 409


def test_rating_is_offered_once_the_result_is_returned_and_taken_once(client_in, citizen):
    dossier = make_dossier(status=Status.RETURNED, applicant=citizen)
    url = reverse("dossiers:mine_detail", args=[dossier.code])
    assert "Đánh giá mức độ hài lòng" in text(client_in.get(url))
    rate_url = reverse("dossiers:mine_rate", args=[dossier.code])
    assert client_in.post(rate_url, {}).status_code == 400
    response = client_in.post(rate_url, {"value": "satisfied", "comment": "Nhanh"})
    assert response["Location"] == url
    assert DossierRating.objects.get(dossier=dossier).value == "satisfied"
    page = text(client_in.get(url))
    assert 'action="' + rate_url not in page and "Bạn đã đánh giá: Hài lòng" in page
    assert client_in.post(rate_url, {"value": "unsatisfied"}).status_code == 409


def test_rating_is_not_offered_before_the_result(client_in, citizen):
    dossier = make_dossier(status=Status.PROCESSING, applicant=citizen)
    assert "Gửi đánh giá" not in text(client_in.get(reverse("dossiers:mine_detail", args=[dossier.code])))
    response = client_in.post(reverse("dossiers:mine_rate", args=[dossier.code]), {"value": "satisfied"})
    assert response.status_code == 409
