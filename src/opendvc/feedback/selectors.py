"""Reads of feedback, aware of who asks: the public sees answered feedback only (public texts, no personal
data) and the status of a code; the sender their own; officials the feedback their agency holds."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from opendvc.core.errors import NotFound
from opendvc.feedback import deadlines
from opendvc.feedback.models import OPEN_STATUSES, Feedback, Status
from opendvc.feedback.search import search
from opendvc.feedback.services.submission import is_sender


def _code(value: str) -> str:
    return "".join((value or "").replace("\x00", "").split()).upper()[:32]


def published() -> QuerySet:
    """Answered feedback anyone may read (a re-raised one keeps its published answer meanwhile)."""
    return Feedback.objects.filter(published_at__isnull=False)


def public_list(*, query: str = "", agency_code: str = "", kind: str = "") -> list[Feedback] | QuerySet:
    rows = published().select_related("agency")
    if agency_code:
        rows = rows.filter(agency__code=agency_code)
    if kind:
        rows = rows.filter(kind=kind)
    if not query.strip():
        return rows.order_by("-published_at", "-id")
    ids = search(rows, query)
    by_id = rows.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def public_feedback(code: str) -> Feedback:
    feedback = published().select_related("agency", "procedure").filter(code=_code(code)).first()
    if feedback is None:
        raise NotFound("no published feedback with this code")
    return feedback


@dataclass(frozen=True)
class TrackedStatus:
    """What anyone holding a code may know: status, agency, dates, and the published answer."""

    code: str
    status: str
    status_label: str
    agency_name: str
    submitted_at: datetime
    answer_due_at: datetime | None
    published_at: datetime | None
    public_title: str
    answer: str
    likes: int
    dislikes: int


def track(code: str) -> TrackedStatus:
    feedback = Feedback.objects.select_related("agency").filter(code=_code(code)).first()
    if feedback is None:
        raise NotFound("unknown feedback code")
    shown = feedback.published_at is not None
    return TrackedStatus(
        code=feedback.code,
        status=feedback.status,
        status_label=feedback.get_status_display(),
        agency_name=feedback.agency.name,
        submitted_at=feedback.submitted_at,
        answer_due_at=feedback.answer_due_at if feedback.is_open else None,
        published_at=feedback.published_at,
        public_title=feedback.public_title if shown else "",
        answer=feedback.public_answer if shown else "",
        likes=feedback.likes,
        dislikes=feedback.dislikes,
    )


def sender_feedback(code: str, *, account=None, token: str = "") -> Feedback:
    """The feedback for its sender (signed in, or with the private link's token); NotFound otherwise."""
    feedback = (
        Feedback.objects.select_related("agency", "procedure", "dossier").filter(code=_code(code)).first()
    )
    if feedback is None or not is_sender(feedback, account=account, token=token):
        raise NotFound("no such feedback for this sender")
    return feedback


def my_feedback(account) -> QuerySet:
    return Feedback.objects.filter(sender=account).select_related("agency").order_by("-submitted_at")


def history(feedback, *, for_sender: bool) -> QuerySet:
    events = feedback.events.select_related("agency").order_by("at", "id")
    return events.filter(public=True) if for_sender else events


# --- the back office ----------------------------------------------------------------------------------------

INBOX_FILTERS = ("new", "open", "late", "approval", "done")


def agency_feedback(official) -> QuerySet:
    return Feedback.objects.filter(agency_id=official.agency_id)


def official_feedback(official, code: str) -> Feedback:
    feedback = (
        agency_feedback(official)
        .select_related("agency", "first_agency", "procedure", "dossier", "answered_by", "approved_by")
        .filter(code=_code(code))
        .first()
    )
    if feedback is None:
        raise NotFound("no such feedback at this agency")
    return feedback


def _late_q(now) -> Q:
    return (
        Q(status=Status.NEW, decide_due_at__lt=now)
        | Q(status__in=[Status.NEW, Status.PROCESSING, Status.AWAITING_APPROVAL], answer_due_at__lt=now)
        | Q(status=Status.APPROVED, publish_due_at__lt=now)
    )


def inbox(official, *, show: str = "", query: str = "") -> QuerySet:
    """The agency's feedback, the most urgent first (open ones by answer deadline, then the finished)."""
    now = timezone.now()
    rows = agency_feedback(official)
    if show == "new":
        rows = rows.filter(status=Status.NEW)
    elif show == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif show == "late":
        rows = rows.filter(_late_q(now))
    elif show == "approval":
        rows = rows.filter(status=Status.AWAITING_APPROVAL)
    elif show == "done":
        rows = rows.exclude(status__in=OPEN_STATUSES)
    query = query.replace("\x00", "")
    query = _code(query) if query.strip().upper().startswith("PA-") else query.strip()
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(title__icontains=query))
    if show == "done":
        return rows.order_by("-updated_at", "-id")
    return rows.order_by("answer_due_at", "id")


def inbox_counts(official) -> dict[str, int]:
    now = timezone.now()
    rows = agency_feedback(official)
    return rows.aggregate(
        new=Count("pk", filter=Q(status=Status.NEW)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        late=Count("pk", filter=_late_q(now)),
        approval=Count("pk", filter=Q(status=Status.AWAITING_APPROVAL)),
        done=Count("pk", filter=~Q(status__in=OPEN_STATUSES)),
    )


def late_steps(feedback, now=None) -> list[str]:
    return deadlines.late_steps(feedback, now)


# --- for the scorecard --------------------------------------------------------------------------------------


def counts(*, agency_ids=None, start: datetime | None = None, end: datetime | None = None) -> dict[str, int]:
    """Feedback received in [start, end) by agency: answered, on time, likes and dislikes, re-raised.

    "On time" = received, refused or forwarded, answered and published each within its deadline."""
    rows = Feedback.objects.all()
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    if start is not None:
        rows = rows.filter(submitted_at__gte=start)
    if end is not None:
        rows = rows.filter(submitted_at__lt=end)
    handled = Q(status__in=[Status.PUBLISHED, Status.REFUSED]) | Q(published_at__isnull=False)
    totals = rows.aggregate(
        received=Count("pk"),
        handled=Count("pk", filter=handled),
        handled_on_time=Count(
            "pk",
            filter=handled
            & ~Q(decided_on_time=False)
            & ~Q(answered_on_time=False)
            & ~Q(published_on_time=False)
            & Q(late_info_request=False),
        ),
        published=Count("pk", filter=Q(published_at__isnull=False)),
        reraised=Count("pk", filter=Q(reraise_count__gt=0)),
        likes=Sum("likes"),
        dislikes=Sum("dislikes"),
    )
    return {key: value or 0 for key, value in totals.items()}
