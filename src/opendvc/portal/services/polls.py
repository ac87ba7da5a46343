"""The opinion poll: one vote per account or device, results shown once someone has voted (or the poll
has closed)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opendvc.core import audit
from opendvc.core.errors import Conflict, DomainError
from opendvc.portal.models import Poll, PollChoice, PollVote


def current() -> Poll | None:
    """The newest poll open now."""
    now = timezone.now()
    for poll in Poll.objects.filter(active=True, opens_at__lte=now)[:5]:
        if poll.is_open(now):
            return poll
    return None


def voted(poll: Poll, voter: str) -> PollVote | None:
    return PollVote.objects.filter(poll=poll, voter=voter).first() if voter else None


def vote(poll: Poll, *, voter: str, choice_id) -> PollVote:
    """Count a vote; Conflict if this voter has voted, DomainError for a closed poll or a missing choice."""
    if not poll.is_open():
        raise DomainError(_("Cuộc thăm dò này đã kết thúc."), code="poll_closed")
    choice = PollChoice.objects.filter(poll=poll, pk=choice_id).first() if str(choice_id).isdigit() else None
    if choice is None:
        raise DomainError(
            _("Chọn một phương án trả lời."),
            code="invalid_input",
            fields={"choice": [_("Chọn một phương án.")]},
        )
    if not voter:
        raise DomainError(_("Không xác định được người bình chọn."), code="invalid_input")
    try:
        with transaction.atomic():
            ballot = PollVote.objects.create(poll=poll, choice=choice, voter=voter)
            PollChoice.objects.filter(pk=choice.pk).update(votes=F("votes") + 1)
    except IntegrityError:
        raise Conflict(
            _("Bạn đã bình chọn cho câu hỏi này. Mỗi người (mỗi thiết bị) chỉ bình chọn một lần.")
        ) from None
    # The voter key is an account id or a hash of a random cookie: nothing personal is recorded.
    audit.record("portal.poll_vote", target=poll, voter=voter, choice=choice.pk)
    return ballot


@dataclass
class Result:
    choice: PollChoice
    votes: int
    percent: float


def results(poll: Poll) -> tuple[list[Result], int]:
    choices = list(poll.choices.all())
    total = sum(c.votes for c in choices)
    return [Result(c, c.votes, round(100 * c.votes / total, 1) if total else 0.0) for c in choices], total
