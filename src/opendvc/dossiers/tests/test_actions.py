"""The status machine through its service functions: transitions, roles, conflicts, clock and timeline."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from freezegun import freeze_time

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.core.errors import DomainError
from opendvc.dossiers.models import Delivery, DossierEvent, Status
from opendvc.dossiers.services import actions
from opendvc.dossiers.services.codes import next_code
from opendvc.dossiers.services.transitions import allowed_actions
from opendvc.dossiers.tests.factories import make_dossier
from opendvc.notifications.models import Message

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def clerk():
    return make_official(username="tiepnhan.test", roles=("desk_clerk",), totp=False)[0]


@pytest.fixture
def handler():
    return make_official(username="xuly.test", roles=("handler",), totp=False, full_name="Trần Xử Lý")[0]


@pytest.fixture
def citizen():
    return make_citizen()


def test_receiving_sets_status_2_and_a_due_date_one_working_day_later(clerk, citizen):
    dossier = make_dossier(applicant=citizen, applicant_phone="0912345678")
    with freeze_time(local(2026, 12, 7, 10, 0)):  # a Monday
        received = actions.receive_dossier(dossier, actor=clerk, version=dossier.version)
    assert received.status == Status.RECEIVED
    assert received.received_at == local(2026, 12, 7, 10, 0)
    assert received.due_at == local(2026, 12, 8, 17, 0)  # the birth registration takes 1 working day
    assert Message.objects.filter(purpose="dossier_status").count() == 1


def test_a_dossier_received_after_15_00_counts_from_the_next_working_day(clerk):
    dossier = make_dossier()
    with freeze_time(local(2026, 12, 7, 15, 1)):
        received = actions.receive_dossier(dossier, actor=clerk, version=dossier.version)
    assert received.due_at == local(2026, 12, 9, 17, 0)


def test_refusing_needs_a_reason_and_closes_the_dossier(clerk):
    dossier = make_dossier()
    with pytest.raises(DomainError) as refused:
        actions.refuse_dossier(dossier, actor=clerk, version=dossier.version, reason="  ")
    assert "reason" in refused.value.fields
    done = actions.refuse_dossier(dossier, actor=clerk, version=dossier.version, reason="Sai thủ tục")
    assert done.status == Status.NOT_RECEIVED
    assert done.closed_at is not None
    assert done.events.last().details["letter"] == "refusal"


def test_an_illegal_transition_is_refused_with_the_current_status_named(handler):
    dossier = make_dossier(status=Status.SUBMITTED)
    with pytest.raises(actions.IllegalTransition) as refused:
        actions.process_dossier(dossier, actor=handler, version=dossier.version, results=[])
    assert "Mới đăng ký" in refused.value.message
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_a_handler_may_not_receive_and_another_agencys_clerk_may_not_act(handler):
    dossier = make_dossier()
    with pytest.raises(actions.NotAllowed):
        actions.receive_dossier(dossier, actor=handler, version=dossier.version)
    elsewhere = make_official(username="tiepnhan.khac", agency_code="000.00.21.H26", totp=False)[0]
    with pytest.raises(actions.NotAllowed):
        actions.receive_dossier(dossier, actor=elsewhere, version=dossier.version)


def test_the_second_official_acting_on_a_stale_page_gets_a_conflict_not_an_overwrite(clerk):
    dossier = make_dossier()
    shown = dossier.version
    actions.receive_dossier(dossier, actor=clerk, version=shown)
    with pytest.raises(actions.Conflict):
        actions.refuse_dossier(dossier, actor=clerk, version=shown, reason="Thiếu giấy tờ")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert list(dossier.events.values_list("action", flat=True)) == ["submit", "receive"]


def test_a_supplement_pauses_the_clock_and_the_due_date_moves_by_the_working_days_waited(clerk, citizen):
    dossier = make_dossier(applicant=citizen)
    with freeze_time(local(2026, 12, 7, 9, 0)):
        dossier = actions.receive_dossier(dossier, actor=clerk, version=dossier.version)
        assert dossier.due_at == local(2026, 12, 8, 17, 0)
        dossier = actions.request_supplement(
            dossier,
            actor=clerk,
            version=dossier.version,
            items=["Giấy chứng sinh bản chính", "Tờ khai có chữ ký"],
        )
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.paused_since == local(2026, 12, 7, 9, 0)
    with freeze_time(local(2026, 12, 10, 9, 0)):  # Thursday: Tue, Wed, Thu waited
        dossier = actions.submit_supplement(
            dossier, actor=citizen, version=dossier.version, files=[], note="Đã nộp bổ sung"
        )
    assert dossier.status == Status.RECEIVED
    assert dossier.paused_since is None
    assert dossier.due_at == local(2026, 12, 11, 17, 0)
    assert not dossier.marked_late


def test_a_second_supplement_request_marks_the_dossier_late(clerk, citizen):
    dossier = make_dossier(applicant=citizen, status=Status.RECEIVED)
    for round_ in range(2):
        dossier = actions.request_supplement(
            dossier, actor=clerk, version=dossier.version, items=[f"Giấy {round_}"]
        )
        dossier = actions.submit_supplement(
            dossier, actor=citizen, version=dossier.version, files=[], note="Xong"
        )
    assert dossier.supplement_requests == 2
    assert dossier.marked_late
    assert dossier.is_late()


def test_a_supplement_request_must_list_what_is_missing(clerk):
    dossier = make_dossier(status=Status.RECEIVED)
    with pytest.raises(DomainError) as refused:
        actions.request_supplement(dossier, actor=clerk, version=dossier.version, items=["", " "])
    assert "items" in refused.value.fields


def test_only_the_applicant_can_supplement_or_withdraw(clerk, citizen):
    dossier = make_dossier(applicant=citizen, status=Status.RECEIVED)
    dossier = actions.request_supplement(dossier, actor=clerk, version=dossier.version, items=["Ảnh"])
    stranger = make_citizen(id_number="001099000111", phone="0987000111")
    with pytest.raises(actions.NotAllowed):
        actions.submit_supplement(dossier, actor=stranger, version=dossier.version, files=[], note="x")
    with pytest.raises(actions.NotAllowed):
        actions.withdraw_dossier(dossier, actor=stranger, version=dossier.version, reason="x")
    withdrawn = actions.withdraw_dossier(dossier, actor=citizen, version=dossier.version, reason="Nộp nhầm")
    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.paused_since is None


def test_an_apology_letter_sets_a_later_due_date_and_refuses_an_earlier_one(handler):
    with freeze_time(local(2026, 12, 7, 9, 0)):
        dossier = make_dossier(status=Status.PROCESSING, due_in_days=1)
        with pytest.raises(DomainError) as refused:
            actions.send_apology(
                dossier,
                actor=handler,
                version=dossier.version,
                reason="Cần xác minh",
                new_due=date(2026, 12, 7),
            )
        assert "new_due" in refused.value.fields
        dossier = actions.send_apology(
            dossier,
            actor=handler,
            version=dossier.version,
            reason="Cần xác minh thêm",
            new_due=date(2026, 12, 14),
        )
    assert dossier.due_at == local(2026, 12, 14, 17, 0)
    assert dossier.apologies == 1
    assert dossier.status == Status.PROCESSING
    assert dossier.events.last().details["letter"] == "apology"


def test_an_electronic_result_needs_a_file(handler):
    dossier = make_dossier(status=Status.PROCESSING, delivery=Delivery.ELECTRONIC)
    with pytest.raises(DomainError) as refused:
        actions.process_dossier(dossier, actor=handler, version=dossier.version, results=[])
    assert "results" in refused.value.fields


def test_a_paper_result_is_processed_returned_and_rated_once_by_the_applicant(clerk, handler, citizen):
    dossier = make_dossier(applicant=citizen, status=Status.PROCESSING, delivery=Delivery.DESK)
    dossier = actions.process_dossier(dossier, actor=handler, version=dossier.version, results=[])
    assert dossier.status == Status.PROCESSED
    with pytest.raises(actions.IllegalTransition):
        actions.rate_dossier(dossier, actor=citizen, value="satisfied")
    dossier = actions.return_result(dossier, actor=clerk, version=dossier.version, how=Delivery.DESK)
    assert dossier.status == Status.RETURNED
    with pytest.raises(actions.NotAllowed):
        actions.rate_dossier(dossier, actor=clerk, value="satisfied")
    rating = actions.rate_dossier(dossier, actor=citizen, value="acceptable", comment="Nhanh")
    assert rating.value == "acceptable"
    with pytest.raises(actions.IllegalTransition):
        actions.rate_dossier(dossier, actor=citizen, value="satisfied")


def test_assigning_takes_only_a_handler_of_the_same_agency(clerk, handler):
    dossier = make_dossier(status=Status.RECEIVED)
    with pytest.raises(DomainError):
        actions.assign_dossier(dossier, actor=clerk, version=dossier.version, handler=clerk)
    assigned = actions.assign_dossier(dossier, actor=clerk, version=dossier.version, handler=handler)
    assert assigned.status == Status.PROCESSING
    assert assigned.handler == handler
    assert assigned.events.last().public is False


def test_a_payment_request_waits_in_status_6_until_confirmed(handler):
    dossier = make_dossier(status=Status.PROCESSING)
    dossier = actions.request_payment(
        dossier, actor=handler, version=dossier.version, amount=50_000, reason="Lệ phí"
    )
    assert dossier.status == Status.AWAITING_PAYMENT
    assert (
        actions.confirm_payment(dossier, actor=handler, version=dossier.version).status == Status.PROCESSING
    )


def test_the_buttons_offered_are_the_actions_the_role_may_take_now(clerk, handler):
    dossier = make_dossier(status=Status.SUBMITTED)
    assert {a.name for a in allowed_actions(dossier, clerk)} == {"receive", "refuse"}
    assert allowed_actions(dossier, handler) == []


def test_the_timeline_is_append_only(clerk):
    dossier = make_dossier()
    actions.receive_dossier(dossier, actor=clerk, version=dossier.version)
    event = DossierEvent.objects.filter(dossier=dossier).last()
    event.comment = "rewritten"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        DossierEvent.objects.filter(dossier=dossier).update(comment="x")


def test_codes_count_per_agency_per_day(clerk):
    from opendvc.catalog.models import Agency

    hoan_kiem = Agency.objects.get(code="000.00.20.H26")
    other = Agency.objects.get(code="000.00.21.H26")
    assert next_code(hoan_kiem, date(2026, 12, 7)) == "000.00.20.H26-261207-0001"
    assert next_code(hoan_kiem, date(2026, 12, 7)) == "000.00.20.H26-261207-0002"
    assert next_code(other, date(2026, 12, 7)) == "000.00.21.H26-261207-0001"
    assert next_code(hoan_kiem, date(2026, 12, 8)) == "000.00.20.H26-261208-0001"


def test_a_dossier_received_the_friday_before_tet_is_due_after_the_holiday(clerk):
    dossier = make_dossier()
    with freeze_time(local(2026, 2, 13, 10, 0)):  # Tết 2026: Mon 16 – Fri 20 February
        received = actions.receive_dossier(dossier, actor=clerk, version=dossier.version)
    assert received.due_at == local(2026, 2, 23, 17, 0)


def test_a_supplement_spanning_hung_kings_day_extends_only_by_the_working_days_waited(clerk, citizen):
    dossier = make_dossier(applicant=citizen, procedure_code="1.000689")  # 3 working days
    with freeze_time(local(2026, 4, 22, 9, 0)):  # Wednesday
        dossier = actions.receive_dossier(dossier, actor=clerk, version=dossier.version)
        # Thu 23, Fri 24, (Mon 27 is Hùng Kings' day observed) Tue 28.
        assert dossier.due_at == local(2026, 4, 28, 17, 0)
        dossier = actions.request_supplement(dossier, actor=clerk, version=dossier.version, items=["Bản sao"])
    # Waiting Thu 23 – Mon 4 May: 23, 24 Apr, 28, 29 Apr and 4 May are working days (26–27 Apr Hùng Kings,
    # 30 Apr and 1 May holidays, weekends off).
    with freeze_time(local(2026, 5, 4, 9, 0)):
        dossier = actions.submit_supplement(
            dossier, actor=citizen, version=dossier.version, files=[], note="Đủ"
        )
    # Five working days waited: 28 April + 5 = Wed 29 Apr, Mon 4, Tue 5, Wed 6, Thu 7 May.
    assert dossier.due_at == local(2026, 5, 7, 17, 0)


def test_the_database_itself_refuses_to_rewrite_a_timeline_entry(clerk):
    from django.db import DatabaseError, connection, transaction

    dossier = make_dossier()
    event = dossier.events.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_dossierevent SET comment = 'rewritten' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.comment == ""


def test_the_applicants_e_mail_says_the_whole_sentence_with_the_code(clerk):
    dossier = make_dossier(applicant_email="an@example.vn")
    actions.receive_dossier(dossier, actor=clerk, version=dossier.version)
    mail = Message.objects.filter(purpose="dossier_status", channel="email").latest("id")
    assert f"Hồ sơ {dossier.code} đã được tiếp nhận" in mail.body
