"""Handling a feedback: every transition, its deadline, and who may take it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from freezegun import freeze_time

from opendvc.catalog.models import Agency
from opendvc.core.errors import DomainError
from opendvc.core.models import AuditEvent
from opendvc.feedback import selectors
from opendvc.feedback.models import Event, Status
from opendvc.feedback.services import handling
from opendvc.feedback.tests.factories import HOAN_KIEM, JUSTICE_HANOI, official, send
from opendvc.notifications.models import Message

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# Wednesday 11 March 2026, 10:00: the 2nd working day after is Fri 13, the 5th Wed 18, the 15th Wed 1 April.
WEDNESDAY = datetime(2026, 3, 11, 10, 0, tzinfo=HANOI)


def last(channel: str) -> str:
    return Message.objects.filter(channel=channel).order_by("-id").first().body


def at(day, month=3, hour=10):
    return datetime(2026, month, day, hour, 0, tzinfo=HANOI)


@pytest.fixture
def clerk():
    return official("motcua.hk", ("desk_clerk",))


@pytest.fixture
def handler():
    return official("xuly.hk", ("handler",))


@pytest.fixture
def approver():
    return official("pheduyet.hk", ("approver",))


@pytest.fixture
def sent():
    with freeze_time(WEDNESDAY):
        return send()


def test_a_sent_feedback_gets_a_code_its_deadlines_and_the_sender_a_message(sent):
    assert sent.code.startswith("PA-260311-") and len(sent.code) == 16
    assert sent.status == Status.NEW
    assert (sent.decide_due_at, sent.info_due_at, sent.answer_due_at) == (
        at(13, hour=17),
        at(18, hour=17),
        at(1, month=4, hour=17),
    )
    sms = Message.objects.get(channel="sms", purpose="feedback")
    assert sent.code in sms.body and "đã gửi tới Ủy ban nhân dân phường Hoàn Kiếm" in sms.body
    assert (
        f"/phan-anh-kien-nghi/{sent.code}/nguoi-gui/?k={sent.sender_token}" in sms.body
    )  # the outbox keeps it
    assert Event.objects.get(feedback=sent).action == "submit"


def test_every_problem_of_a_feedback_is_reported_at_once():
    with pytest.raises(DomainError) as caught:
        send(
            kind="x",
            title="",
            content=" ",
            sender_name="",
            sender_phone="123",
            sender_email="nope",
            agency_code="NO",
            procedure_code="9.999999",
            dossier_code="NO-SUCH",
        )
    assert set(caught.value.fields) == {
        "kind",
        "title",
        "content",
        "sender_name",
        "sender_phone",
        "sender_email",
        "agency",
        "procedure",
        "dossier",
    }


def test_receiving_within_two_working_days_is_on_time_and_later_is_late(sent, clerk):
    with freeze_time(at(13, hour=16)):
        received = handling.receive(sent, actor=clerk, version=sent.version)
    assert received.status == Status.PROCESSING and received.decided_on_time is True
    with freeze_time(WEDNESDAY):
        late = send()
    with freeze_time(at(16)):
        assert selectors.late_steps(late) == ["decide"]
        assert selectors.inbox_counts(clerk)["late"] == 1
        handling.receive(late, actor=clerk, version=late.version)
    late.refresh_from_db()
    assert late.decided_on_time is False


def test_forwarding_moves_it_to_the_competent_agency_where_the_clock_starts_again(sent, clerk):
    justice = Agency.objects.get(code=JUSTICE_HANOI)
    with freeze_time(at(12)):
        moved = handling.forward(
            sent, actor=clerk, version=sent.version, agency=justice, note="Thuộc thẩm quyền Sở Tư pháp"
        )
    assert (moved.agency, moved.status, moved.first_agency.code) == (justice, Status.NEW, HOAN_KIEM)
    assert (moved.decide_due_at, moved.answer_due_at) == (at(16, hour=17), at(2, month=4, hour=17))
    assert moved.decided_on_time is True  # Hoàn Kiếm decided in time
    with pytest.raises(Exception, match="no such feedback"):
        selectors.official_feedback(clerk, moved.code)  # no longer Hoàn Kiếm's
    justice_clerk = official("motcua.stp", ("desk_clerk",), agency_code=JUSTICE_HANOI)
    assert selectors.official_feedback(justice_clerk, moved.code) == moved
    assert list(moved.events.values_list("action", "agency__code")) == [
        ("submit", HOAN_KIEM),
        ("forward", HOAN_KIEM),
        ("arrive", JUSTICE_HANOI),
    ]
    assert "đã chuyển tới Sở Tư pháp thành phố Hà Nội" in last("sms")


def test_forwarding_needs_another_agency_and_a_reason(sent, clerk):
    with pytest.raises(DomainError) as caught:
        handling.forward(sent, actor=clerk, version=None, agency=sent.agency, note="x")
    assert "agency" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        handling.forward(
            sent, actor=clerk, version=None, agency=Agency.objects.get(code=JUSTICE_HANOI), note=" "
        )
    assert "note" in caught.value.fields


def test_asking_for_more_information_pauses_the_answer_deadline_until_the_sender_replies(
    sent, clerk, handler
):
    with freeze_time(at(12)):
        handling.receive(sent, actor=clerk, version=None)
        asked = handling.request_info(
            sent, actor=handler, version=None, question="Cho biết mã hồ sơ khai sinh."
        )
    assert asked.status == Status.INFO_REQUESTED and not asked.late_info_request
    with freeze_time(at(17)):  # Tuesday: 3 working days later (13, 16, 17)
        with pytest.raises(handling.NotAllowed):
            handling.provide_info(sent, text="Mã 000.00.20.H26-260310-0001", token="wrong-token")
        replied = handling.provide_info(sent, text="Mã 000.00.20.H26-260310-0001", token=sent.sender_token)
    assert replied.status == Status.PROCESSING
    assert replied.answer_due_at == at(6, month=4, hour=17)  # 1 April + 3 working days waited


def test_an_information_request_after_five_working_days_is_late(sent, clerk, handler):
    handling.receive(sent, actor=clerk, version=None)
    with freeze_time(at(19)):
        asked = handling.request_info(sent, actor=handler, version=None, question="Bổ sung ảnh giấy hẹn.")
    assert asked.late_info_request


@freeze_time(at(20))
def test_an_answer_is_approved_by_a_second_official_and_published_without_personal_data(
    sent, clerk, handler, approver
):
    handling.receive(sent, actor=clerk, version=None)
    both = official("xuly2.hk", ("handler", "approver"))
    handling.draft_answer(
        sent, actor=both, version=None, answer="UBND phường đã kiểm điểm cán bộ và trả kết quả."
    )
    with pytest.raises(handling.NotAllowed, match="cán bộ khác"):
        handling.approve(sent, actor=both, version=None)
    done = handling.approve(sent, actor=approver, version=None)
    assert done.status == Status.PUBLISHED and done.answered_on_time and done.published_on_time
    assert (
        done.public_content == "Tôi nộp hồ sơ khai sinh cho con, bị hẹn lại ba lần. Liên hệ [số điện thoại]."
    )
    assert done.public_answer == "UBND phường đã kiểm điểm cán bộ và trả kết quả."
    assert "đã có câu trả lời" in last("sms")


def test_an_approved_answer_may_wait_for_publication_which_is_late_after_two_working_days(
    sent, clerk, handler, approver
):
    handling.receive(sent, actor=clerk, version=None)
    with freeze_time(at(16)):
        handling.draft_answer(sent, actor=handler, version=None, answer="Trả lời.")
        approved = handling.approve(
            sent, actor=approver, version=None, publish_now=False, public_title="Về việc hẹn trả kết quả"
        )
    assert approved.status == Status.APPROVED and approved.publish_due_at == at(18, hour=17)
    with freeze_time(at(19)):
        assert selectors.late_steps(approved) == ["publish"]
        published = handling.publish(approved, actor=handler, version=None)
    assert published.public_title == "Về việc hẹn trả kết quả" and published.published_on_time is False


def test_an_approver_returns_a_draft_for_rework(sent, clerk, handler, approver):
    handling.receive(sent, actor=clerk, version=None)
    handling.draft_answer(sent, actor=handler, version=None, answer="Nháp")
    back = handling.return_answer(sent, actor=approver, version=None, note="Nêu rõ biện pháp khắc phục")
    assert back.status == Status.PROCESSING
    assert not back.events.get(action="return_answer").public


def test_a_refusal_states_its_reason_to_the_sender(sent, clerk):
    refused = handling.refuse(
        sent, actor=clerk, version=None, reason="Nội dung không phải phản ánh, kiến nghị"
    )
    assert refused.status == Status.REFUSED
    assert "không được tiếp nhận" in last("sms")
    assert "Nội dung không phải phản ánh" in last("email")


def test_the_sender_raises_it_again_when_the_answer_did_not_resolve_it(sent, clerk, handler, approver):
    handling.receive(sent, actor=clerk, version=None)
    handling.draft_answer(sent, actor=handler, version=None, answer="Đã xử lý.")
    handling.approve(sent, actor=approver, version=None)
    with freeze_time(at(23)):
        again = handling.reraise(sent, reason="Vẫn chưa nhận được kết quả.", token=sent.sender_token)
    assert (again.status, again.round, again.reraise_count) == (Status.PROCESSING, 2, 1)
    assert again.answer_due_at == at(13, month=4, hour=17)
    assert selectors.public_feedback(again.code).public_answer == "Đã xử lý."  # still public meanwhile


def test_officials_act_only_on_their_agencys_feedback_and_with_their_role(sent, handler):
    elsewhere = official("motcua.stp", ("desk_clerk",), agency_code=JUSTICE_HANOI)
    with pytest.raises(handling.NotAllowed):
        handling.receive(sent, actor=elsewhere, version=None)
    with pytest.raises(handling.NotAllowed):
        handling.refuse(sent, actor=handler, version=None, reason="Không")
    with pytest.raises(handling.IllegalTransition):
        handling.publish(sent, actor=handler, version=None)


def test_an_action_from_a_stale_page_is_a_conflict(sent, clerk):
    version = sent.version
    handling.receive(sent, actor=clerk, version=version)
    with pytest.raises(handling.Conflict):
        handling.refuse(sent, actor=clerk, version=version, reason="Trùng")


def test_the_history_is_append_only_and_every_step_is_audited(sent, clerk):
    handling.receive(sent, actor=clerk, version=None)
    event = sent.events.last()
    with pytest.raises(PermissionDenied):
        event.save()
    assert list(
        AuditEvent.objects.filter(target_id=str(sent.pk)).values_list("action", flat=True).order_by("id")
    ) == ["feedback.submit", "feedback.receive"]
