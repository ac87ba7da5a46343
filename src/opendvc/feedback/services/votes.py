"""Readers' likes and dislikes of a published answer: one vote per account, or per device when signed out.

A reader may change their mind (a like becomes a dislike); voting the same twice changes nothing. The
counters on the feedback change in the same transaction as the vote, with the feedback row locked.
"""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from opendvc.core import audit
from opendvc.core.errors import DomainError
from opendvc.feedback.models import Feedback, Vote
from opendvc.feedback.signals import feedback_changed


@transaction.atomic
def vote(feedback: Feedback, *, voter: str, value: int) -> Feedback:
    if value not in (1, -1):
        raise DomainError(
            _("Chọn hài lòng hoặc không hài lòng."), code="invalid_input", fields={"value": ["1 or -1"]}
        )
    if not voter:
        raise DomainError(_("Trình duyệt của bạn cần bật cookie để đánh giá."), code="no_voter")
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if locked.published_at is None:
        raise DomainError(_("Chỉ đánh giá được câu trả lời đã công khai."), code="not_published", status=409)
    existing = Vote.objects.filter(feedback=locked, voter=voter).first()
    if existing is not None and existing.value == value:
        return locked
    changes = {
        "likes": F("likes") + (1 if value == 1 else 0),
        "dislikes": F("dislikes") + (1 if value == -1 else 0),
    }
    if existing is None:
        Vote.objects.create(feedback=locked, voter=voter, value=value)
    else:
        Vote.objects.filter(pk=existing.pk).update(value=value)
        changes["likes"] -= 1 if existing.value == 1 else 0
        changes["dislikes"] -= 1 if existing.value == -1 else 0
    Feedback.objects.filter(pk=locked.pk).update(**changes)
    locked.refresh_from_db(fields=["likes", "dislikes"])
    # The voter key is an account id or a hash of a random cookie: nothing personal is recorded.
    audit.record("feedback.vote", target=locked, code=locked.code, voter=voter, value=value)
    feedback_changed.send(sender=Feedback, feedback_id=locked.pk)
    return locked
