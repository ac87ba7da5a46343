"""Uploads: the type is decided by the bytes, not the name; sizes are capped; names are made safe.

Allowed: PDF, JPG, PNG, DOC, DOCX, XLS, XLSX; at most 10 MB a file and 50 MB a dossier (settings
`DOSSIER_MAX_FILE_BYTES`, `DOSSIER_MAX_TOTAL_BYTES`). Files go to Django's default storage (local files in
the embedded default, S3-compatible object storage in production) under a random name.
"""

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.core.errors import DomainError
from opendvc.dossiers.models import StoredFile

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOC: ".doc", XLS: ".xls", DOCX: ".docx", XLSX: ".xlsx"}
ALLOWED_TEXT = "PDF, JPG, PNG, DOC, DOCX, XLS, XLSX"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UNSAFE = re.compile(r"[^\w\s.\-()]+", re.UNICODE)


class InvalidFile(DomainError):
    code = "invalid_file"


def max_file_bytes() -> int:
    return getattr(settings, "DOSSIER_MAX_FILE_BYTES", 10 * 1024 * 1024)


def max_total_bytes() -> int:
    return getattr(settings, "DOSSIER_MAX_TOTAL_BYTES", 50 * 1024 * 1024)


def sniff(content: bytes) -> str | None:
    """The content type the bytes really are, among the allowed ones, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(_OLE):
        # Compound File directory entries are UTF-16LE names: Word keeps "WordDocument", Excel "Workbook".
        if "WordDocument".encode("utf-16-le") in content:
            return DOC
        if "Workbook".encode("utf-16-le") in content or "Book".encode("utf-16-le") in content:
            return XLS
        return None
    if content.startswith(b"PK\x03\x04"):
        return _office_open_xml(content)
    return None


def _office_open_xml(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def safe_name(name: str, content_type: str) -> str:
    """The file's display name: no path, no control or markup characters, NFC, the true extension."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = " ".join(_UNSAFE.sub(" ", stem).split()).strip(" .-")[:120] or _("tai-lieu")
    return stem + EXTENSIONS[content_type]


def read_upload(upload) -> bytes:
    """The bytes of an UploadedFile, refusing more than the per-file limit without reading it all."""
    limit = max_file_bytes()
    if getattr(upload, "size", 0) and upload.size > limit:
        raise InvalidFile(_too_big(upload.name))
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise InvalidFile(_too_big(upload.name))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(name) -> str:
    return _("Tệp “%(name)s” lớn hơn %(mb)d MB. Vui lòng nén hoặc chia nhỏ tệp.") % {
        "name": safe_name(name, PDF).removesuffix(".pdf"),
        "mb": max_file_bytes() // (1024 * 1024),
    }


def store_bytes(content: bytes, *, name: str, owner=None, origin=StoredFile.Origin.UPLOAD) -> StoredFile:
    """Check and store `content`; raises InvalidFile with a message naming the file and the rule."""
    if not content:
        raise InvalidFile(_("Tệp “%(name)s” rỗng.") % {"name": name})
    if len(content) > max_file_bytes():
        raise InvalidFile(_too_big(name))
    content_type = sniff(content)
    if content_type is None:
        raise InvalidFile(
            _(
                "Tệp “%(name)s” không phải định dạng được chấp nhận (%(allowed)s). Định dạng được xác định "
                "theo nội dung tệp, không theo tên."
            )
            % {"name": name, "allowed": ALLOWED_TEXT}
        )
    stored = StoredFile(
        owner=owner,
        origin=origin,
        name=safe_name(name, content_type),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=timezone.now(),
    )
    stored.file.save(uuid.uuid4().hex + EXTENSIONS[content_type], ContentFile(content), save=False)
    stored.save()
    return stored


def store_upload(upload, *, owner=None, origin=StoredFile.Origin.UPLOAD) -> StoredFile:
    return store_bytes(read_upload(upload), name=upload.name, owner=owner, origin=origin)


def check_dossier_total(files) -> None:
    total = sum(f.size for f in files)
    if total > max_total_bytes():
        raise InvalidFile(
            _("Tổng dung lượng hồ sơ vượt quá %(mb)d MB.") % {"mb": max_total_bytes() // (1024 * 1024)}
        )
