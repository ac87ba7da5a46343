"""Online submission through the services: declare once, drafts, one all-or-nothing transaction."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from freezegun import freeze_time

from opendvc.accounts.models import AssuranceLevel
from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.core.errors import DomainError
from opendvc.dossiers.models import Delivery, Dossier, DossierDocument, DossierEvent, Draft, Status
from opendvc.dossiers.services import files, submission
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_pdf_bytes, make_procedure_with_form
from opendvc.notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure():
    return make_procedure_with_form()


@pytest.fixture
def citizen():
    return make_citizen()


def ready_draft(citizen, procedure) -> Draft:
    draft = submission.start_draft(applicant=citizen, procedure=procedure)
    draft, errors = submission.save_draft_step(draft, step="applicant", values={"phone": "0912345678"})
    assert errors == {}
    draft, errors = submission.save_draft_step(draft, step="child", values={"child_name": "Nguyễn Bảo An"})
    stored = files.store_bytes(make_pdf_bytes(), name="giay-chung-sinh.pdf", owner=citizen)
    submission.attach_to_draft(draft, slot=2, stored=stored)
    draft, errors = submission.set_delivery(
        draft, agency_code=HOAN_KIEM, delivery=Delivery.ELECTRONIC, address=""
    )
    assert errors == {}
    return draft


def test_a_new_draft_is_prefilled_from_the_registry_and_locks_those_values(citizen, procedure):
    draft = submission.start_draft(applicant=citizen, procedure=procedure)
    assert draft.data["full_name"] == "Nguyễn Văn An"
    assert "full_name" in draft.locked
    assert "dân cư" in draft.origins["full_name"]
    assert draft.data["phone"] == "0912345678"
    assert draft.expires_at - draft.created_at == timedelta(days=30)


def test_a_level_1_account_gets_profile_values_that_stay_editable(procedure):
    self_declared = make_citizen(id_number="001099000222", phone="0987000222", full_name="Phạm Thị Tự Khai")
    self_declared.assurance_level = AssuranceLevel.LEVEL_1
    self_declared.save(update_fields=["assurance_level"])
    draft = submission.start_draft(applicant=self_declared, procedure=procedure)
    assert draft.data["full_name"] == "Phạm Thị Tự Khai"
    assert "full_name" not in draft.locked


def test_a_forged_value_for_a_locked_field_is_ignored(citizen, procedure):
    draft = submission.start_draft(applicant=citizen, procedure=procedure)
    draft, _errors = submission.save_draft_step(draft, step="applicant", values={"full_name": "Người Khác"})
    assert draft.data["full_name"] == "Nguyễn Văn An"


def test_saving_a_step_keeps_invalid_input_and_returns_field_errors(citizen, procedure):
    draft = submission.start_draft(applicant=citizen, procedure=procedure)
    draft, errors = submission.save_draft_step(draft, step="applicant", values={"phone": "12ab"})
    assert "phone" in errors
    draft.refresh_from_db()
    assert draft.data["phone"] == "12ab"


def test_submitting_creates_the_dossier_documents_and_first_event_and_consumes_the_draft(citizen, procedure):
    draft = ready_draft(citizen, procedure)
    dossier = submission.submit_draft(draft, declaration=True)
    today = timezone.localdate()
    assert dossier.code.startswith(f"{HOAN_KIEM}-{today:%y%m%d}-")
    assert dossier.status == Status.SUBMITTED
    assert dossier.applicant == citizen
    assert dossier.data["child_name"] == "Nguyễn Bảo An"
    assert dossier.due_at is not None
    assert list(dossier.events.values_list("action", flat=True)) == ["submit"]
    assert DossierDocument.objects.get(dossier=dossier).slot == 2
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert Message.objects.filter(purpose="dossier_status").exists()


def test_submitting_without_the_declaration_or_a_required_file_lists_every_problem(citizen, procedure):
    draft = submission.start_draft(applicant=citizen, procedure=procedure)
    with pytest.raises(DomainError) as refused:
        submission.submit_draft(draft, declaration=False)
    assert {"declaration", "child_name", "birth_certificate", "agency"} <= set(refused.value.fields)
    assert Dossier.objects.count() == 0
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_a_failure_during_submission_leaves_nothing_behind_and_keeps_the_draft(citizen, procedure):
    draft = ready_draft(citizen, procedure)
    failing = mock.patch.object(submission, "record_event", side_effect=RuntimeError("disk full"))
    with failing, pytest.raises(RuntimeError):
        submission.submit_draft(draft, declaration=True)
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    assert Draft.objects.get(pk=draft.pk).attachments == {"2": [mock.ANY]}


def test_answers_from_an_earlier_dossier_are_offered_again(citizen, procedure):
    submission.submit_draft(ready_draft(citizen, procedure), declaration=True)
    draft = submission.start_draft(applicant=citizen, procedure=procedure)
    assert draft.data.get("phone") == "0912345678"


def test_a_file_of_another_person_cannot_be_attached(citizen, procedure):
    other = make_citizen(id_number="001099000333", phone="0987000333")
    stored = files.store_bytes(make_pdf_bytes(), name="x.pdf", owner=other)
    draft = submission.start_draft(applicant=citizen, procedure=procedure)
    with pytest.raises(DomainError):
        submission.attach_to_draft(draft, slot=2, stored=stored)


def test_a_desk_clerk_registers_a_walk_in_dossier_that_reaches_the_citizens_list(citizen):
    from opendvc.catalog.models import Procedure
    from opendvc.dossiers.selectors import my_dossiers

    clerk = make_official(username="tiepnhan.walkin", totp=False)[0]
    dossier = submission.register_dossier(
        actor=clerk,
        procedure=Procedure.objects.get(code="1.001193"),
        channel="counter",
        applicant_name="Nguyễn Văn An",
        id_number=citizen.id_number,
        phone="0912345678",
    )
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at is not None and dossier.due_at is not None
    assert dossier.applicant == citizen
    assert list(my_dossiers(citizen)) == [dossier]


def test_a_desk_clerk_cannot_register_for_a_procedure_the_agency_does_not_perform():
    from opendvc.catalog.models import Procedure

    clerk = make_official(username="tiepnhan.sai", totp=False)[0]
    passport = (
        Procedure.objects.filter(agency_kinds__slug__startswith="bo-").first()
        or Procedure.objects.exclude(agency_kinds__agencies__code=HOAN_KIEM).first()
    )
    with pytest.raises(DomainError) as refused:
        submission.register_dossier(
            actor=clerk, procedure=passport, channel="counter", applicant_name="Lê Văn B"
        )
    assert "procedure" in refused.value.fields


def test_drafts_are_reminded_three_days_before_and_deleted_after_thirty_days(citizen, procedure):
    with freeze_time("2026-12-01 09:00:00+07:00"):
        draft = submission.start_draft(applicant=citizen, procedure=procedure)
    with freeze_time("2026-12-28 09:00:00+07:00"):
        assert submission.expire_drafts() == (1, 0)
        assert submission.expire_drafts() == (0, 0)
    with freeze_time("2026-12-31 09:01:00+07:00"):
        reminded, deleted = submission.expire_drafts()
    assert reminded == 0 and deleted >= 1
    assert not Draft.objects.filter(pk=draft.pk).exists()
