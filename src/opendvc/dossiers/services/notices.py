"""SMS and e-mail to the applicant when their dossier moves (no ID numbers in texts, codes only)."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from opendvc.notifications.errors import InvalidRecipient
from opendvc.notifications.services import send_email, send_sms

logger = logging.getLogger(__name__)


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "d/m/Y") if moment else ""


def tracking_url(dossier) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("dossiers:track") + f"?ma={dossier.code}"


def _send(dossier, sms: str, subject: str, body: str) -> None:
    if dossier.applicant_phone:
        try:
            send_sms(dossier.applicant_phone, sms, purpose="dossier_status")
        except (InvalidRecipient, ValueError):
            logger.warning("Dossier %s: no SMS sent to an unusable number", dossier.code)
    if dossier.applicant_email:
        try:
            send_email(dossier.applicant_email, subject, body, purpose="dossier_status")
        except (InvalidRecipient, ValueError):
            logger.warning("Dossier %s: no e-mail sent to an unusable address", dossier.code)


def notify(dossier, sentence: str) -> None:
    """ "Hồ sơ <code> <sentence>" by SMS and e-mail to the applicant, in Vietnamese."""
    with override(settings.LANGUAGE_CODE):
        sms = _("Hồ sơ %(code)s %(sentence)s") % {"code": dossier.code, "sentence": sentence}
        subject = _("Hồ sơ %(code)s") % {"code": dossier.code}
        body = _(
            "Kính gửi %(name)s,\n\n%(sentence)s\n\nThủ tục: %(procedure)s\nCơ quan: %(agency)s\n"
            "Tra cứu hồ sơ: %(url)s\n\nCổng Dịch vụ công"
        ) % {
            "name": dossier.applicant_name,
            "sentence": sms,  # the whole sentence, "Hồ sơ <code> đã được tiếp nhận…"
            "procedure": dossier.procedure.name_vi,
            "agency": dossier.agency.name_vi,
            "url": tracking_url(dossier),
        }
    _send(dossier, sms, subject, body)


def submitted(dossier) -> None:
    notify(
        dossier,
        _("đã nộp thành công, đang chờ cơ quan tiếp nhận. Dự kiến trả kết quả: %(due)s.")
        % {"due": _day(dossier.due_at)},
    )


def received(dossier) -> None:
    notify(dossier, _("đã được tiếp nhận. Hẹn trả kết quả: %(due)s.") % {"due": _day(dossier.due_at)})


def refused(dossier, reason: str) -> None:
    notify(dossier, _("không được tiếp nhận. Lý do: %(reason)s") % {"reason": reason})


def supplement_requested(dossier, items: list[str]) -> None:
    notify(dossier, _("cần bổ sung: %(items)s. Vui lòng bổ sung trên Cổng.") % {"items": "; ".join(items)})


def supplemented(dossier) -> None:
    notify(dossier, _("đã nhận phần bổ sung. Hẹn trả kết quả: %(due)s.") % {"due": _day(dossier.due_at)})


def payment_requested(dossier, amount: int, reason: str) -> None:
    notify(
        dossier,
        _("cần nộp %(amount)s đồng (%(reason)s).")
        % {"amount": f"{amount:,}".replace(",", "."), "reason": reason},
    )


def stopped(dossier, reason: str) -> None:
    notify(dossier, _("đã dừng xử lý. Lý do: %(reason)s") % {"reason": reason})


def processed(dossier) -> None:
    notify(dossier, _("đã có kết quả."))


def returned(dossier) -> None:
    notify(dossier, _("đã trả kết quả. Mời bạn đánh giá mức độ hài lòng trên Cổng."))


def apologised(dossier, new_due) -> None:
    notify(dossier, _("chậm so với hẹn. Cơ quan xin lỗi và hẹn lại ngày %(due)s.") % {"due": _day(new_due)})


def draft_expiring(draft) -> None:
    """An e-mail (or SMS) 3 days before a draft is deleted."""
    account = draft.applicant
    with override(settings.LANGUAGE_CODE):
        sentence = _("Hồ sơ nháp “%(procedure)s” sẽ bị xóa vào ngày %(day)s nếu bạn không tiếp tục.") % {
            "procedure": draft.procedure.name_vi,
            "day": _day(draft.expires_at),
        }
        url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("dossiers:drafts")
        if account.email:
            try:
                send_email(
                    account.email, _("Hồ sơ nháp sắp hết hạn"), f"{sentence}\n\n{url}", purpose="draft_expiry"
                )
                return
            except (InvalidRecipient, ValueError):
                pass
        phone = account.otp_phone
        if phone is not None:
            try:
                send_sms(phone.number, sentence, purpose="draft_expiry")
            except (InvalidRecipient, ValueError):
                logger.warning("Draft %s: no reminder sent", draft.pk)
