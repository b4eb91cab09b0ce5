"""Browser test (issue 7): the citizen pays a fee through the sandbox gateway, sees the
status, and downloads the e-receipt."""

from __future__ import annotations

import pytest

from motcua.core.testing.personas import PASSWORD
from motcua.payments.constants import RequestStatus
from motcua.payments.models import Receipt

pytestmark = pytest.mark.e2e


def _login(pg, identifier: str) -> None:
    pg.goto("/tai-khoan/dang-nhap/")
    pg.get_by_label("Tên đăng nhập", exact=False).first.fill(identifier)
    pg.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    pg.get_by_role("button", name="Đăng nhập").last.click()
    pg.wait_for_url(lambda url: "/dang-nhap/" not in url)


def test_citizen_pays_through_the_sandbox_gateway_and_downloads_the_receipt(
    transactional_db,
    page,
    personas,
    fee_request,
):
    _login(page, personas.citizen_a.personal_id)
    page.goto(f"/thanh-toan/yeu-cau/{fee_request.pk}/")
    assert "35.000" in page.content() or "35,000" in page.content()
    page.get_by_label("Cổng thanh toán", exact=False).check()
    page.get_by_role("button", name="Thanh toán", exact=False).last.click()
    page.wait_for_url("**/ngan-hang-thu-nghiem/**")
    assert "Cổng thanh toán thử nghiệm" in page.content()
    page.get_by_role("button", name="Thanh toán thành công").click()
    page.wait_for_url("**/thanh-toan/giao-dich/**")
    status = page.locator("[data-status]")
    assert status.get_attribute("data-status") == "succeeded"
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải biên lai điện tử", exact=False).click()
    download = info.value
    path = download.path()
    with open(path, "rb") as fh:
        assert fh.read(4) == b"%PDF"
    assert download.suggested_filename.startswith("bien-lai-")
    fee_request.refresh_from_db()
    assert (fee_request.status, fee_request.paid_amount) == (RequestStatus.PAID, 35000)
    assert Receipt.objects.filter(request=fee_request).count() == 1
