"""A feedback's whole journey in Chromium (elements found by label or role):

a citizen sends feedback to their ward → the ward's one-stop clerk forwards it to the city's Department of
Justice → an official there receives it and drafts the answer → the department's leader approves it and
it is published → the citizen finds it by its code, reads the answer and likes it.
"""

import re

import pytest
from playwright.sync_api import expect

from opendvc.accounts.tests.factories import make_official
from opendvc.dossiers.tests.browser_steps import arrive, official_signs_in
from opendvc.feedback.models import Feedback, Status
from opendvc.feedback.tests.factories import HOAN_KIEM, JUSTICE_HANOI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ANSWER = "Sở Tư pháp đã chỉ đạo UBND phường Hoàn Kiếm không yêu cầu sổ hộ khẩu kể từ ngày 01/7/2025."


def test_a_feedback_goes_from_a_citizen_through_two_agencies_to_a_published_answer_the_citizen_likes(
    new_page,
):
    staff = {
        "ward": make_official(
            username="motcua.hk", roles=("desk_clerk",), agency_code=HOAN_KIEM, full_name="Phạm Thị Một Cửa"
        ),
        "handler": make_official(
            username="xuly.stp",
            roles=("desk_clerk", "handler"),
            agency_code=JUSTICE_HANOI,
            full_name="Lê Văn Pháp",
        ),
        "leader": make_official(
            username="lanhdao.stp", roles=("approver",), agency_code=JUSTICE_HANOI, full_name="Đỗ Thị Duyệt"
        ),
    }

    def signed_in(key):
        account, secret = staff[key]
        page = new_page()
        official_signs_in(page, account.username, secret, full_name=account.full_name)
        return page

    # The citizen sends it, without an account.
    citizen = new_page()
    citizen.goto("/")
    citizen.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Phản ánh, kiến nghị"
    ).click()
    arrive(citizen, "Phản ánh, kiến nghị")
    citizen.get_by_role("link", name="Gửi phản ánh, kiến nghị").first.click()
    arrive(citizen, "Gửi phản ánh, kiến nghị")
    citizen.get_by_role("radio", name="Quy định hành chính").check()
    citizen.get_by_label("Cơ quan nhận phản ánh, kiến nghị").select_option(
        label="Ủy ban nhân dân phường Hoàn Kiếm"
    )
    citizen.get_by_label("Tiêu đề").fill("Phường vẫn đòi sổ hộ khẩu khi làm thủ tục")
    citizen.get_by_label("Nội dung").fill(
        "Ngày 02/12 tôi làm thủ tục tại phường, cán bộ yêu cầu nộp bản sao sổ hộ khẩu. Số tôi 0987654321."
    )
    citizen.get_by_label("Họ và tên").fill("Trần Thị Bình")
    citizen.get_by_label("Số điện thoại di động").fill("0987654321")
    citizen.get_by_label(re.compile("^Mã xác thực$")).fill("PASSED")
    citizen.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    arrive(citizen, "Phường vẫn đòi sổ hộ khẩu khi làm thủ tục")
    feedback = Feedback.objects.get()
    expect(citizen.get_by_role("status")).to_contain_text(f"Mã tra cứu của bạn là {feedback.code}")

    # The ward's clerk forwards it to the competent department.
    ward = signed_in("ward")
    ward.get_by_role("link", name="Phản ánh, kiến nghị gửi cơ quan").click()
    arrive(ward, "Phản ánh, kiến nghị")
    ward.get_by_role("link", name=feedback.code).click()
    forward = ward.get_by_role("region", name="Chuyển cơ quan có thẩm quyền")
    forward.get_by_label("Cơ quan có thẩm quyền").select_option(label="Sở Tư pháp thành phố Hà Nội")
    forward.get_by_label("Lý do chuyển").fill("Quy định về giấy tờ cư trú thuộc hướng dẫn của Sở Tư pháp.")
    forward.get_by_role("button", name="Chuyển cơ quan có thẩm quyền").click()
    expect(ward.get_by_role("status")).to_have_text(f"Đã chuyển phản ánh {feedback.code}.")
    expect(ward.get_by_role("link", name=feedback.code)).to_have_count(0)

    # At the department, an official receives it and drafts the answer...
    handler = signed_in("handler")
    handler.goto("/mot-cua/phan-anh/?xem=new")
    handler.get_by_role("link", name=feedback.code).click()
    expect(handler.get_by_text("Gửi đến")).to_be_visible()
    handler.get_by_role("region", name="Tiếp nhận", exact=True).get_by_role(
        "button", name="Tiếp nhận"
    ).click()
    expect(handler.get_by_role("status")).to_have_text(f"Đã tiếp nhận phản ánh {feedback.code}.")
    draft = handler.get_by_role("region", name="Dự thảo trả lời")
    draft.get_by_label("Nội dung trả lời").fill(ANSWER)
    draft.get_by_role("button", name="Dự thảo trả lời").click()
    expect(handler.get_by_role("status")).to_have_text("Đã gửi dự thảo trả lời để phê duyệt.")

    # ...and the leader approves it, with the text the public will read, and publishes it.
    leader = signed_in("leader")
    leader.goto(f"/mot-cua/phan-anh/{feedback.code}/")
    approve = leader.get_by_role("region", name="Phê duyệt trả lời")
    expect(approve.get_by_label("Nội dung công khai")).to_contain_text("[số điện thoại]")
    expect(approve.get_by_label("Công khai ngay sau khi phê duyệt")).to_be_checked()
    approve.get_by_role("button", name="Phê duyệt trả lời").click()
    expect(leader.get_by_role("status")).to_have_text(f"Đã phê duyệt câu trả lời phản ánh {feedback.code}.")
    assert Feedback.objects.get().status == Status.PUBLISHED

    # The citizen tracks it by its code, reads the answer and likes it.
    citizen.goto("/phan-anh-kien-nghi/tra-cuu/")
    citizen.get_by_label("Mã phản ánh, kiến nghị").fill(feedback.code)
    citizen.get_by_role("button", name="Tra cứu").click()
    result = citizen.get_by_role("region", name=f"Phản ánh, kiến nghị {feedback.code}")
    expect(result).to_contain_text("Đã trả lời")
    expect(result).to_contain_text(ANSWER)
    result.get_by_role("link", name="Xem câu trả lời và đánh giá").click()
    arrive(citizen, "Phường vẫn đòi sổ hộ khẩu khi làm thủ tục")
    expect(citizen.get_by_text("0987654321")).to_have_count(0)
    citizen.get_by_role("button", name="Hài lòng (0)", exact=True).click()
    expect(citizen.get_by_role("button", name="Hài lòng (1)", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(citizen.get_by_text("Cảm ơn bạn đã đánh giá.")).to_be_visible()
    assert Feedback.objects.get().likes == 1
