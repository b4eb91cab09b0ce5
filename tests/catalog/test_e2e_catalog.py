"""Browser test: a citizen finds "khai sinh" and opens its procedure page."""

import re

import pytest
from playwright.sync_api import expect

from motcua.catalog.demo import load_demo_catalogue

pytestmark = [pytest.mark.e2e]


@pytest.mark.django_db(transaction=True)
def test_citizen_finds_birth_registration(page, demo_units):
    load_demo_catalogue()
    page.goto("/thu-tuc/")
    # Before searching the whole catalogue is listed.
    expect(page.get_by_role("link", name="Đăng ký kết hôn", exact=True)).to_be_visible()
    page.get_by_label("Tên hoặc mã thủ tục").fill("khai sinh")
    # htmx narrows the results while typing (the button also works without JavaScript).
    expect(page.get_by_role("link", name="Đăng ký kết hôn", exact=True)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=khai(\+|%20)sinh"))
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    page.wait_for_url("**/thu-tuc/1.001193/")
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
    assert page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.get_attribute("href") == (
        "/nop-ho-so/1.001193/"
    )


@pytest.mark.django_db(transaction=True)
def test_citizen_searches_from_the_home_page_without_accents(page, demo_units):
    load_demo_catalogue()
    page.goto("/")
    page.get_by_label("Tìm thủ tục hành chính").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(re.compile(r"/thu-tuc/\?q=dang"))
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    page.wait_for_url("**/thu-tuc/1.001193/")
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
