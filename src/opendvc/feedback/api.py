"""Feedback as JSON: tracking by code (`GET /feedback/{code}`): the status and, once published, the
answer; never the sender or what they wrote. Limited per IP address like dossier status lookups."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Router, Schema

from opendvc.catalog.api import language
from opendvc.core.errors import NotFound
from opendvc.core.limits import Limit, RateLimited, enforce, misses, retry_message
from opendvc.core.request_info import client_ip
from opendvc.feedback import selectors

router = Router(tags=["feedback"])
LOOKUPS_PER_IP = "60/m"
MISSES_ALLOWED, MISS_WINDOW = 20, "10m"


class StatusOut(Schema):
    code: str = SchemaField(
        description="new, processing, info_requested, awaiting_approval, approved, published, refused"
    )
    label: str


class AnswerOut(Schema):
    title: str = SchemaField(description="the public title (personal data removed)")
    text: str
    published_at: datetime
    likes: int
    dislikes: int


class FeedbackStatusOut(Schema):
    code: str
    status: StatusOut
    agency: str = SchemaField(description="the agency holding it now")
    submitted_at: datetime
    answer_due_at: datetime | None = SchemaField(description="while it is open")
    answer: AnswerOut | None


def _local(moment):
    return timezone.localtime(moment) if moment else None


@router.get(
    "/feedback/{code}", response=FeedbackStatusOut, summary="A feedback's status and published answer"
)
def feedback_status(request, code: str, lang: str | None = None):
    """Anyone holding the code. 404 for an unknown code; after 20 unknown codes in 10 minutes from one
    address every lookup waits (429 with `Retry-After`)."""
    ip = client_ip(request) or "unknown"
    if (
        misses(request, group="feedback-api-miss", key=ip, allowed=MISSES_ALLOWED, window=MISS_WINDOW)
        >= MISSES_ALLOWED
    ):
        raise RateLimited(retry_message(600), retry_after=600)
    enforce(request, [Limit("feedback-api-ip", ip, LOOKUPS_PER_IP)])
    with language(request, lang):
        try:
            tracked = selectors.track(code[:64])
        except NotFound:
            misses(
                request,
                group="feedback-api-miss",
                key=ip,
                allowed=MISSES_ALLOWED,
                window=MISS_WINDOW,
                add=True,
            )
            raise NotFound(_("Không tìm thấy phản ánh, kiến nghị có mã này.")) from None
        return {
            "code": tracked.code,
            "status": {"code": tracked.status, "label": tracked.status_label},
            "agency": tracked.agency_name,
            "submitted_at": _local(tracked.submitted_at),
            "answer_due_at": _local(tracked.answer_due_at),
            "answer": {
                "title": tracked.public_title,
                "text": tracked.answer,
                "published_at": _local(tracked.published_at),
                "likes": tracked.likes,
                "dislikes": tracked.dislikes,
            }
            if tracked.published_at
            else None,
        }
