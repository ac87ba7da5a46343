"""Dossiers that owe something, for payment tests.

`owing_dossier` files a dossier of "Cấp bản sao trích lục hộ tịch" (8.000 đ per copy, a commune
procedure) at UBND phường Hoàn Kiếm with a small e-form asking the number of copies, and announces its
submission event, so that the charges come from the same path as a real submission.
"""

from opendvc.catalog.models import Procedure
from opendvc.dossiers.models import Dossier, FormDefinition, Status
from opendvc.dossiers.signals import dossier_event
from opendvc.dossiers.tests.factories import HOAN_KIEM, make_dossier

EXTRACT = "2.000635"  # Cấp bản sao trích lục hộ tịch: 8.000 đ per copy
COPIES_FORM = {
    "version": 1,
    "title_vi": "Tờ khai cấp bản sao trích lục",
    "steps": [
        {
            "key": "request",
            "title_vi": "Yêu cầu",
            "fields": [
                {"key": "copies", "type": "number", "label_vi": "Số bản sao", "required": True, "min": 1},
            ],
        }
    ],
}


def copies_form(procedure_code: str = EXTRACT, schema: dict | None = None) -> FormDefinition:
    procedure = Procedure.objects.get(code=procedure_code)
    latest = procedure.form_definitions.order_by("-version").first()
    return FormDefinition.objects.create(
        procedure=procedure, version=(latest.version + 1) if latest else 1, schema=schema or COPIES_FORM
    )


def owing_dossier(*, copies: int = 2, applicant=None, status: int = Status.SUBMITTED, agency_code=HOAN_KIEM):
    """A dossier that owes 8.000 đ × `copies`, filed by `applicant`."""
    form = copies_form()
    dossier = make_dossier(
        status=status,
        procedure_code=EXTRACT,
        agency_code=agency_code,
        applicant=applicant,
        form_definition=form,
        data={"copies": copies},
        applicant_phone=applicant.otp_phone.number if applicant and applicant.otp_phone else "",
    )
    # The submission as the timeline tells it to the apps that listen (the charges come from there).
    dossier_event.send(sender=Dossier, dossier=dossier, event=dossier.events.get())
    return dossier
