"""Demo feedback for `make run`: answered feedback in the public list, and some waiting in the inboxes of
UBND phường Hoàn Kiếm and Sở Tư pháp Hà Nội. Made through the real services, by the demo officials.
Idempotent: nothing is made when the demo feedback exists."""

from django.db import transaction

from opendvc.accounts.models import Account
from opendvc.catalog.models import Agency
from opendvc.feedback.models import Feedback
from opendvc.feedback.services import handling, submission, votes

SENDER = "Người dùng mẫu của bản demo"
HOAN_KIEM, JUSTICE_HANOI = "000.00.20.H26", "000.01.00.H26"
# (agency, kind, title, content, procedure, how far, answer)
ITEMS = [
    (
        HOAN_KIEM,
        "service",
        "Cán bộ một cửa hẹn trả kết quả khai sinh ba lần",
        "Tôi nộp hồ sơ đăng ký khai sinh cho con ngày 03/11, đến nay bị hẹn lại ba lần mà không có phiếu hẹn "
        "mới. Đề nghị phường kiểm tra.",
        "1.001193",
        "published",
        "UBND phường Hoàn Kiếm đã kiểm tra: hồ sơ chậm do thiếu bản sao giấy chứng nhận kết hôn nhưng cán "
        "bộ không ra phiếu yêu cầu bổ sung. Phường đã kiểm điểm cán bộ, trả kết quả ngày 20/11 và xin lỗi "
        "công dân.",
    ),
    (
        JUSTICE_HANOI,
        "regulation",
        "Làm căn cước cho con có phải nộp giấy khai sinh bản sao không?",
        "Khi làm thẻ căn cước cho con dưới 14 tuổi, công an phường yêu cầu bản sao giấy khai sinh có chứng "
        "thực. Thông tin đã có trong cơ sở dữ liệu dân cư, đề nghị bỏ yêu cầu này.",
        "",
        "published",
        "Theo Luật Căn cước 2023, thông tin khai sinh đã có trong Cơ sở dữ liệu quốc gia về dân cư thì không "
        "yêu cầu công dân nộp lại. Sở Tư pháp đã đề nghị Công an thành phố hướng dẫn thống nhất.",
    ),
    (
        HOAN_KIEM,
        "regulation",
        "Phí chứng thực bản sao thu theo trang chưa niêm yết",
        "Bộ phận một cửa thu 2.000 đồng mỗi trang nhưng không niêm yết mức thu. Đề nghị niêm yết công khai.",
        "2.000815",
        "published",
        "Mức thu thực hiện theo Thông tư 226/2016/TT-BTC. Phường đã niêm yết bảng phí tại bộ phận một cửa và "
        "trên Cổng Dịch vụ công.",
    ),
    (
        HOAN_KIEM,
        "service",
        "Không có chỗ ngồi chờ tại bộ phận một cửa",
        "Buổi sáng thứ Hai rất đông, người cao tuổi phải đứng chờ lâu.",
        "",
        "new",
        "",
    ),
    (
        HOAN_KIEM,
        "regulation",
        "Đăng ký thường trú vẫn yêu cầu giấy xác nhận của tổ dân phố",
        "Luật Cư trú không quy định giấy này nhưng phường vẫn yêu cầu. Số điện thoại của tôi 0912345678.",
        "1.004222",
        "answered",
        "Phường sẽ bỏ yêu cầu giấy xác nhận của tổ dân phố kể từ ngày 01/12.",
    ),
]


def _official(username):
    return Account.objects.filter(username=username).first()


@transaction.atomic
def load() -> int:
    if Feedback.objects.filter(sender_name=SENDER).exists():
        return 0
    clerk, handler, approver = (
        _official(u) for u in ("tiepnhan.hoankiem", "xuly.hoankiem", "pheduyet.hoankiem")
    )
    stp_handler, stp_approver = _official("xuly.sotuphap"), _official("pheduyet.sotuphap")
    made = 0
    for agency_code, kind, title, content, procedure, stage, answer in ITEMS:
        if not Agency.objects.filter(code=agency_code).exists():
            continue
        feedback = submission.submit(
            kind=kind,
            title=title,
            content=content,
            sender_name=SENDER,
            sender_phone="0900000001",
            agency_code=agency_code,
            procedure_code=procedure,
        )
        made += 1
        if stage == "new":
            continue
        receiver, writer, leader = (
            (stp_handler, stp_handler, stp_approver)
            if agency_code == JUSTICE_HANOI
            else (clerk, handler, approver)
        )
        handling.receive(feedback, actor=receiver, version=None)
        handling.draft_answer(feedback, actor=writer, version=None, answer=answer)
        if stage == "published":
            feedback = handling.approve(feedback, actor=leader, version=None)
            for n in range(3 + made):
                votes.vote(feedback, voter=f"d:demo-{n}", value=1 if n % 4 else -1)
    return made
