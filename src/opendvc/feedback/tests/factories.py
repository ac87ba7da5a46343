"""Feedback for tests: sent through the real service, handled by officials of demo agencies."""

from opendvc.accounts.tests.factories import make_official
from opendvc.feedback.services import submission

HOAN_KIEM = "000.00.20.H26"
JUSTICE_HANOI = "000.01.00.H26"  # Sở Tư pháp thành phố Hà Nội


def send(**changes):
    fields = {
        "kind": "service",
        "title": "Cán bộ hẹn trả kết quả nhiều lần",
        "content": "Tôi nộp hồ sơ khai sinh cho con, bị hẹn lại ba lần. Liên hệ 0912345678.",
        "sender_name": "Nguyễn Văn An",
        "sender_phone": "0912345678",
        "sender_email": "an@example.vn",
        "agency_code": HOAN_KIEM,
        **changes,
    }
    return submission.submit(**fields)


def official(username, roles, agency_code=HOAN_KIEM, full_name=None):
    account, _secret = make_official(
        username=username, roles=roles, agency_code=agency_code, totp=False, full_name=full_name or username
    )
    return account
