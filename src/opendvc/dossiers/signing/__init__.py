"""The agency's electronic signature on electronic results: PAdES signatures with the agency's certificate.

`sign_result(stored, agency=, owner=)` signs a result PDF as the agency (PAdES-B-B; PAdES-B-T when
settings.DOSSIER_SEAL_TSA_URL names an RFC 3161 time-stamping service) and stores the signed copy as a
new StoredFile. The certificate and key come from the `AgencySealProvider` named by
settings.DOSSIER_SEAL_PROVIDER (see `seals`). A visible box on the last page says who signed, when, and
where anyone can check it (`dossiers:verify`). Verification lives in `dossiers.verification`.
"""

import logging
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimestampRequestError

from opendvc.core import audit
from opendvc.dossiers.models import StoredFile
from opendvc.dossiers.signing.appearance import stamp_box, stamp_style
from opendvc.dossiers.signing.pdf import READ_ERRORS, UnreadablePdf, run, unreadable, writer_for
from opendvc.dossiers.signing.seals import (
    AgencySealProvider,
    Pkcs12Seals,
    SealUnavailable,
    TestCaSeals,
    seal_provider,
)

logger = logging.getLogger(__name__)

__all__ = [
    "AgencySealProvider",
    "Pkcs12Seals",
    "SealUnavailable",
    "TestCaSeals",
    "UnreadablePdf",
    "seal_provider",
    "sign_pdf",
    "sign_result",
]


def sign_pdf(content: bytes, *, agency, verify_at: str | None = None) -> bytes:
    """`content` (a PDF) with the agency's signature added as an incremental update; the visible box shows
    `verify_at` (the file's own verification page) as text and QR code, or the public verification page.
    Raises UnreadablePdf for a file pyHanko cannot open, SealUnavailable if the agency has no certificate."""
    writer = writer_for(content)
    signer = seal_provider().signer_for(agency)
    now = timezone.now()
    field_name = f"OpenDVC-{uuid.uuid4().hex[:12]}"
    try:
        page_ref, _resources = writer.find_page_for_modification(-1)
        box = stamp_box(_page_box(page_ref.get_object()))
    except READ_ERRORS as exc:
        raise unreadable(f"page tree ({type(exc).__name__})") from exc
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=_("Kết quả giải quyết thủ tục hành chính"),
        location=agency.name_vi,
        name=agency.name_vi,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=_timestamper(),
        stamp_style=stamp_style(
            signer_name=agency.name_vi,
            signed_at=now,
            verify_at=verify_at or (_portal_base() + reverse("dossiers:verify")),
            qr=bool(verify_at),
        ),
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=-1, box=box),
    )
    try:
        output = run(lambda: pdf_signer.async_sign_pdf(writer))
    except TimestampRequestError as exc:
        logger.error(
            "Time-stamping service %s failed: %s", getattr(settings, "DOSSIER_SEAL_TSA_URL", ""), exc
        )
        raise SealUnavailable(
            _(
                "Chưa ký số được kết quả: dịch vụ cấp dấu thời gian không trả lời. "
                "Vui lòng thử lại sau ít phút."
            )
        ) from exc
    except SigningError as exc:
        # E.g. a certification signature already on the file forbids any change.
        logger.info("PDF refused by the signer: %s", exc)
        raise UnreadablePdf(
            _(
                "Không ký số được tệp PDF này: tệp có thể đã bị khóa bởi một chữ ký số khác. "
                "Vui lòng dùng tệp PDF gốc chưa ký."
            )
        ) from exc
    except READ_ERRORS as exc:
        raise unreadable(f"signing ({type(exc).__name__})") from exc
    return output.getvalue()


def sign_result(stored: StoredFile, *, agency, owner) -> StoredFile:
    """The signed copy of the result `stored` (a PDF), kept as a new StoredFile of origin RESULT owned by
    `owner` (the applicant); `stored` itself is left as it is."""
    from opendvc.dossiers.services.files import store_bytes

    if stored.content_type != "application/pdf":
        raise UnreadablePdf(_("Chỉ ký số được kết quả ở định dạng PDF."))
    from opendvc.dossiers.verification import new_reference, url_for_reference

    with stored.file.open("rb") as handle:
        content = handle.read()
    reference = new_reference()  # known before signing, so the result carries its own QR code
    signed = sign_pdf(content, agency=agency, verify_at=url_for_reference(reference))
    result = store_bytes(signed, name=stored.name, owner=owner, origin=StoredFile.Origin.RESULT)
    result.reference = reference
    result.save(update_fields=["reference"])
    audit.record(
        "dossier.result_signed",
        target=result,
        agency=agency.code,
        source_file=stored.pk,
        sha256=result.sha256,
    )
    return result


def _page_box(page) -> list:
    """The page's CropBox or MediaBox, which a page may inherit from its parents."""
    node = page
    while node is not None:
        for key in ("/CropBox", "/MediaBox"):
            if key in node:
                return list(node[key])
        node = node.get_object().get("/Parent")
        node = node.get_object() if node is not None else None
    return [0, 0, 595, 842]  # A4, when a broken file says nothing


def _portal_base() -> str:
    return getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def _timestamper():
    url = getattr(settings, "DOSSIER_SEAL_TSA_URL", "")
    if not url:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=float(getattr(settings, "DOSSIER_SEAL_TSA_TIMEOUT", 10)))
