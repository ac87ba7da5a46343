"""SMS and e-mail to the sender of a feedback: its code, what the agency did, and the link to act on it.

Messages are in Vietnamese (settings.LANGUAGE_CODE). The SMS is one short sentence and a link; the e-mail
also carries the details. The sender's private link (with their token) is a secret: it is redacted from
the stored copy of a message that a real gateway delivers.
"""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from opendvc.notifications.errors import InvalidRecipient
from opendvc.notifications.services import send_email, send_sms

logger = logging.getLogger(__name__)


def public_url(feedback) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("feedback:track") + f"?ma={feedback.code}"


def private_url(feedback) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/") + reverse("feedback:sender", args=[feedback.code])
    return f"{base}?k={feedback.sender_token}" if feedback.sender_token else base


def _notify(feedback, sentence: str, details: str = "") -> None:
    """ "PAKN <code>: <sentence> <private link>" by SMS; the same with `details` by e-mail."""
    link = private_url(feedback)
    secret = feedback.sender_token or None
    with override(settings.LANGUAGE_CODE):
        sms = _("PAKN %(code)s: %(sentence)s %(link)s") % {
            "code": feedback.code,
            "sentence": sentence,
            "link": link,
        }
        subject = _("Phản ánh, kiến nghị %(code)s") % {"code": feedback.code}
        body = _(
            "Kính gửi %(name)s,\n\nPhản ánh, kiến nghị %(code)s “%(title)s”: %(sentence)s\n%(details)s\n"
            "Theo dõi, bổ sung thông tin hoặc phản hồi câu trả lời tại:\n%(link)s\n\nCổng Dịch vụ công"
        ) % {
            "name": feedback.sender_name,
            "code": feedback.code,
            "title": feedback.title,
            "sentence": sentence,
            "details": f"\n{details}\n" if details else "",
            "link": link,
        }
    if feedback.sender_phone:
        try:
            send_sms(feedback.sender_phone, sms, purpose="feedback", secret=secret)
        except (InvalidRecipient, ValueError):
            logger.warning("Feedback %s: no SMS sent", feedback.code)
    if feedback.sender_email:
        try:
            send_email(feedback.sender_email, subject, body, purpose="feedback", secret=secret)
        except (InvalidRecipient, ValueError):
            logger.warning("Feedback %s: no e-mail sent", feedback.code)


def submitted(feedback) -> None:
    with override(settings.LANGUAGE_CODE):
        _notify(feedback, _("đã gửi tới %(agency)s.") % {"agency": feedback.agency.name_vi})


def forwarded(feedback) -> None:
    with override(settings.LANGUAGE_CODE):
        _notify(feedback, _("đã chuyển tới %(agency)s giải quyết.") % {"agency": feedback.agency.name_vi})


def refused(feedback, reason: str) -> None:
    with override(settings.LANGUAGE_CODE):
        _notify(feedback, _("không được tiếp nhận."), _("Lý do: %(reason)s") % {"reason": reason})


def info_requested(feedback, question: str) -> None:
    with override(settings.LANGUAGE_CODE):
        _notify(feedback, _("cơ quan đề nghị bạn bổ sung thông tin."), question)


def answered(feedback) -> None:
    with override(settings.LANGUAGE_CODE):
        _notify(feedback, _("đã có câu trả lời."), feedback.answer)
