"""Opening PDFs with pyHanko, and running its async API from sync code, for signing and verification."""

import asyncio
import concurrent.futures
import io
import logging

from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from opendvc.core.errors import DomainError

logger = logging.getLogger(__name__)

# What pyHanko raises, or lets escape from its parser, on a file that is not a readable PDF.
READ_ERRORS = (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, OSError)


class UnreadablePdf(DomainError):
    """The bytes are not a PDF pyHanko can open: not a PDF at all, damaged, or encrypted."""

    code = "unreadable_pdf"


def unreadable(detail: str) -> UnreadablePdf:
    logger.info("PDF refused: %s", detail)
    return UnreadablePdf(
        _(
            "Tệp không phải là tệp PDF hợp lệ, bị hỏng hoặc được đặt mật khẩu nên không đọc được. "
            "Vui lòng dùng tệp PDF gốc, không đặt mật khẩu."
        )
    )


def read_pdf(content: bytes) -> PdfFileReader:
    """A reader over `content`, or UnreadablePdf. Encrypted files are refused."""
    if not content or not bytes(content[:1024]).lstrip().startswith(b"%PDF-"):
        raise unreadable("no %PDF- header")
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        if reader.encrypted:
            raise unreadable("encrypted")
        reader.root["/Pages"]
    except UnreadablePdf:
        raise
    except READ_ERRORS as exc:
        raise unreadable(f"{type(exc).__name__}") from exc
    return reader


def writer_for(content: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer over `content` (signing never rewrites what is there), or UnreadablePdf."""
    read_pdf(content)
    try:
        return IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    except READ_ERRORS as exc:
        raise unreadable(f"{type(exc).__name__}") from exc


def run(coroutine_factory):
    """Run one of pyHanko's coroutines from sync code, also in a thread that already runs an event loop
    (Playwright's sync API does; pyHanko's own sync wrappers would fail there)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_factory())).result()
