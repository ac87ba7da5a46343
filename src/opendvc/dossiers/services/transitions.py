"""Which action may move a dossier from which status to which, and who may take it.

Statuses are the national portal's codes 1–10 (domain.md). Officials act only on their own agency's
dossiers and only with a role listed here; applicants act only on their own dossiers.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opendvc.accounts.models import OfficialRole as R
from opendvc.dossiers.models import Status as S

APPLICANT = "applicant"
# The portal itself, acting without a person (`actor=None`): the payment platform confirming that a
# financial obligation was paid online.
SYSTEM = "system"


@dataclass(frozen=True)
class Action:
    name: str
    label: object  # lazy Vietnamese label for buttons and the timeline
    sources: frozenset
    target: int | None  # None: the status does not change
    roles: frozenset


def _action(name, label, sources, target, roles):
    return Action(name, label, frozenset(sources), target, frozenset(roles))


_WORKING = (S.RECEIVED, S.PROCESSING)
_OPEN = (S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT)
_HANDLING = (R.HANDLER, R.APPROVER)

ACTIONS = {
    a.name: a
    for a in [
        _action("receive", _("Tiếp nhận"), [S.SUBMITTED], S.RECEIVED, [R.DESK_CLERK]),
        _action(
            "refuse",
            pgettext_lazy("action", "Từ chối tiếp nhận"),
            [S.SUBMITTED],
            S.NOT_RECEIVED,
            [R.DESK_CLERK],
        ),
        _action("assign", _("Phân công xử lý"), _WORKING, S.PROCESSING, [R.DESK_CLERK, R.APPROVER]),
        _action(
            "request_supplement",
            _("Yêu cầu bổ sung"),
            _WORKING,
            S.SUPPLEMENT_REQUESTED,
            [R.DESK_CLERK, *_HANDLING],
        ),
        _action("supplement", _("Bổ sung hồ sơ"), [S.SUPPLEMENT_REQUESTED], None, [APPLICANT]),
        _action(
            "request_payment",
            _("Yêu cầu thực hiện nghĩa vụ tài chính"),
            _WORKING,
            S.AWAITING_PAYMENT,
            _HANDLING,
        ),
        _action(
            "confirm_payment",
            _("Xác nhận đã thực hiện nghĩa vụ tài chính"),
            [S.AWAITING_PAYMENT],
            S.PROCESSING,
            [R.DESK_CLERK, *_HANDLING, SYSTEM],
        ),
        _action("withdraw", _("Rút hồ sơ"), [S.SUBMITTED, *_OPEN], S.WITHDRAWN, [APPLICANT]),
        _action("stop", pgettext_lazy("action", "Dừng xử lý"), _OPEN, S.STOPPED, _HANDLING),
        _action("process", _("Hoàn thành xử lý"), _WORKING, S.PROCESSED, _HANDLING),
        _action("return", _("Trả kết quả"), [S.PROCESSED], S.RETURNED, [R.DESK_CLERK]),
        _action("apologise", _("Gửi phiếu xin lỗi và hẹn lại"), _OPEN, None, _HANDLING),
    ]
}


def allowed_actions(dossier, account) -> list[Action]:
    """The actions `account` may take on `dossier` now (for buttons; `check` is the enforcement)."""
    return [a for a in ACTIONS.values() if _may(a, dossier, account) and dossier.status in a.sources]


def _may(action: Action, dossier, account) -> bool:
    if account is None:
        return SYSTEM in action.roles
    if not account.is_authenticated:
        return False
    if APPLICANT in action.roles and dossier.applicant_id is not None and dossier.applicant_id == account.pk:
        return True
    if not account.is_official or account.agency_id != dossier.agency_id:
        return False
    return any(account.has_role(role) for role in action.roles if role not in (APPLICANT, SYSTEM))


def may_act(action_name: str, dossier, account) -> bool:
    return _may(ACTIONS[action_name], dossier, account)


# Timeline entries that are not actions of the status machine.
EVENT_LABELS = {
    "submit": _("Nộp hồ sơ trực tuyến"),
    "register": _("Tiếp nhận hồ sơ nộp trực tiếp hoặc qua bưu chính"),
    "remind": _("Nhắc hạn xử lý"),
    "rate": _("Đánh giá mức độ hài lòng"),
    "sync": _("Cập nhật trạng thái từ hệ thống của cơ quan"),
    "sync_update": _("Cập nhật thông tin từ hệ thống của cơ quan"),
}


def event_label(event) -> str:
    """What a timeline entry is called on every page and in the API."""
    action = ACTIONS.get(event.action)
    return str(action.label if action is not None else EVENT_LABELS.get(event.action, event.action))
