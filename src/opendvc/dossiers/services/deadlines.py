"""The due date of a dossier (ngày hẹn trả kết quả).

From the procedure's processing time, counted by `core.calendar` from receipt (after 15:00 counts from the
next working day), extended by the time spent waiting for supplements; an apology letter (Decree 61/2018,
art. 19: mandatory when a dossier will be late) sets a new due date, later pauses extending that one.
"""

from datetime import datetime, time

from django.conf import settings
from django.utils import timezone

from opendvc.core import calendar

# Procedures with no processing time in the catalogue ("ngay trong ngày" is 0): the due date is the end of
# the first working day counted.
DEFAULT_DAYS = 0


def due_date_for(procedure, received_at: datetime, *, pauses=()) -> datetime:
    """The due date of a dossier for `procedure` received at `received_at`, with supplement pauses."""
    amount = procedure.processing_time if procedure.processing_time is not None else DEFAULT_DAYS
    unit = procedure.processing_time_unit or "working_days"
    return calendar.due_at(received_at, amount, unit, pauses=list(pauses))


def pauses_of(dossier, *, after: datetime | None = None) -> list[tuple[datetime, datetime | None]]:
    return [
        (s.requested_at, s.answered_at)
        for s in dossier.supplements.all()
        if after is None or s.requested_at >= after
    ]


def current_due(dossier, *, apology_due: datetime | None = None, apology_at: datetime | None = None):
    """Recompute the due date after receipt, a supplement answered, or an apology letter."""
    if dossier.received_at is None:
        return None
    if apology_due is None:
        return due_date_for(dossier.procedure, dossier.received_at, pauses=pauses_of(dossier))
    due = apology_due
    for start, end in pauses_of(dossier, after=apology_at):
        end = end or timezone.now()
        days = calendar.working_days_between(timezone.localdate(start), timezone.localdate(end))
        if days:
            day = calendar.add_working_days(timezone.localdate(due), days)
            due = timezone.make_aware(datetime.combine(day, timezone.localtime(due).time()))
    return due


def end_of_working_day(day) -> datetime:
    """17:00 (WORKDAY_END) local on `day`: the time of a due date given as a day (apology letters)."""
    hour, minute = (int(part) for part in str(getattr(settings, "WORKDAY_END", "17:00")).split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
