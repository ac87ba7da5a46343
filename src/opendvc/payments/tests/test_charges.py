"""What a dossier owes follows its timeline: filed, obligation stated, paid elsewhere, closed."""

import pytest

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.catalog.models import Procedure
from opendvc.dossiers.models import Channel, Delivery, Source, Status
from opendvc.dossiers.services import actions, submission
from opendvc.dossiers.tests.factories import HOAN_KIEM
from opendvc.payments.models import Charge, ChargeKind, ChargeState
from opendvc.payments.tests.factories import EXTRACT, copies_form, owing_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return make_citizen()


def staff(username, roles):
    account, _secret = make_official(username=username, roles=roles, totp=False)
    return account


def test_an_online_submission_owes_the_fees_its_answers_select(citizen):
    copies_form()
    procedure = Procedure.objects.get(code=EXTRACT)
    draft = submission.start_draft(applicant=citizen, procedure=procedure)
    draft, errors = submission.save_draft_step(draft, step="request", values={"copies": "3"})
    assert errors == {}
    draft, errors = submission.set_delivery(
        draft, agency_code=HOAN_KIEM, delivery=Delivery.ELECTRONIC, address=""
    )
    dossier = submission.submit_draft(draft, declaration=True)
    charge = Charge.objects.get(dossier=dossier)
    assert (charge.kind, charge.amount, charge.state) == (ChargeKind.FEE, 24_000, ChargeState.DUE)
    assert charge.description.endswith("(3 × 8.000 đồng)")


def test_a_dossier_registered_at_the_desk_owes_the_desk_rate(citizen):
    clerk = staff("motcua.hk", ("desk_clerk",))
    procedure = Procedure.objects.get(code="1.004222")  # thường trú: 20.000 đ at the desk, 10.000 đ online
    procedure.agency_kinds.add(clerk.agency.kind)
    dossier = submission.register_dossier(
        actor=clerk, procedure=procedure, channel=Channel.COUNTER, applicant_name="Nguyễn Văn An"
    )
    # Without an e-form the line that asks "exempt?" cannot be read: only lines asking nothing apply.
    assert list(dossier.charges.values_list("amount", flat=True)) == []
    procedure.fees.filter(amount=20_000).update(rule={"channel": "counter"})
    again = submission.register_dossier(
        actor=clerk, procedure=procedure, channel=Channel.COUNTER, applicant_name="Nguyễn Văn An"
    )
    assert list(again.charges.values_list("amount", flat=True)) == [20_000]


def test_a_financial_obligation_is_owed_and_confirming_it_by_hand_settles_it_elsewhere(citizen):
    handler = staff("xuly.hk", ("handler",))
    dossier = owing_dossier(copies=1, applicant=citizen, status=Status.PROCESSING)
    dossier = actions.request_payment(
        dossier, actor=handler, version=None, amount=1_500_000, reason="Tiền sử dụng đất"
    )
    obligation = dossier.charges.get(kind=ChargeKind.OBLIGATION)
    assert (obligation.amount, obligation.description) == (1_500_000, "Tiền sử dụng đất")
    actions.confirm_payment(dossier, actor=handler, version=None, comment="Đã nộp tại Kho bạc")
    obligation.refresh_from_db()
    assert obligation.state == ChargeState.PAID_ELSEWHERE
    assert dossier.charges.get(kind=ChargeKind.FEE).state == ChargeState.DUE  # the fee is still owed


@pytest.mark.parametrize("close", ["withdraw", "refuse"])
def test_closing_a_dossier_cancels_what_is_still_due(citizen, close):
    dossier = owing_dossier(copies=1, applicant=citizen)
    if close == "withdraw":
        actions.withdraw_dossier(dossier, actor=citizen, version=None, reason="Không cần nữa")
    else:
        actions.refuse_dossier(
            dossier, actor=staff("motcua.hk", ("desk_clerk",)), version=None, reason="Sai cơ quan"
        )
    assert dossier.charges.get().state == ChargeState.CANCELLED


def test_dossiers_of_agency_systems_owe_nothing_here(citizen):
    dossier = owing_dossier(copies=1, applicant=citizen)
    dossier.charges.all().delete()
    dossier.source = Source.AGENCY_SYSTEM
    dossier.save()
    actions.record_event(dossier, "sync", actor=None)
    actions.record_event(dossier, "register", actor=None)
    assert not dossier.charges.exists()


def test_the_result_of_a_dossier_that_still_owes_is_not_returned(citizen):
    from opendvc.dossiers.services.actions import IllegalTransition

    clerk = staff("motcua.hk", ("desk_clerk",))
    dossier = owing_dossier(copies=1, applicant=citizen, status=Status.PROCESSED)
    with pytest.raises(IllegalTransition, match=r"còn 8\.000 đồng phí, lệ phí chưa nộp"):
        actions.return_result(dossier, actor=clerk, version=None, how=Delivery.DESK)


def test_fees_paid_at_the_result_are_not_asked_before_receipt(citizen):
    clerk = staff("motcua.hk", ("desk_clerk",))
    dossier = owing_dossier(copies=1, applicant=citizen)
    Procedure.objects.filter(code=EXTRACT).update(fee_timing="result")
    dossier.procedure.refresh_from_db()
    received = actions.receive_dossier(dossier, actor=clerk, version=None)
    assert received.status == Status.RECEIVED
