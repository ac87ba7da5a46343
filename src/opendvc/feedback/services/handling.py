"""Handling a feedback: one function per action, each in one transaction.

Like dossiers' actions (decision 15): the first statement bumps the row's `version` with a conditional
UPDATE, which both locks the row and detects a page drawn before someone else acted (`Conflict`); then
who may act and from which status are checked on the fresh row, the change is made, and the history
(`Event`) and the audit trail record it. Deadlines: see `feedback.deadlines`.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.core import audit
from opendvc.core.errors import Conflict, DomainError, IllegalTransition, NotAllowed
from opendvc.core.personal_data import redact
from opendvc.feedback import deadlines, notices
from opendvc.feedback.models import Attachment, Event, Feedback, Status
from opendvc.feedback.search import index_text
from opendvc.feedback.signals import feedback_changed
from opendvc.feedback.transitions import ACTIONS, may

MAX_TEXT = 5000
# The clock's fields, written whenever it (re)starts at an agency (deadlines.start_clock).
CLOCK_FIELDS = (
    "arrived_at",
    "pauses",
    "paused_since",
    "decide_due_at",
    "info_due_at",
    "answer_due_at",
    "publish_due_at",
    "decided_at",
)
__all__ = ["Conflict", "IllegalTransition", "NotAllowed"]


def _text(value: str, field: str, message: str, *, limit: int = MAX_TEXT) -> str:
    value = (value or "").replace("\x00", "").strip()
    if not value:
        raise DomainError(message, code="invalid_input", fields={field: [message]})
    if len(value) > limit:
        too_long = _("Tối đa %(n)d ký tự.") % {"n": limit}
        raise DomainError(too_long, code="invalid_input", fields={field: [too_long]})
    return value


def _begin(feedback: Feedback, name: str, actor, version: int | None, *, is_sender=False) -> Feedback:
    action = ACTIONS[name]
    rows = Feedback.objects.filter(pk=feedback.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(version=F("version") + 1, updated_at=timezone.now()):
        raise Conflict(
            _(
                "Phản ánh vừa được người khác cập nhật. Trang đã được tải lại với trạng thái mới nhất; "
                "vui lòng kiểm tra rồi thao tác lại."
            )
        )
    fresh = Feedback.objects.select_related("agency").get(pk=feedback.pk)
    if not may(action, fresh, actor, is_sender=is_sender):
        raise NotAllowed(_("Bạn không có quyền “%(action)s” phản ánh này.") % {"action": action.label})
    if fresh.status not in action.sources:
        raise IllegalTransition(
            _("Không thể “%(action)s” phản ánh đang ở trạng thái “%(status)s”.")
            % {"action": action.label, "status": fresh.get_status_display()}
        )
    return fresh


def record(
    feedback: Feedback,
    action: str,
    *,
    actor=None,
    actor_name="",
    from_status="",
    comment="",
    public=True,
    **details,
) -> Event:
    event = Event.objects.create(
        feedback=feedback,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor_name or (actor.full_name if actor is not None and actor.is_authenticated else ""),
        agency=feedback.agency,
        action=action,
        from_status=from_status,
        to_status=feedback.status,
        comment=comment,
        details=details,
        public=public,
    )
    feedback_changed.send(sender=Feedback, feedback_id=feedback.pk)
    audit.record(
        f"feedback.{action}",
        actor=event.actor,
        target=feedback,
        code=feedback.code,
        status=feedback.status,
        agency=feedback.agency.code,
    )
    return event


def _save(feedback: Feedback, *fields: str) -> None:
    feedback.updated_at = timezone.now()
    feedback.save(update_fields=["status", "updated_at", *fields])


def _decided(feedback: Feedback, now) -> list[str]:
    """The first decision at this agency (receive, refuse or forward): on time or not, once."""
    if feedback.decided_at is not None:
        return []
    feedback.decided_at = now
    feedback.decided_on_time = now <= feedback.decide_due_at if feedback.decide_due_at else True
    return ["decided_at", "decided_on_time"]


@transaction.atomic
def receive(feedback: Feedback, *, actor, version: int | None, comment: str = "") -> Feedback:
    f = _begin(feedback, "receive", actor, version)
    now, previous = timezone.now(), f.status
    f.status = Status.PROCESSING
    _save(f, *_decided(f, now))
    record(f, "receive", actor=actor, from_status=previous, comment=(comment or "").strip())
    return f


@transaction.atomic
def refuse(feedback: Feedback, *, actor, version: int | None, reason: str) -> Feedback:
    """Not something the agency can take up (not a PAKN, anonymous insults…), with the reason."""
    reason = _text(reason, "reason", _("Nêu lý do từ chối tiếp nhận để thông báo cho người gửi."))
    f = _begin(feedback, "refuse", actor, version)
    now, previous = timezone.now(), f.status
    f.status, f.refusal_reason = Status.REFUSED, reason
    _save(f, "refusal_reason", *_decided(f, now))
    record(f, "refuse", actor=actor, from_status=previous, comment=reason)
    notices.refused(f, reason)
    return f


@transaction.atomic
def forward(feedback: Feedback, *, actor, version: int | None, agency, note: str) -> Feedback:
    """To the competent agency: it gets the feedback as new, and every deadline starts again there."""
    note = _text(note, "note", _("Nêu lý do chuyển và nội dung cần cơ quan nhận xử lý."))
    f = _begin(feedback, "forward", actor, version)
    if agency is None or agency.pk == f.agency_id:
        message = _("Chọn cơ quan có thẩm quyền khác với cơ quan của bạn.")
        raise DomainError(message, code="invalid_input", fields={"agency": [message]})
    now, previous, origin = timezone.now(), f.status, f.agency
    fields = _decided(f, now)
    record(
        f,
        "forward",
        actor=actor,
        from_status=previous,
        comment=note,
        to_agency=agency.code,
        to_agency_name=agency.name_vi,
    )
    f.agency, f.status = agency, Status.NEW
    deadlines.start_clock(f, now)
    _save(f, "agency", *CLOCK_FIELDS, *fields)
    record(
        f, "arrive", actor_name=origin.name_vi, from_status=previous, comment=note, from_agency=origin.code
    )
    notices.forwarded(f)
    return f


@transaction.atomic
def request_info(feedback: Feedback, *, actor, version: int | None, question: str) -> Feedback:
    """Ask the sender what is missing; the answer deadline waits until they reply."""
    question = _text(question, "question", _("Ghi rõ thông tin cần người gửi bổ sung."))
    f = _begin(feedback, "request_info", actor, version)
    now, previous = timezone.now(), f.status
    f.status, f.paused_since = Status.INFO_REQUESTED, now
    f.late_info_request = f.late_info_request or bool(f.info_due_at and now > f.info_due_at)
    _save(f, "paused_since", "late_info_request")
    record(f, "request_info", actor=actor, from_status=previous, comment=question)
    notices.info_requested(f, question)
    return f


def _sender_only(feedback: Feedback, account, token: str) -> None:
    from opendvc.feedback.services.submission import is_sender

    if not is_sender(feedback, account=account, token=token):
        raise NotAllowed(_("Chỉ người gửi phản ánh mới làm được việc này."))


@transaction.atomic
def provide_info(feedback: Feedback, *, text: str, files=(), account=None, token: str = "") -> Feedback:
    """The sender's reply (signed in, or through their private link). The clock runs again."""
    _sender_only(feedback, account, token)
    text = _text(text, "text", _("Nhập thông tin bổ sung."))
    f = _begin(feedback, "provide_info", account, None, is_sender=True)
    now, previous = timezone.now(), f.status
    if f.paused_since is not None:
        f.pauses = [*f.pauses, [f.paused_since.isoformat(), now.isoformat()]]
    f.paused_since, f.status = None, Status.PROCESSING
    deadlines.recompute_answer_due(f)
    _save(f, "pauses", "paused_since", "answer_due_at")
    _attach(f, files, Attachment.Role.SENDER, now)
    record(
        f,
        "provide_info",
        actor=account,
        actor_name=f.sender_name,
        from_status=previous,
        comment=text,
        files=len(files),
    )
    return f


