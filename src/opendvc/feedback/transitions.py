"""Which action moves a feedback from which status, and who may take it.

Officials act only on the feedback their own agency holds, and only with a role listed here (a second
official approves an answer: never the one who wrote it, `services.handling.approve`). The sender acts on
their own feedback, signed in or through the private link they were sent.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opendvc.accounts.models import OfficialRole as R
from opendvc.feedback.models import Status as S

SENDER = "sender"


@dataclass(frozen=True)
class Action:
    name: str
    label: object
    sources: frozenset
    target: str | None
    roles: frozenset


def _action(name, label, sources, target, roles):
    return Action(name, label, frozenset(sources), target, frozenset(roles))


_DESK = (R.DESK_CLERK, R.APPROVER)
_WORK = (R.DESK_CLERK, R.HANDLER, R.APPROVER)

ACTIONS = {
    a.name: a
    for a in [
        _action("receive", _("Tiếp nhận"), [S.NEW], S.PROCESSING, _WORK),
        _action(
            "refuse", pgettext_lazy("feedback", "Từ chối tiếp nhận"), [S.NEW, S.PROCESSING], S.REFUSED, _DESK
        ),
        _action("forward", _("Chuyển cơ quan có thẩm quyền"), [S.NEW, S.PROCESSING], S.NEW, _DESK),
        _action("request_info", _("Đề nghị bổ sung thông tin"), [S.PROCESSING], S.INFO_REQUESTED, _WORK),
        _action("provide_info", _("Bổ sung thông tin"), [S.INFO_REQUESTED], S.PROCESSING, [SENDER]),
        _action("answer", _("Dự thảo trả lời"), [S.PROCESSING], S.AWAITING_APPROVAL, (R.HANDLER, R.APPROVER)),
        _action("return_answer", _("Trả lại dự thảo"), [S.AWAITING_APPROVAL], S.PROCESSING, [R.APPROVER]),
        _action("approve", _("Phê duyệt trả lời"), [S.AWAITING_APPROVAL], S.APPROVED, [R.APPROVER]),
        _action("publish", _("Công khai trả lời"), [S.APPROVED], S.PUBLISHED, (R.HANDLER, R.APPROVER)),
        _action("reraise", _("Phản ánh lại: chưa được giải quyết"), [S.PUBLISHED], S.PROCESSING, [SENDER]),
    ]
}

EVENT_LABELS = {
    "submit": _("Gửi phản ánh, kiến nghị"),
    "arrive": _("Nhận phản ánh do cơ quan khác chuyển đến"),
}


def may(action: Action, feedback, account, *, is_sender: bool = False) -> bool:
    if SENDER in action.roles and is_sender:
        return True
    if account is None or not account.is_authenticated or not account.is_official:
        return False
    if account.agency_id != feedback.agency_id:
        return False
    return any(account.has_role(role) for role in action.roles if role != SENDER)


def allowed_actions(feedback, account) -> list[Action]:
    """What an official may do now (buttons; `services.handling` enforces)."""
    return [a for a in ACTIONS.values() if feedback.status in a.sources and may(a, feedback, account)]


def event_label(event) -> str:
    action = ACTIONS.get(event.action)
    return str(action.label if action is not None else EVENT_LABELS.get(event.action, event.action))
