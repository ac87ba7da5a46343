"""The counters follow every change at once, and a rebuild from the raw records gives the same numbers."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.catalog.models import Agency
from opendvc.dossiers.models import Delivery, Status
from opendvc.dossiers.services import actions
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_dossier
from opendvc.feedback.services import handling, votes
from opendvc.feedback.tests.factories import send
from opendvc.payments.services import orders
from opendvc.payments.tests.factories import owing_dossier
from opendvc.scorecard import compute, counters
from opendvc.scorecard.facts import dossier_facts
from opendvc.scorecard.models import DayCounter
from opendvc.scorecard.periods import month

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=HANOI)


def at(day, hour=10):
    return datetime(2026, 3, day, hour, tzinfo=HANOI)


@pytest.fixture
def staff():
    clerk, _ = make_official(username="motcua.hk", roles=("desk_clerk",), totp=False)
    handler, _ = make_official(username="xuly.hk", roles=("handler",), totp=False)
    approver, _ = make_official(username="pheduyet.hk", roles=("approver",), totp=False)
    return clerk, handler, approver


def value(metric, agency_code=HOAN_KIEM) -> int:
    agency = Agency.objects.get(code=agency_code)
    return sum(DayCounter.objects.filter(agency_id=agency.pk, metric=metric).values_list("value", flat=True))


def test_receiving_and_processing_a_dossier_changes_its_agencys_score_at_once(
    staff, django_capture_on_commit_callbacks
):
    clerk, handler, _ = staff
    with freeze_time(MONDAY):
        dossier = make_dossier(delivery=Delivery.DESK, status=Status.SUBMITTED)
        before = compute.unit_result(dossier.agency, month(MONDAY.date()))  # cached from now on
        with django_capture_on_commit_callbacks(execute=True):
            actions.receive_dossier(dossier, actor=clerk, version=None)
        assert value("received") == 1 and value("open") == 1
        with django_capture_on_commit_callbacks(execute=True):
            actions.assign_dossier(dossier, actor=clerk, version=None, handler=handler)
            actions.process_dossier(dossier, actor=handler, version=None, results=[])
        assert value("finished_on_time") == 1 and value("open") == 0 and value("processed") == 1
        after = compute.unit_result(dossier.agency, month(MONDAY.date()))  # the cache knows it is stale
    timeliness = next(c for g in after.groups for c in g.criteria if c.criterion.code == "dossiers_on_time")
    assert timeliness.score == 20 and after.total != before.total


def test_a_second_supplement_request_makes_the_dossier_late_from_that_day(staff):
    clerk, handler, _ = staff
    citizen = make_citizen()
    with freeze_time(MONDAY):
        dossier = make_dossier(delivery=Delivery.DESK, status=Status.SUBMITTED, applicant=citizen)
        dossier = actions.receive_dossier(dossier, actor=clerk, version=None)
    with freeze_time(at(10)):
        dossier = actions.request_supplement(dossier, actor=handler, version=None, items=["Giấy A"])
    assert dossier_facts(dossier).late_from is None  # waiting for the applicant within its time: not late
    with freeze_time(at(11)):
        dossier = actions.submit_supplement(dossier, actor=citizen, version=None, files=[], note="Giấy A")
    with freeze_time(at(12)):
        dossier = actions.request_supplement(dossier, actor=handler, version=None, items=["Giấy B"])
    assert dossier.marked_late
    due_day = dossier.due_at.astimezone(HANOI).date()
    assert dossier_facts(dossier).late_from == min(due_day, at(12).date())
    assert value("overdue") == 1


def test_time_waiting_for_a_supplement_is_excluded_from_the_due_date(staff):
    clerk, handler, _ = staff
    citizen = make_citizen()
    with freeze_time(MONDAY):
        dossier = make_dossier(delivery=Delivery.DESK, status=Status.SUBMITTED, applicant=citizen)
        dossier = actions.receive_dossier(dossier, actor=clerk, version=None)
    due = dossier.due_at
    with freeze_time(at(10)):
        actions.request_supplement(dossier, actor=handler, version=None, items=["Giấy A"])
    with freeze_time(at(13)):
        dossier = actions.submit_supplement(
            dossier, actor=citizen, version=None, files=[], note="Gửi bổ sung"
        )
    assert dossier.due_at > due  # moved by the working days waited
    assert dossier_facts(dossier).late_from == dossier.due_at.astimezone(HANOI).date()


def test_the_real_time_counters_and_a_rebuild_from_the_records_are_the_same(staff):
    clerk, handler, approver = staff
    citizen = make_citizen()
    with freeze_time(MONDAY):
        received = make_dossier(delivery=Delivery.DESK, status=Status.SUBMITTED, applicant=citizen)
        actions.receive_dossier(received, actor=clerk, version=None)
        refused = make_dossier(delivery=Delivery.DESK, status=Status.SUBMITTED)
        actions.refuse_dossier(refused, actor=clerk, version=None, reason="Sai cơ quan")
        done = make_dossier(delivery=Delivery.DESK, status=Status.SUBMITTED, applicant=citizen)
        actions.receive_dossier(done, actor=clerk, version=None)
        actions.assign_dossier(done, actor=clerk, version=None, handler=handler)
    with freeze_time(at(20)):
        actions.process_dossier(done, actor=handler, version=None, results=[])
        actions.return_result(done, actor=clerk, version=None, how=Delivery.DESK)
        actions.rate_dossier(done, actor=citizen, value="satisfied")
        owing = owing_dossier(copies=1, applicant=citizen)
        orders.record_counter_payment(owing, actor=clerk)
        feedback = send()
        handling.receive(feedback, actor=clerk, version=None)
        handling.draft_answer(feedback, actor=handler, version=None, answer="Đã xử lý")
        handling.approve(feedback, actor=approver, version=None)
        votes.vote(feedback, voter="d:1", value=1)
        votes.vote(feedback, voter="d:2", value=-1)
        votes.vote(feedback, voter="d:2", value=1)
    live = counters.snapshot()
    assert value("feedback_likes") == 2 and value("rated_satisfied") == 1
    call_command("rebuild_scorecard", verbosity=0)
    assert counters.snapshot() == live


def test_rebuilding_twice_gives_the_same_counters():
    counters.rebuild()
    first = counters.snapshot()
    counters.rebuild()
    assert counters.snapshot() == first