def _attach(feedback, files, role, now) -> None:
    Attachment.objects.bulk_create(
        [Attachment(feedback=feedback, role=role, file=stored, added_at=now) for stored in files]
    )


@transaction.atomic
def draft_answer(feedback: Feedback, *, actor, version: int | None, answer: str, files=()) -> Feedback:
    """The handler's answer, which a second official approves before it is published."""
    answer = _text(answer, "answer", _("Nhập nội dung trả lời."), limit=10_000)
    f = _begin(feedback, "answer", actor, version)
    now, previous = timezone.now(), f.status
    f.status, f.answer, f.answered_by, f.answered_at = Status.AWAITING_APPROVAL, answer, actor, now
    _save(f, "answer", "answered_by", "answered_at")
    _attach(f, files, Attachment.Role.ANSWER, now)
    record(f, "answer", actor=actor, from_status=previous, public=False, files=len(files))
    return f


@transaction.atomic
def return_answer(feedback: Feedback, *, actor, version: int | None, note: str) -> Feedback:
    note = _text(note, "note", _("Ghi rõ nội dung cần sửa trong dự thảo trả lời."))
    f = _begin(feedback, "return_answer", actor, version)
    previous, f.status = f.status, Status.PROCESSING
    _save(f)
    record(f, "return_answer", actor=actor, from_status=previous, comment=note, public=False)
    return f


