"""The visible part of the agency's signature: a small box on the last page saying who signed, when, and
where to verify. Drawn by WeasyPrint (DejaVu fonts, so Vietnamese diacritics render) and imported into
the signature's appearance stream; the signature itself does not depend on it."""

import binascii
import io
import uuid

from django.template.loader import render_to_string
from django.utils import timezone, translation
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import StaticStampStyle

# Width and height of the box, in PDF points, and its distance from the page's bottom-right corner.
WIDTH, HEIGHT, MARGIN = 260, 64, 18


class _PdfPageContent(content.PdfContent):
    """The first page of an in-memory PDF as a form XObject (pyHanko's ImportedPdfPage reads a file)."""

    def __init__(self, pdf: bytes):
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)), page_ix=0)
        name = "/Stamp" + binascii.hexlify(uuid.uuid4().bytes).decode()
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return name.encode() + b" Do"


def stamp_style(*, signer_name: str, signed_at, verify_at: str, qr: bool = False) -> StaticStampStyle:
    """The box's look; with `qr`, a QR code of `verify_at` that a phone opens to check this very file."""
    import segno

    from opendvc.dossiers.letters import html_to_pdf

    with translation.override("vi"):
        html = render_to_string(
            "dossiers/letters/signature_stamp.html",
            {
                "signer_name": signer_name,
                "signed_at": timezone.localtime(signed_at),
                "verify_at": verify_at,
                "qr": segno.make(verify_at, error="m").svg_data_uri(scale=2, border=0) if qr else "",
                "width": WIDTH,
                "height": HEIGHT,
            },
        )
    return StaticStampStyle(
        background=_PdfPageContent(html_to_pdf(html)),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


def stamp_box(page_box) -> tuple[int, int, int, int]:
    """(x1, y1, x2, y2) of the stamp in the bottom-right corner of a page whose box is `page_box`."""
    x1, y1, x2, y2 = (float(v) for v in page_box)
    left, bottom = min(x1, x2), min(y1, y2)
    right = max(x1, x2)
    width = min(WIDTH, int(right - left) - 2 * MARGIN)
    return (
        int(right) - MARGIN - width,
        int(bottom) + MARGIN,
        int(right) - MARGIN,
        int(bottom) + MARGIN + HEIGHT,
    )
