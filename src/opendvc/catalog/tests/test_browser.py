"""The catalogue as a person uses it, in Chromium: elements are found by their visible label or role."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_from_the_home_page_without_diacritics_and_open_the_result(page):
    page.goto("/")
    page.get_by_role("searchbox", name="Tìm thủ tục hành chính, dịch vụ công").fill(
        "lam giay khai sinh cho con"
    )
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"thủ tục cho “lam giay khai sinh cho con”"))
    ).to_be_visible()
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.get_by_role("heading", name="Thành phần hồ sơ")).to_be_visible()


def test_suggestions_appear_while_typing_and_lead_to_the_procedure(page):
    page.goto("/")
    page.get_by_role("searchbox", name="Tìm thủ tục hành chính, dịch vụ công").press_sequentially(
        "ly lich tu p"
    )
    suggestion = page.get_by_role("list", name="Gợi ý").get_by_role("link").first
    expect(suggestion).to_have_text("Cấp Phiếu lý lịch tư pháp")
    suggestion.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cấp Phiếu lý lịch tư pháp")


def test_filter_the_online_services_list(page):
    page.goto("/dich-vu-cong/")
    count = page.get_by_role("heading", name=re.compile(r"^\d+ thủ tục"))
    before = int(count.inner_text().split()[0])
    page.get_by_label("Đối tượng").select_option(label="Doanh nghiệp")
    page.get_by_label("Mức độ trực tuyến").select_option(label="Toàn trình")
    expect(page).to_have_url(re.compile(r"level=full"))
    expect(count).not_to_have_text(f"{before} thủ tục")
    after = int(count.inner_text().split()[0])
    assert 0 < after < before
    expect(page.locator(".result .tag").first).to_have_text("Toàn trình")


def test_choose_the_agency_on_a_procedure_page(page):
    page.goto("/thu-tuc/1.001193/")
    page.get_by_label("Tỉnh, thành phố").select_option(label="Ủy ban nhân dân thành phố Hà Nội")
    commune = page.get_by_label("Xã, phường")
    expect(commune).to_be_visible()
    commune.select_option(label="Ủy ban nhân dân phường Hoàn Kiếm")
    card = page.locator(".agency-card").filter(has_text="Ủy ban nhân dân phường Hoàn Kiếm")
    expect(card).to_contain_text("Địa chỉ")
    expect(card).to_contain_text("Giờ tiếp nhận")
    page.get_by_role("link", name="Nộp hồ sơ tại cơ quan đã chọn").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nộp hồ sơ: Đăng ký khai sinh")
    expect(page.get_by_label("Xã, phường")).to_have_value("000.00.20.H26")
    page.get_by_label("Xã, phường").select_option(label="Ủy ban nhân dân phường Ba Đình")
    expect(page.locator(".agency-card").filter(has_text="Ủy ban nhân dân phường Ba Đình")).to_contain_text(
        "Địa chỉ"
    )
    expect(page.get_by_role("link", name="Nộp hồ sơ tại cơ quan đã chọn")).to_have_count(0)


def test_follow_a_life_event(page):
    page.goto("/")
    page.get_by_role("link", name="Có con nhỏ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Có con nhỏ")
    steps = page.locator(".step-by-step > li")
    expect(steps.first).to_contain_text("Bước 1")
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")


def test_switch_to_english_and_back(page):
    page.goto("/thu-tuc/1.001193/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Birth registration")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")


def test_keyboard_users_can_skip_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_find_an_agency_in_the_directory_and_its_procedures(page):
    page.goto("/")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Cơ quan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh bạ cơ quan thực hiện")
    page.get_by_text("Ủy ban nhân dân thành phố Hà Nội").first.click()  # opens the province
    page.get_by_role("link", name="Ủy ban nhân dân phường Hoàn Kiếm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ủy ban nhân dân phường Hoàn Kiếm")
    expect(page.get_by_text("126 Hàng Trống")).to_be_visible()
    page.get_by_role("link", name="Xem tất cả").click()
    expect(page.get_by_label("Cơ quan")).to_have_value("000.00.20.H26")
    page.get_by_label("Từ khóa").fill("khai sinh")
    page.get_by_label("Từ khóa").press("Enter")
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")


def test_business_page_search_finds_only_business_procedures(page):
    page.goto("/doanh-nghiep/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dịch vụ công dành cho doanh nghiệp")
    page.get_by_role("searchbox", name="Tìm thủ tục hành chính, dịch vụ công").fill("mo cong ty")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page).to_have_url(re.compile(r"audience=business"))
    expect(page.get_by_label("Đối tượng")).to_have_value("business")
    expect(page.locator(".result").first).to_contain_text("công ty")
