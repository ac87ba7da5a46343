"""Parallel online submissions to one agency on one day never share a dossier code (PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection

from opendvc.accounts.tests.factories import make_citizen
from opendvc.catalog.models import Agency
from opendvc.dossiers.models import Delivery, Dossier
from opendvc.dossiers.services import submission
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_procedure_with_form

NO_FILES_FORM = {
    "version": 1,
    "title_vi": "Tờ khai",
    "steps": [
        {
            "key": "child",
            "title_vi": "Người được khai sinh",
            "title_en": "Child",
            "fields": [
                {
                    "key": "child_name",
                    "type": "text",
                    "label_vi": "Họ và tên",
                    "label_en": "Name",
                    "required": True,
                }
            ],
        }
    ],
}
SUBMISSIONS = 24


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's shared in-memory test database locks instead of waiting; SQLite serialises writes",
)
def test_twenty_four_parallel_submissions_get_twenty_four_distinct_consecutive_codes():
    call_command("load_demo", verbosity=0)
    procedure = make_procedure_with_form(schema=NO_FILES_FORM)
    agency = Agency.objects.get(code=HOAN_KIEM)
    drafts = []
    for n in range(SUBMISSIONS):
        citizen = make_citizen(id_number=f"0010990{n:05d}", phone=f"09120{n:05d}")
        draft = submission.start_draft(applicant=citizen, procedure=procedure)
        draft, errors = submission.save_draft_step(draft, step="child", values={"child_name": f"Bé số {n}"})
        assert errors == {}
        draft, errors = submission.set_delivery(
            draft, agency_code=agency.code, delivery=Delivery.ELECTRONIC, address=""
        )
        assert errors == {}
        drafts.append(draft)

    def submit(draft):
        try:
            return submission.submit_draft(draft, declaration=True).code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(submit, drafts))

    assert len(set(codes)) == SUBMISSIONS
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, SUBMISSIONS + 1))
    assert Dossier.objects.filter(agency=agency).count() == SUBMISSIONS