@transaction.atomic
def approve(
    feedback: Feedback,
    *,
    actor,
    version: int | None,
    public_title: str = "",
    public_content: str = "",
    publish_now: bool = True,
) -> Feedback:
    """A second official approves the answer and what the public will read (personal data removed)."""
    f = _begin(feedback, "approve", actor, version)
    if f.answered_by_id == actor.pk:
        raise NotAllowed(_("Câu trả lời phải do một cán bộ khác người soạn phê duyệt."))
    now, previous = timezone.now(), f.status
    f.public_title = redact(
        _text(public_title or f.title, "public_title", _("Nhập tiêu đề công khai."), limit=200)
    )
    f.public_content = redact(
        _text(public_content or f.content, "public_content", _("Nhập nội dung công khai."))
    )
    f.status, f.approved_by, f.approved_at = Status.APPROVED, actor, now
    f.answered_on_time = now <= f.answer_due_at if f.answer_due_at else True
    f.publish_due_at = deadlines.due(now, "publish")
    _save(
        f,
        "public_title",
        "public_content",
        "approved_by",
        "approved_at",
        "answered_on_time",
        "publish_due_at",
    )
    record(f, "approve", actor=actor, from_status=previous, public=False)
    if publish_now:
        _publish(f, actor, now)
    return f


@transaction.atomic
def publish(feedback: Feedback, *, actor, version: int | None) -> Feedback:
    f = _begin(feedback, "publish", actor, version)
    _publish(f, actor, timezone.now())
    return f


def _publish(f: Feedback, actor, now) -> None:
    previous = f.status
    f.status, f.published_at, f.public_answer = Status.PUBLISHED, now, f.answer
    f.published_on_time = now <= f.publish_due_at if f.publish_due_at else True
    f.search_text = index_text(f)
    _save(f, "published_at", "public_answer", "published_on_time", "search_text")
    record(f, "publish", actor=actor, from_status=previous, comment=f.answer)
    notices.answered(f)


@transaction.atomic
def reraise(feedback: Feedback, *, reason: str, account=None, token: str = "") -> Feedback:
    """The sender says the answer did not resolve it: a new round at the same agency, clock restarted."""
    _sender_only(feedback, account, token)
    reason = _text(reason, "reason", _("Cho biết vì sao câu trả lời chưa giải quyết được vấn đề của bạn."))
    f = _begin(feedback, "reraise", account, None, is_sender=True)
    now, previous = timezone.now(), f.status
    f.status, f.round, f.reraise_count = Status.PROCESSING, f.round + 1, f.reraise_count + 1
    deadlines.start_clock(f, now)
    f.decided_at, f.decided_on_time = now, True  # already taken up: the agency answers again
    f.answered_on_time = f.published_on_time = None
    _save(
        f, "round", "reraise_count", *CLOCK_FIELDS, "decided_on_time", "answered_on_time", "published_on_time"
    )
    record(f, "reraise", actor=account, actor_name=f.sender_name, from_status=previous, comment=reason)
    return f
