"""Sending a feedback (anyone, signed in or not) and recognising its sender later.

One transaction: the feedback with its tracking code and deadlines, its attachments and first history
entry; then the sender gets the code and their private link by SMS and e-mail. Every problem is reported
at once, by field, and nothing is kept.
"""

import hmac
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.catalog.models import Agency, Procedure
from opendvc.core.errors import DomainError
from opendvc.core.personal_data import normalize_phone
from opendvc.core.text import nfc
from opendvc.dossiers.models import Dossier
from opendvc.feedback import deadlines, notices
from opendvc.feedback.models import Attachment, Feedback, Kind, Status
from opendvc.feedback.services.handling import record

_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_FILES = 5
LIMITS = {"title": 200, "content": 5000, "sender_name": 255, "sender_address": 500, "sender_email": 254}


def new_code() -> str:
    """'PA-261207-K7Q2M9': the day and 6 random characters (not guessable, easy to read out)."""
    return f"PA-{timezone.localdate():%y%m%d}-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


def _clean(value: str) -> str:
    return nfc((value or "").replace("\x00", "")).strip()


def is_sender(feedback: Feedback, *, account=None, token: str = "") -> bool:
    """The account that sent it, or whoever holds its private link's token."""
    if account is not None and account.is_authenticated and feedback.sender_id == account.pk:
        return True
    if not token or not feedback.sender_token:
        return False
    return hmac.compare_digest(str(token).encode("utf-8", "replace"), feedback.sender_token.encode())


def submit(
    *,
    kind: str,
    title: str,
    content: str,
    sender_name: str,
    sender_phone: str,
    sender_email: str = "",
    sender_address: str = "",
    agency_code: str,
    procedure_code: str = "",
    dossier_code: str = "",
    files=(),
    account=None,
) -> Feedback:
    """A new feedback at `agency_code`; DomainError(code="invalid_input") listing every problem."""
    values = {
        "title": " ".join(_clean(title).split()),
        "content": _clean(content),
        "sender_name": " ".join(_clean(sender_name).split()),
        "sender_email": _clean(sender_email),
        "sender_address": _clean(sender_address),
    }
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Chọn loại phản ánh, kiến nghị.")]
    required = {
        "title": _("Nhập tiêu đề phản ánh, kiến nghị."),
        "content": _("Nhập nội dung phản ánh, kiến nghị."),
        "sender_name": _("Nhập họ và tên của bạn."),
    }
    for key, message in required.items():
        if not values[key]:
            errors[key] = [message]
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            errors.setdefault(key, []).append(_("Tối đa %(n)d ký tự.") % {"n": limit})
    phone = normalize_phone(sender_phone)
    if not phone:
        errors["sender_phone"] = [
            _("Nhập số điện thoại di động Việt Nam (10 chữ số) để nhận mã tra cứu và kết quả.")
        ]
    if values["sender_email"] and "@" not in values["sender_email"]:
        errors["sender_email"] = [_("Thư điện tử không hợp lệ.")]
    agency = Agency.objects.filter(code=_clean(agency_code)).first()
    if agency is None:
        errors["agency"] = [_("Chọn cơ quan nhận phản ánh, kiến nghị.")]
    procedure = None
    if _clean(procedure_code):
        procedure = Procedure.objects.filter(code=_clean(procedure_code)).first()
        if procedure is None:
            errors["procedure"] = [
                _("Không có thủ tục với mã này. Để trống nếu không phản ánh về một thủ tục.")
            ]
    dossier = None
    if _clean(dossier_code):
        dossier = Dossier.objects.filter(code="".join(_clean(dossier_code).split()).upper()).first()
        if dossier is None:
            errors["dossier"] = [_("Không tìm thấy hồ sơ có mã này. Kiểm tra lại mã hoặc để trống.")]
    if len(files) > MAX_FILES:
        errors["files"] = [_("Đính kèm tối đa %(n)d tệp.") % {"n": MAX_FILES}]
    if errors:
        raise DomainError(
            _("Phản ánh, kiến nghị chưa gửi được. Vui lòng sửa các mục được đánh dấu."),
            code="invalid_input",
            fields=errors,
        )
    return _create(kind, values, phone, agency, procedure, dossier, files, account)


def _create(kind, values, phone, agency, procedure, dossier, files, account) -> Feedback:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                feedback = _insert(kind, values, phone, agency, procedure, dossier, files, account)
        except IntegrityError:
            continue  # the same code drawn twice: 31^6 a day, rare
        notices.submitted(feedback)
        return feedback
    raise DomainError(_("Chưa gửi được. Vui lòng thử lại."), code="code_exhausted", status=503)


def _insert(kind, values, phone, agency, procedure, dossier, files, account) -> Feedback:
    now = timezone.now()
    feedback = Feedback(
        code=new_code(),
        kind=kind,
        title=values["title"],
        content=values["content"],
        sender=account if account is not None and account.is_authenticated else None,
        sender_name=values["sender_name"],
        sender_phone=phone,
        sender_email=values["sender_email"],
        sender_address=values["sender_address"],
        sender_token=secrets.token_urlsafe(18),
        agency=agency,
        first_agency=agency,
        procedure=procedure,
        dossier=dossier,
        status=Status.NEW,
        submitted_at=now,
        updated_at=now,
    )
    deadlines.start_clock(feedback, now)
    feedback.save()
    Attachment.objects.bulk_create(
        [Attachment(feedback=feedback, role=Attachment.Role.SENDER, file=f, added_at=now) for f in files]
    )
    record(feedback, "submit", actor=account, actor_name=feedback.sender_name, files=len(files))
    return feedback
