"""The deadlines of a feedback, in working days at the agency that holds it (domain.md, *(check)*):

receive, refuse or forward within 2; ask the sender for more information within 5; answer within 15 (the
time the sender takes to answer a request for information is not counted); publish the approved answer
within 2. Counted by `core.calendar` like dossiers' due dates (a feedback arriving after 15:00 counts from
the next working day). The numbers are settings (`FEEDBACK_DEADLINES`).
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from opendvc.core import calendar

DEFAULTS = {"decide": 2, "info": 5, "answer": 15, "publish": 2}


def days(step: str) -> int:
    return {**DEFAULTS, **getattr(settings, "FEEDBACK_DEADLINES", {})}[step]


def due(start: datetime, step: str, *, pauses=()) -> datetime:
    return calendar.due_at(start, days(step), "working_days", pauses=list(pauses))


def pauses_of(feedback) -> list[tuple[datetime, datetime | None]]:
    spans = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in feedback.pauses]
    if feedback.paused_since is not None:
        spans.append((feedback.paused_since, None))
    return spans


def start_clock(feedback, at: datetime) -> None:
    """The feedback reaches an agency (first, after a forward, after a re-raise): all deadlines anew."""
    feedback.arrived_at = at
    feedback.pauses = []
    feedback.paused_since = None
    feedback.decide_due_at = due(at, "decide")
    feedback.info_due_at = due(at, "info")
    feedback.answer_due_at = due(at, "answer")
    feedback.publish_due_at = None
    feedback.decided_at = None


def recompute_answer_due(feedback) -> None:
    feedback.answer_due_at = due(feedback.arrived_at, "answer", pauses=pauses_of(feedback))


def late_steps(feedback, now=None) -> list[str]:
    """What is overdue now: "decide", "answer" or "publish" (empty when on time or finished)."""
    from opendvc.feedback.models import Status

    now = now or timezone.now()
    late = []
    if feedback.status == Status.NEW and feedback.decide_due_at and now > feedback.decide_due_at:
        late.append("decide")
    waiting_answer = (Status.NEW, Status.PROCESSING, Status.AWAITING_APPROVAL)
    if feedback.status in waiting_answer and feedback.answer_due_at and now > feedback.answer_due_at:
        late.append("answer")
    if feedback.status == Status.APPROVED and feedback.publish_due_at and now > feedback.publish_due_at:
        late.append("publish")
    return late
