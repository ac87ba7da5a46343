"""Reminding officials of dossiers about to fall due (run by Celery beat, `tasks.remind_due_dossiers_task`).

An open dossier due within `DOSSIER_REMINDER_WORKING_DAYS` working days (default 1: due by the end of the
next working day) gets one reminder, by e-mail or else SMS, to its handler, or to the agency's desk clerks
while nobody handles it; the dossier's timeline records it as an internal event. Once per dossier
(`Dossier.reminded_at`), even if several beat workers run at the same time.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from opendvc.accounts.models import Account, AccountKind, OfficialRole
from opendvc.core import calendar
from opendvc.dossiers.models import Dossier, Status
from opendvc.dossiers.services.actions import record_event
from opendvc.notifications.errors import InvalidRecipient
from opendvc.notifications.services import send_email, send_sms

logger = logging.getLogger(__name__)

# The statuses in which the agency's clock runs; a dossier waiting for a supplement (5) is paused and its
# due date will move, so it is reminded once it runs again.
RUNNING_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT)


def reminder_working_days() -> int:
    return int(getattr(settings, "DOSSIER_REMINDER_WORKING_DAYS", 1))


def due_soon_until(now: datetime) -> datetime:
    """The end of the last local day a dossier may fall due on to be reminded at `now`."""
    last_day = calendar.add_working_days(timezone.localdate(now), reminder_working_days())
    return timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))


def remind_due_dossiers(now: datetime | None = None) -> int:
    """Send the reminders due at `now`; returns how many dossiers were reminded."""
    now = now or timezone.now()
    candidates = (
        Dossier.objects.filter(
            status__in=RUNNING_STATUSES,
            reminded_at__isnull=True,
            due_at__gt=now,
            due_at__lt=due_soon_until(now),
        )
        .select_related("procedure", "agency", "handler")
        .order_by("due_at", "id")
    )
    reminded = 0
    for dossier in candidates:
        if _remind(dossier, now):
            reminded += 1
    return reminded


def recipients_of(dossier: Dossier) -> list[Account]:
    """The handler if one is assigned (and active), else the agency's active desk clerks."""
    handler = dossier.handler
    if handler is not None and handler.is_active:
        return [handler]
    officials = Account.objects.filter(
        kind=AccountKind.OFFICIAL, agency_id=dossier.agency_id, is_active=True
    ).order_by("id")
    return [a for a in officials if a.has_role(OfficialRole.DESK_CLERK)]


@transaction.atomic
def _remind(dossier: Dossier, now: datetime) -> bool:
    people = recipients_of(dossier)
    if not people:
        logger.warning("Dossier %s falls due soon but its agency has no handler or desk clerk", dossier.code)
        return False
    # Claim the dossier first: of two workers, only the one whose update wins sends anything.
    if not Dossier.objects.filter(pk=dossier.pk, reminded_at__isnull=True).update(reminded_at=now):
        return False
    dossier.reminded_at = now
    sent = sum(_notify(person, dossier) for person in people)
    with override(settings.LANGUAGE_CODE):
        comment = _("Nhắc hạn xử lý: hồ sơ đến hạn trả kết quả %(due)s.") % {"due": _day(dossier.due_at)}
    record_event(
        dossier,
        "remind",
        actor_name=_system_name(),
        from_status=dossier.status,
        comment=comment,
        public=False,
        recipients=len(people),
        sent=sent,
        to="handler" if dossier.handler_id else "desk_clerks",
    )
    return True


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "d/m/Y H:i")


def _system_name() -> str:
    with override(settings.LANGUAGE_CODE):
        return _("Hệ thống")


def _notify(person: Account, dossier: Dossier) -> int:
    """E-mail the official, or send an SMS to their phone when they have no address; 1 if sent."""
    with override(settings.LANGUAGE_CODE):
        url = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "dossiers:backoffice_detail", args=[dossier.code]
        )
        values = {"code": dossier.code, "due": _day(dossier.due_at), "procedure": dossier.procedure.name_vi}
        sms = _("Hồ sơ %(code)s đến hạn trả kết quả lúc %(due)s. Vui lòng xử lý kịp thời.") % values
        subject = _("Hồ sơ %(code)s sắp đến hạn trả kết quả") % values
        body = _(
            "Kính gửi %(name)s,\n\nHồ sơ %(code)s (%(procedure)s) đến hạn trả kết quả lúc %(due)s.\n"
            "Nếu không kịp, vui lòng gửi phiếu xin lỗi và hẹn lại ngày trả kết quả cho người nộp.\n\n"
            "Mở hồ sơ: %(url)s\n\nCổng Dịch vụ công"
        ) % {**values, "name": person.full_name, "url": url}
    if person.email:
        try:
            send_email(person.email, subject, body, purpose="dossier_reminder")
            return 1
        except (InvalidRecipient, ValueError):
            logger.warning("Dossier %s: no reminder e-mail to official %s", dossier.code, person.pk)
    phone = person.otp_phone
    if phone is not None:
        try:
            send_sms(phone.number, sms, purpose="dossier_reminder")
            return 1
        except (InvalidRecipient, ValueError):
            logger.warning("Dossier %s: no reminder SMS to official %s", dossier.code, person.pk)
    return 0
