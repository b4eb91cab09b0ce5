"""A citizen asks, on a phone, for their account to be deleted: account page → what
happens to my data → confirm with the password → the request shows as pending."""

import pytest

from motcua.core.testing.personas import PASSWORD, build_personas
from motcua.privacy.models import ErasureRequest

pytestmark = pytest.mark.e2e


def test_citizen_requests_erasure_on_a_phone(mobile_page, transactional_db):
    personas = build_personas()
    page = mobile_page
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập", exact=False).first.fill(personas.citizen_a.personal_id)
    page.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").last.click()
    page.wait_for_url("**/tai-khoan/cua-toi/")

    page.locator("#privacy-link").click()
    page.wait_for_url("**/tai-khoan/xoa-du-lieu/")
    page.get_by_text("Phải giữ lại theo quy định").wait_for()
    page.locator("#start-erasure").click()
    page.wait_for_url("**/xoa-du-lieu/xac-nhan/")

    # (A wrong password answers 400 with the error: tests/reliability/test_privacy_erasure.py.)
    page.get_by_label("Nhập lại mật khẩu", exact=False).fill(PASSWORD)
    page.get_by_label("Tôi hiểu rằng", exact=False).check()
    page.get_by_role("button", name="Gửi yêu cầu xóa").click()
    page.wait_for_url("**/tai-khoan/xoa-du-lieu/")
    page.locator("#yeu-cau-xoa").get_by_text("Đã gửi yêu cầu, chờ xem xét").wait_for()
    assert ErasureRequest.objects.get().subject_id == personas.citizen_a.pk
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
