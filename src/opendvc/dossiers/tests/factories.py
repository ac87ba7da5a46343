"""Dossiers for tests: procedures with a small e-form, dossiers in any status, PDF bytes.

The demo catalogue is loaded once per test session (root conftest); `BIRTH` is its birth registration,
performed by communes such as `HOAN_KIEM`.
"""

import io
from datetime import timedelta

from django.utils import timezone

from opendvc.catalog.models import Agency, Procedure
from opendvc.dossiers.models import Channel, Delivery, Dossier, DossierEvent, FormDefinition, Status
from opendvc.dossiers.services.codes import next_code

BIRTH = "1.001193"
HOAN_KIEM = "000.00.20.H26"

SMALL_FORM = {
    "version": 1,
    "title_vi": "Tờ khai thử nghiệm",
    "steps": [
        {
            "key": "applicant",
            "title_vi": "Người yêu cầu",
            "title_en": "Applicant",
            "fields": [
                {
                    "key": "full_name",
                    "type": "text",
                    "label_vi": "Họ, chữ đệm, tên",
                    "label_en": "Full name",
                    "required": True,
                    "prefill": ["registry.full_name", "profile.full_name"],
                },
                {
                    "key": "phone",
                    "type": "phone",
                    "label_vi": "Số điện thoại",
                    "label_en": "Phone",
                    "required": True,
                    "prefill": "profile.phone",
                },
            ],
        },
        {
            "key": "child",
            "title_vi": "Người được khai sinh",
            "title_en": "Child",
            "fields": [
                {
                    "key": "child_name",
                    "type": "text",
                    "label_vi": "Họ, chữ đệm, tên của trẻ",
                    "label_en": "Child's full name",
                    "required": True,
                },
                {
                    "key": "birth_certificate",
                    "type": "file",
                    "label_vi": "Giấy chứng sinh",
                    "label_en": "Birth certificate",
                    "required": True,
                    "document": 2,
                },
            ],
        },
    ],
}


def make_pdf_bytes(text: str = "Tài liệu thử nghiệm") -> bytes:
    """A small valid PDF (one page with `text`)."""
    # A hand-written minimal PDF: one page, one text line; good enough for upload and signing tests.
    content = f"BT /F1 12 Tf 72 720 Td ({text.encode('ascii', 'replace').decode()}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def birth_procedure() -> Procedure:
    return Procedure.objects.get(code=BIRTH)


def make_procedure_with_form(code: str = BIRTH, schema: dict | None = None, **fields) -> Procedure:
    """The demo procedure `code` with `schema` (default SMALL_FORM) as its newest form version."""
    procedure = Procedure.objects.get(code=code)
    latest = procedure.form_definitions.order_by("-version").first()
    FormDefinition.objects.create(
        procedure=procedure,
        version=(latest.version + 1) if latest else 1,
        schema=schema or SMALL_FORM,
        **fields,
    )
    return procedure


def make_dossier(
    *,
    status: int = Status.SUBMITTED,
    agency_code: str = HOAN_KIEM,
    procedure_code: str = BIRTH,
    applicant=None,
    channel: str = Channel.ONLINE,
    delivery: str = Delivery.ELECTRONIC,
    received_at=None,
    due_in_days: int | None = 3,
    **fields,
) -> Dossier:
    """A dossier put straight into `status` (its timeline has a single event), for reads and transitions."""
    agency = Agency.objects.get(code=agency_code)
    now = timezone.now()
    if received_at is None and status != Status.SUBMITTED:
        received_at = now
    dossier = Dossier.objects.create(
        code=next_code(agency, timezone.localdate(received_at or now)),
        procedure=Procedure.objects.get(code=procedure_code),
        agency=agency,
        applicant=applicant,
        applicant_name=applicant.full_name if applicant else fields.pop("applicant_name", "Nguyễn Văn An"),
        applicant_id_number=(applicant.id_number if applicant else "") or "",
        applicant_phone=fields.pop("applicant_phone", ""),
        channel=channel,
        status=status,
        delivery=delivery,
        received_at=received_at,
        due_at=(now + timedelta(days=due_in_days)) if due_in_days is not None else None,
        **fields,
    )
    DossierEvent.objects.create(dossier=dossier, action="submit", to_status=status, actor=applicant)
    return dossier
