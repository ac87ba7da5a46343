"""The one-stop back office through its pages: the inbox of an official's agency, the dossier page and its
actions (POST with the page's version), registering a walk-in dossier, and the due-date reminders."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.catalog.models import Procedure
from opendvc.dossiers.models import (
    Channel,
    Delivery,
    Dossier,
    DossierDocument,
    DossierEvent,
    Draft,
    Status,
)
from opendvc.dossiers.services.reminders import remind_due_dossiers
from opendvc.dossiers.tasks import expire_drafts_task, remind_due_dossiers_task
from opendvc.dossiers.tests.factories import (
    HOAN_KIEM,
    make_dossier,
    make_pdf_bytes,
    make_procedure_with_form,
)
from opendvc.notifications.models import Message
from opendvc.notifications.selectors import messages_to

pytestmark = pytest.mark.django_db

OTHER_COMMUNE = "000.00.20.H29"  # another ward's People's Committee: same procedures, other dossiers
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# Wednesday 11 March 2026, 10:00 in Hà Nội: Mon 9 to Fri 13 are working days.
WEDNESDAY = datetime(2026, 3, 11, 10, 0, tzinfo=HANOI)


def official(username, roles, *, agency_code=HOAN_KIEM, full_name="Trần Văn Cán Bộ"):
    account, _secret = make_official(
        username=username, roles=roles, agency_code=agency_code, totp=False, full_name=full_name
    )
    return account


@pytest.fixture
def clerk():
    return official("motcua.hk", ("desk_clerk",), full_name="Phạm Thị Một Cửa")


@pytest.fixture
def handler():
    return official("xuly.hk", ("handler",), full_name="Lê Văn Xử Lý")


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def detail_url(dossier):
    return reverse("dossiers:backoffice_detail", args=[dossier.code])


def action_url(dossier, slug):
    return reverse("dossiers:backoffice_action", args=[dossier.code, slug])


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def fresh(dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def inbox_codes(response) -> set[str]:
    return set(re.findall(r'class="bo-code" href="[^"]+">([^<]+)<', response.content.decode()))


# --- Access and isolation -----------------------------------------------------------------------------------


def test_the_inbox_lists_and_counts_only_the_officials_own_agency_dossiers(clerk):
    mine = make_dossier(status=Status.SUBMITTED)
    theirs = make_dossier(status=Status.SUBMITTED, agency_code=OTHER_COMMUNE, applicant_name="Hoàng Thị Khác")
    make_dossier(status=Status.PROCESSING, agency_code=OTHER_COMMUNE, due_in_days=-1, handler=clerk)
    make_dossier(status=Status.RECEIVED, agency_code=OTHER_COMMUNE, due_in_days=1)

    response = signed_in(clerk).get(reverse("dossiers:inbox"))

    assert response.status_code == 200
    assert inbox_codes(response) == {mine.code}
    assert theirs.code not in response.content.decode()
    assert "Hoàng Thị Khác" not in response.content.decode()
    page = response.content.decode()
    for tab, count in [("Mới đăng ký", 1), ("Quá hạn", 0), ("Đến hạn trong 2 ngày", 0), ("Giao cho tôi", 0)]:
        assert re.search(rf'{tab}\s*<span class="bo-count">{count}</span>', page), tab
    assert re.search(r"Đang xử lý</a>: 0<", page)  # the counts by status
    assert "1 hồ sơ" in text(response)


def test_another_agencys_dossier_page_and_actions_are_not_found(clerk):
    theirs = make_dossier(status=Status.SUBMITTED, agency_code=OTHER_COMMUNE)
    client = signed_in(clerk)

    assert client.get(detail_url(theirs)).status_code == 404
    response = client.post(action_url(theirs, "tiep-nhan"), {"version": theirs.version})
    assert response.status_code == 404
    assert fresh(theirs).status == Status.SUBMITTED


def test_a_citizen_gets_the_403_page():
    citizen = make_citizen()
    response = signed_in(citizen).get(reverse("dossiers:inbox"))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in text(response)


def test_an_official_without_an_agency_gets_the_403_page(clerk):
    clerk.agency = None
    clerk.save(update_fields=["agency"])
    response = signed_in(clerk).get(reverse("dossiers:inbox"))
    assert response.status_code == 403
    assert "chưa được gán cơ quan" in text(response)


def test_an_anonymous_visitor_is_sent_to_the_officials_sign_in():
    response = Client().get(reverse("dossiers:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:official_login"))


# --- Inbox filters, order, deadline column, pagination ------------------------------------------------------


def test_the_status_filter_keeps_only_that_status_and_stays_selected(clerk):
    new = make_dossier(status=Status.SUBMITTED)
    make_dossier(status=Status.PROCESSING)

    response = signed_in(clerk).get(reverse("dossiers:inbox"), {"status": "1"})

    assert inbox_codes(response) == {new.code}
    assert re.search(r'<option value="1" selected>', response.content.decode())


def test_the_overdue_filter_keeps_open_dossiers_past_their_due_date(clerk):
    late = make_dossier(status=Status.PROCESSING, due_in_days=-1)
    make_dossier(status=Status.PROCESSING, due_in_days=5)
    make_dossier(status=Status.RETURNED, due_in_days=-1)

    response = signed_in(clerk).get(reverse("dossiers:inbox"), {"overdue": "on"})

    assert inbox_codes(response) == {late.code}


def test_the_due_within_filter_keeps_dossiers_due_in_that_many_days(clerk):
    soon = make_dossier(status=Status.RECEIVED, due_in_days=1)
    make_dossier(status=Status.RECEIVED, due_in_days=6)

    response = signed_in(clerk).get(reverse("dossiers:inbox"), {"due_within": "2"})

    assert inbox_codes(response) == {soon.code}
    assert 'name="due_within" value="2"' in response.content.decode()


def test_the_mine_filter_keeps_the_dossiers_assigned_to_the_official(handler):
    colleague = official("xuly2.hk", ("handler",), full_name="Đỗ Văn Đồng Nghiệp")
    assigned = make_dossier(status=Status.PROCESSING, handler=handler)
    make_dossier(status=Status.PROCESSING, handler=colleague)

    response = signed_in(handler).get(reverse("dossiers:inbox"), {"mine": "on"})

    assert inbox_codes(response) == {assigned.code}
    assert "Lê Văn Xử Lý" in text(response)


def test_the_search_finds_a_dossier_by_code_or_by_applicant_name(clerk):
    wanted = make_dossier(status=Status.SUBMITTED, applicant_name="Vũ Thị Tìm Thấy")
    make_dossier(status=Status.SUBMITTED, applicant_name="Nguyễn Văn Khác")
    client = signed_in(clerk)

    assert inbox_codes(client.get(reverse("dossiers:inbox"), {"q": wanted.code})) == {wanted.code}
    by_name = client.get(reverse("dossiers:inbox"), {"q": "Tìm Thấy"})
    assert inbox_codes(by_name) == {wanted.code}
    assert 'value="Tìm Thấy"' in by_name.content.decode()


def test_the_inbox_shows_remaining_working_days_and_overdue_days_in_words(clerk):
    with freeze_time(WEDNESDAY):
        overdue = make_dossier(status=Status.PROCESSING)
        Dossier.objects.filter(pk=overdue.pk).update(due_at=datetime(2026, 3, 9, 17, 0, tzinfo=HANOI))
        upcoming = make_dossier(status=Status.RECEIVED)
        Dossier.objects.filter(pk=upcoming.pk).update(due_at=datetime(2026, 3, 13, 17, 0, tzinfo=HANOI))

        response = signed_in(clerk).get(reverse("dossiers:inbox"))

    page = response.content.decode()
    assert '<span class="badge badge-overdue">Quá hạn 2 ngày</span>' in page
    assert '<span class="badge badge-ok">Còn 2 ngày làm việc</span>' not in page  # 2 days is "soon"
    assert '<span class="badge badge-soon">Còn 2 ngày làm việc</span>' in page
    assert page.index(overdue.code) < page.index(upcoming.code)  # the earliest due date first


def test_the_inbox_has_25_dossiers_a_page_and_the_next_page_keeps_the_filters(clerk):
    for _ in range(26):
        make_dossier(status=Status.SUBMITTED)
    client = signed_in(clerk)

    first = client.get(reverse("dossiers:inbox"), {"status": "1"})
    assert len(inbox_codes(first)) == 25
    assert 'href="?status=1&page=2"' in first.content.decode()
    second = client.get(reverse("dossiers:inbox"), {"status": "1", "page": "2"})
    assert len(inbox_codes(second)) == 1


def test_an_htmx_filter_request_gets_only_the_results(clerk):
    make_dossier(status=Status.SUBMITTED)
    response = signed_in(clerk).get(
        reverse("dossiers:inbox"), {"status": "1"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-results"
    )
    page = response.content.decode()
    assert page.startswith('<section id="inbox-results"')
    assert "<h1>" not in page


def test_the_inbox_reads_the_same_number_of_queries_for_2_or_12_dossiers(clerk, handler):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(clerk)
    url = reverse("dossiers:inbox")

    def queries(n):
        for _ in range(n):
            make_dossier(status=Status.PROCESSING, handler=handler)
        client.get(url)  # the session and the working-day calendar are warm
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(2) == queries(10)


# --- The dossier page ---------------------------------------------------------------------------------------


def test_the_dossier_page_masks_the_applicants_id_number_and_phone(clerk):
    citizen = make_citizen(id_number="001088012345")
    dossier = make_dossier(status=Status.SUBMITTED, applicant=citizen, applicant_phone="0912345678")

    page = signed_in(clerk).get(detail_url(dossier)).content.decode()

    assert "0010******45" in page
    assert "091****678" in page
    assert "001088012345" not in page
    assert "0912345678" not in page


def test_the_dossier_page_shows_internal_events_and_only_the_actions_allowed_now(handler):
    dossier = make_dossier(status=Status.PROCESSING, handler=handler)
    DossierEvent.objects.create(
        dossier=dossier, action="assign", to_status=Status.PROCESSING, public=False, details={"handler": "X"}
    )

    response = signed_in(handler).get(detail_url(dossier))

    page = text(response)
    assert "Phân công xử lý Nội bộ" in page
    assert f'action="{action_url(dossier, "hoan-thanh")}"' in response.content.decode()
    assert f'action="{action_url(dossier, "yeu-cau-bo-sung")}"' in response.content.decode()
    assert f'action="{action_url(dossier, "tiep-nhan")}"' not in response.content.decode()
    assert f'action="{action_url(dossier, "phan-cong")}"' not in response.content.decode()


def test_the_dossier_page_shows_the_form_answers_with_their_labels(clerk):
    procedure = make_procedure_with_form()
    dossier = make_dossier(
        status=Status.SUBMITTED,
        form_definition=procedure.form_definitions.order_by("-version").first(),
        data={"full_name": "Nguyễn Văn An", "phone": "0912345678", "child_name": "Nguyễn Bảo Ngọc"},
    )

    page = text(signed_in(clerk).get(detail_url(dossier)))

    assert "Họ, chữ đệm, tên của trẻ" in page
    assert "Nguyễn Bảo Ngọc" in page


def test_the_dossier_page_links_each_document_to_the_permission_checked_download(clerk):
    from opendvc.dossiers.services.files import store_bytes

    dossier = make_dossier(status=Status.RECEIVED)
    stored = store_bytes(PNG, name="giay-chung-sinh.png")
    DossierDocument.objects.create(
        dossier=dossier, role=DossierDocument.Role.APPLICATION, slot=2, title=stored.name, file=stored
    )

    page = signed_in(clerk).get(detail_url(dossier)).content.decode()

    assert f'href="{reverse("dossiers:file", args=[stored.pk])}"' in page


# --- Actions through the page -------------------------------------------------------------------------------


def post_action(client, dossier, slug, data=None, **extra):
    prefix = {
        "tiep-nhan": "receive",
        "tu-choi": "refuse",
        "phan-cong": "assign",
        "yeu-cau-bo-sung": "request_supplement",
        "nghia-vu-tai-chinh": "request_payment",
        "xac-nhan-nghia-vu-tai-chinh": "confirm_payment",
        "dung-xu-ly": "stop",
        "hoan-thanh": "process",
        "tra-ket-qua": "return",
        "xin-loi-hen-lai": "apologise",
    }[slug]
    payload = {f"{prefix}-{key}": value for key, value in (data or {}).items()}
    payload["version"] = extra.pop("version", dossier.version)
    return client.post(action_url(dossier, slug), payload, **extra)


def test_receiving_a_new_dossier_moves_it_to_received_and_writes_the_timeline(clerk):
    dossier = make_dossier(status=Status.SUBMITTED, due_in_days=None)
    client = signed_in(clerk)

    response = post_action(client, dossier, "tiep-nhan", {"comment": "Đủ giấy tờ"})

    assert response.status_code == 302
    assert response["Location"] == detail_url(dossier)
    after = fresh(dossier)
    assert after.status == Status.RECEIVED
    assert after.received_at is not None and after.due_at is not None
    event = after.events.get(action="receive")
    assert (event.actor, event.comment) == (clerk, "Đủ giấy tờ")
    followed = client.get(response["Location"])
    assert f"Đã tiếp nhận hồ sơ {dossier.code}." in text(followed)


def test_refusing_needs_a_reason_and_records_it(clerk):
    dossier = make_dossier(status=Status.SUBMITTED)
    response = post_action(signed_in(clerk), dossier, "tu-choi", {"reason": "Sai thẩm quyền"})
    assert response.status_code == 302
    after = fresh(dossier)
    assert after.status == Status.NOT_RECEIVED
    assert after.events.get(action="refuse").comment == "Sai thẩm quyền"


def test_assigning_hands_the_dossier_to_the_chosen_handler(clerk, handler):
    dossier = make_dossier(status=Status.RECEIVED)
    response = post_action(signed_in(clerk), dossier, "phan-cong", {"handler": handler.pk})
    assert response.status_code == 302
    after = fresh(dossier)
    assert (after.status, after.handler) == (Status.PROCESSING, handler)
    event = after.events.get(action="assign")
    assert event.public is False and event.details["handler"] == "Lê Văn Xử Lý"


def test_a_supplement_request_takes_one_item_per_line(clerk):
    dossier = make_dossier(status=Status.RECEIVED)
    items = "Bản sao giấy chứng sinh\r\n\r\n  Giấy xác nhận cư trú  \n"
    response = post_action(signed_in(clerk), dossier, "yeu-cau-bo-sung", {"items": items})
    assert response.status_code == 302
    after = fresh(dossier)
    assert after.status == Status.SUPPLEMENT_REQUESTED
    assert after.supplements.get().items == ["Bản sao giấy chứng sinh", "Giấy xác nhận cư trú"]
    event = after.events.get(action="request_supplement")
    assert event.details["items"] == after.supplements.get().items
    page = signed_in(clerk).get(detail_url(dossier)).content.decode()
    assert f'href="{reverse("dossiers:letter", args=[dossier.code, event.pk])}"' in page
    assert "Tải Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" in page


def test_a_financial_obligation_is_requested_with_an_amount_written_the_vietnamese_way(handler):
    dossier = make_dossier(status=Status.PROCESSING, handler=handler)
    response = post_action(
        signed_in(handler),
        dossier,
        "nghia-vu-tai-chinh",
        {"amount": "1.500.000", "reason": "Lệ phí trước bạ"},
    )
    assert response.status_code == 302
    after = fresh(dossier)
    assert after.status == Status.AWAITING_PAYMENT
    event = after.events.get(action="request_payment")
    assert (event.details["amount"], event.comment) == (1_500_000, "Lệ phí trước bạ")


def test_confirming_the_payment_resumes_processing(clerk):
    dossier = make_dossier(status=Status.AWAITING_PAYMENT)
    assert post_action(signed_in(clerk), dossier, "xac-nhan-nghia-vu-tai-chinh").status_code == 302
    assert fresh(dossier).status == Status.PROCESSING
    assert fresh(dossier).events.filter(action="confirm_payment").exists()


def test_stopping_records_the_legal_reason(handler):
    dossier = make_dossier(status=Status.PROCESSING, handler=handler)
    response = post_action(signed_in(handler), dossier, "dung-xu-ly", {"reason": "Theo khoản 2 Điều 9"})
    assert response.status_code == 302
    assert fresh(dossier).status == Status.STOPPED
    assert fresh(dossier).events.get(action="stop").comment == "Theo khoản 2 Điều 9"


def test_processing_stores_the_uploaded_results_for_the_applicant(handler):
    citizen = make_citizen()
    dossier = make_dossier(status=Status.PROCESSING, handler=handler, applicant=citizen)
    upload = SimpleUploadedFile("ket-qua.png", PNG, content_type="image/png")

    response = post_action(signed_in(handler), dossier, "hoan-thanh", {"results": upload, "comment": "Xong"})

    assert response.status_code == 302
    after = fresh(dossier)
    assert after.status == Status.PROCESSED
    result = after.documents.get(role=DossierDocument.Role.RESULT)
    assert (result.file.owner, result.file.origin, result.title) == (citizen, "result", "ket-qua.png")
    assert after.events.get(action="process").details["results"] == 1


def test_a_pdf_result_is_signed_with_the_agencys_seal(handler, test_pki):
    dossier = make_dossier(status=Status.PROCESSING, handler=handler)
    upload = SimpleUploadedFile("quyet-dinh.pdf", make_pdf_bytes("Ket qua"), content_type="application/pdf")

    response = post_action(signed_in(handler), dossier, "hoan-thanh", {"results": upload})

    assert response.status_code == 302
    result = fresh(dossier).documents.get(role=DossierDocument.Role.RESULT)
    assert result.signed is True
    assert result.file.content_type == "application/pdf"
    assert result.file.size > len(make_pdf_bytes("Ket qua"))


def test_an_upload_that_is_not_an_allowed_file_is_refused_next_to_the_field(handler):
    dossier = make_dossier(status=Status.PROCESSING, handler=handler)
    upload = SimpleUploadedFile("ket-qua.pdf", b"not a pdf at all", content_type="application/pdf")

    response = post_action(signed_in(handler), dossier, "hoan-thanh", {"results": upload})

    assert response.status_code == 400
    assert 'id="id_process-results_error"' in response.content.decode()
    assert "không phải định dạng được chấp nhận" in text(response)
    assert fresh(dossier).status == Status.PROCESSING
    assert not fresh(dossier).documents.exists()


def test_returning_the_result_closes_the_dossier(clerk):
    dossier = make_dossier(status=Status.PROCESSED)
    response = post_action(signed_in(clerk), dossier, "tra-ket-qua", {"how": Delivery.DESK})
    assert response.status_code == 302
    after = fresh(dossier)
    assert after.status == Status.RETURNED
    assert after.events.get(action="return").details["how"] == Delivery.DESK


def test_an_apology_sets_the_new_due_date(handler):
    with freeze_time(WEDNESDAY):
        dossier = make_dossier(status=Status.PROCESSING, handler=handler, due_in_days=1)
        response = post_action(
            signed_in(handler),
            dossier,
            "xin-loi-hen-lai",
            {"reason": "Chờ xác minh", "new_due": "2026-03-20"},
        )
    assert response.status_code == 302
    after = fresh(dossier)
    assert timezone.localtime(after.due_at).date().isoformat() == "2026-03-20"
    assert after.status == Status.PROCESSING
    assert after.events.get(action="apologise").comment == "Chờ xác minh"


# --- Conflicts, illegal transitions, field errors, roles, CSRF ----------------------------------------------


def test_an_action_posted_from_an_old_page_is_a_conflict_and_changes_nothing(clerk, handler):
    dossier = make_dossier(status=Status.RECEIVED)
    old_version = dossier.version
    Dossier.objects.filter(pk=dossier.pk).update(version=old_version + 1)  # someone acted meanwhile
    events = DossierEvent.objects.filter(dossier=dossier).count()

    response = post_action(
        signed_in(clerk), dossier, "phan-cong", {"handler": handler.pk}, version=old_version
    )

    assert response.status_code == 409
    assert "Hồ sơ vừa được người khác cập nhật" in text(response)
    after = fresh(dossier)
    assert (after.status, after.handler, after.version) == (Status.RECEIVED, None, old_version + 1)
    assert DossierEvent.objects.filter(dossier=dossier).count() == events
    assert f'name="version" value="{old_version + 1}"' in response.content.decode()  # the fresh page


def test_a_post_without_a_version_is_treated_as_a_conflict(clerk):
    dossier = make_dossier(status=Status.SUBMITTED)
    response = signed_in(clerk).post(action_url(dossier, "tiep-nhan"), {})
    assert response.status_code == 409
    assert fresh(dossier).status == Status.SUBMITTED


def test_an_action_the_status_does_not_allow_gets_a_clear_message(clerk):
    dossier = make_dossier(status=Status.RECEIVED)
    response = post_action(signed_in(clerk), dossier, "tiep-nhan")
    assert response.status_code == 409
    assert "Không thể “Tiếp nhận” hồ sơ đang ở trạng thái “Đã tiếp nhận”." in text(response)
    assert fresh(dossier).status == Status.RECEIVED


def test_a_refusal_without_a_reason_shows_the_error_next_to_the_field(clerk):
    dossier = make_dossier(status=Status.SUBMITTED)
    response = post_action(signed_in(clerk), dossier, "tu-choi", {"reason": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_refuse-reason_error"' in page
    assert "Nhập lý do từ chối tiếp nhận để ghi vào phiếu từ chối." in text(response)
    assert 'href="#id_refuse-reason"' in page  # the error summary links to the field
    assert fresh(dossier).status == Status.SUBMITTED


def test_field_errors_keep_what_was_typed(handler):
    dossier = make_dossier(status=Status.PROCESSING, handler=handler)
    response = post_action(
        signed_in(handler), dossier, "nghia-vu-tai-chinh", {"amount": "", "reason": "Lệ phí đăng ký"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nhập số tiền phải nộp (đồng), lớn hơn 0." in text(response)
    assert re.search(r'name="request_payment-reason"[^>]*>\s*Lệ phí đăng ký</textarea>', page)
    assert fresh(dossier).status == Status.PROCESSING


def test_an_amount_that_is_not_a_number_is_refused_by_the_form(handler):
    dossier = make_dossier(status=Status.PROCESSING, handler=handler)
    response = post_action(
        signed_in(handler), dossier, "nghia-vu-tai-chinh", {"amount": "một triệu", "reason": "Lệ phí"}
    )
    assert response.status_code == 400
    assert 'value="một triệu"' in response.content.decode()


def test_a_handler_cannot_receive_a_dossier(handler):
    dossier = make_dossier(status=Status.SUBMITTED)
    response = post_action(signed_in(handler), dossier, "tiep-nhan")
    assert response.status_code == 403
    assert "Bạn không có quyền “Tiếp nhận” hồ sơ này." in text(response)
    assert fresh(dossier).status == Status.SUBMITTED


def test_a_desk_clerk_cannot_process_a_dossier(clerk):
    dossier = make_dossier(status=Status.PROCESSING)
    upload = SimpleUploadedFile("ket-qua.png", PNG, content_type="image/png")
    response = post_action(signed_in(clerk), dossier, "hoan-thanh", {"results": upload})
    assert response.status_code == 403
    assert fresh(dossier).status == Status.PROCESSING
    assert not fresh(dossier).documents.exists()


def test_actions_need_the_csrf_token(clerk):
    dossier = make_dossier(status=Status.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post(action_url(dossier, "tiep-nhan"), {"version": dossier.version})
    assert response.status_code == 403
    assert fresh(dossier).status == Status.SUBMITTED


def test_actions_are_post_only(clerk):
    dossier = make_dossier(status=Status.SUBMITTED)
    assert signed_in(clerk).get(action_url(dossier, "tiep-nhan")).status_code == 405


# --- Registering a walk-in or postal dossier ----------------------------------------------------------------


def register_payload(**overrides):
    payload = {
        "thu_tuc": "1.001193",
        "channel": Channel.COUNTER,
        "applicant_name": "Ngô Thị Trực Tiếp",
        "id_number": "001190054321",
        "phone": "0987654321",
        "email": "",
        "delivery": Delivery.DESK,
        "delivery_address": "",
        "note": "Nộp bản giấy",
    }
    return payload | overrides


def test_the_register_page_offers_only_procedures_the_agency_performs(clerk):
    performed = set(
        Procedure.objects.filter(agency_kinds=clerk.agency.kind_id).values_list("code", flat=True)
    )
    page = signed_in(clerk).get(reverse("dossiers:register")).content.decode()
    offered = set(re.findall(r'<option value="([0-9.]+)"', page))
    assert offered and offered <= performed
    elsewhere = Procedure.objects.exclude(agency_kinds=clerk.agency.kind_id).first()
    assert elsewhere.code not in offered
    response = signed_in(clerk).get(reverse("dossiers:register"), {"thu_tuc": elsewhere.code})
    assert response.status_code == 400


def test_a_walk_in_dossier_gets_a_code_of_the_agency_and_day_and_is_received(clerk):
    birth = Procedure.objects.get(code="1.001193")
    client = signed_in(clerk)
    step2 = client.get(reverse("dossiers:register"), {"thu_tuc": birth.code})
    assert "Giấy chứng sinh do cơ sở y tế cấp" in text(step2)
    upload = SimpleUploadedFile("giay-chung-sinh.png", PNG, content_type="image/png")

    with freeze_time(WEDNESDAY):
        response = client.post(reverse("dossiers:register"), register_payload(slot_2=upload))

    dossier = Dossier.objects.get(applicant_name="Ngô Thị Trực Tiếp")
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:registered", args=[dossier.code])
    assert re.fullmatch(r"000\.00\.20\.H26-260311-\d{4}", dossier.code)
    assert (dossier.status, dossier.channel, dossier.agency_id) == (
        Status.RECEIVED,
        "counter",
        clerk.agency_id,
    )
    assert dossier.events.get(action="register").comment == "Nộp bản giấy"
    document = dossier.documents.get()
    assert (document.slot, document.title) == (2, "giay-chung-sinh.png")
    shown = client.get(response["Location"])
    assert dossier.code in text(shown)
    assert "In giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text(shown)


def test_registering_with_mistakes_keeps_what_was_typed(clerk):
    response = signed_in(clerk).post(
        reverse("dossiers:register"), register_payload(applicant_name="", id_number="12345")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nhập họ và tên người nộp hồ sơ." in text(response)
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in text(response)
    assert 'value="12345"' in page and 'value="0987654321"' in page
    assert not Dossier.objects.exists()


def test_only_desk_clerks_register_dossiers(handler):
    client = signed_in(handler)
    assert client.get(reverse("dossiers:register")).status_code == 403
    assert client.post(reverse("dossiers:register"), register_payload()).status_code == 403
    assert not Dossier.objects.exists()


# --- Reminders before the due date --------------------------------------------------------------------------


def test_a_handler_is_reminded_once_of_a_dossier_due_tomorrow(handler):
    handler.email = "xuly@hoankiem.gov.vn"
    handler.save(update_fields=["email"])
    with freeze_time(WEDNESDAY):
        due_tomorrow = make_dossier(status=Status.PROCESSING, handler=handler)
        Dossier.objects.filter(pk=due_tomorrow.pk).update(due_at=datetime(2026, 3, 12, 17, 0, tzinfo=HANOI))
        later = make_dossier(status=Status.PROCESSING, handler=handler)
        Dossier.objects.filter(pk=later.pk).update(due_at=datetime(2026, 3, 16, 17, 0, tzinfo=HANOI))

        assert remind_due_dossiers() == 1
        assert remind_due_dossiers() == 0

    sent = list(messages_to("xuly@hoankiem.gov.vn", "email"))
    assert len(sent) == 1
    assert due_tomorrow.code in sent[0].subject
    assert fresh(due_tomorrow).reminded_at is not None
    assert fresh(later).reminded_at is None
    event = fresh(due_tomorrow).events.get(action="remind")
    assert event.public is False


def test_an_unassigned_dossier_due_soon_is_reminded_to_the_desk_clerks(clerk):
    from opendvc.accounts.models import Phone

    Phone.objects.create(account=clerk, number="0901234567", is_default=True)
    with freeze_time(WEDNESDAY):
        dossier = make_dossier(status=Status.RECEIVED)
        Dossier.objects.filter(pk=dossier.pk).update(due_at=datetime(2026, 3, 11, 17, 0, tzinfo=HANOI))
        assert remind_due_dossiers_task() == 1

    sms = messages_to("0901234567", "sms").get()
    assert dossier.code in sms.body


def test_dossiers_waiting_for_a_supplement_or_already_late_are_not_reminded(handler):
    handler.email = "xuly@hoankiem.gov.vn"
    handler.save(update_fields=["email"])
    with freeze_time(WEDNESDAY):
        paused = make_dossier(status=Status.SUPPLEMENT_REQUESTED, handler=handler)
        late = make_dossier(status=Status.PROCESSING, handler=handler)
        Dossier.objects.filter(pk=paused.pk).update(due_at=WEDNESDAY + timedelta(hours=3))
        Dossier.objects.filter(pk=late.pk).update(due_at=WEDNESDAY - timedelta(hours=1))
        assert remind_due_dossiers() == 0
    assert not Message.objects.exists()


def test_the_draft_task_deletes_expired_drafts():
    citizen = make_citizen()
    procedure = Procedure.objects.get(code="1.001193")
    Draft.objects.create(
        applicant=citizen, procedure=procedure, expires_at=timezone.now() - timedelta(hours=1)
    )
    kept = Draft.objects.create(
        applicant=citizen, procedure=procedure, expires_at=timezone.now() + timedelta(days=9)
    )

    reminded, deleted = expire_drafts_task()

    assert (reminded, deleted) == (0, 1)
    assert list(Draft.objects.all()) == [kept]
