"""The portal's pages in Chromium (elements found by label or role): a visitor finds a guide by searching
without diacritics, comments on it (held for moderation), and answers the opinion poll, seeing the
results only once they have voted."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from opendvc.dossiers.tests.browser_steps import arrive
from opendvc.portal.models import Comment, CommentStatus, PollVote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_a_guide_comments_on_it_and_answers_the_poll(page):
    call_command("load_demo_portal", verbosity=0)
    page.goto("/")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Hướng dẫn").click()
    arrive(page, "Hướng dẫn và tin tức")
    page.get_by_label("Tìm bài viết").fill("thanh toan le phi")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("status")).to_contain_text("phù hợp với “thanh toan le phi”")
    page.get_by_role("link", name="Hướng dẫn thanh toán phí, lệ phí trực tuyến").click()
    arrive(page, "Hướng dẫn thanh toán phí, lệ phí trực tuyến")
    expect(page.get_by_role("heading", name="0 bình luận")).to_be_visible()

    page.get_by_label("Họ và tên").fill("Trần Văn Bình")
    page.get_by_label("Nội dung bình luận").fill("Tôi đã thanh toán được, biên lai tải về ngay.")
    page.get_by_label("Mã xác thực").fill("PASSED")
    page.get_by_role("button", name="Gửi bình luận").click()
    expect(page.get_by_role("status")).to_contain_text("sẽ được hiển thị sau khi cán bộ kiểm duyệt")
    expect(page.get_by_text("Tôi đã thanh toán được")).to_have_count(0)
    assert Comment.objects.get().status == CommentStatus.PENDING

    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("region", name="Truy cập")).to_contain_text("Hôm nay")
    footer.get_by_role("link", name="Ý kiến thăm dò").click()
    arrive(page, "Thăm dò ý kiến người dân, doanh nghiệp")
    expect(page.get_by_role("table")).to_have_count(0)  # no results before voting
    page.get_by_role("radio", name="Dễ sử dụng", exact=True).check()
    page.get_by_role("button", name="Bình chọn").click()
    expect(page.get_by_role("status")).to_have_text("Cảm ơn bạn đã bình chọn.")
    results = page.get_by_role("table", name="Kết quả: 1 lượt bình chọn")
    expect(results.get_by_role("row", name="Dễ sử dụng Lựa chọn của bạn")).to_contain_text("100,0 %")
    page.reload()
    expect(page.get_by_text("Bạn đã bình chọn cho câu hỏi này.")).to_be_visible()
    assert PollVote.objects.count() == 1
