"""Issue 18, deliverable 5 — the counter journey on the running demo (`demo_site`):
the receptionist of the provincial service centre creates the account of a citizen who
has none, scans the papers handed over and submits the dossier on that account; Form 01
(PDF) lists only the papers ticked as received, the address and the one-time activation
code; the citizen claims the account with that code on a phone and sees the dossier."""

from __future__ import annotations

import re

import pytest

from tests.acceptance.journey import (
    NEW_CITIZEN,
    desktop,
    fetch_bytes,
    log_in,
    pdf_text,
    phone,
    scan_pdf,
    squash,
)

pytestmark = [pytest.mark.acceptance, pytest.mark.e2e]

PROCEDURE = "DEMO-GPLX"  # no e-form: the counter takes the papers only
CODE = re.compile(r"mã kích hoạt\s+([A-Z0-9]{6,12})")


def test_counter_reception_hands_the_account_over(demo_site, browser):
    password = demo_site.facts["password"]
    staff = desktop(browser, demo_site)
    page = staff.new_page()
    log_in(page, "tiepnhan.ttpvhcc", password)

    # 1. The citizen has no account: look the number up, create the minimal account.
    page.goto("/quan-tri/ho-so/tiep-nhan/")
    page.get_by_label("Số định danh cá nhân của người nộp").fill(NEW_CITIZEN["personal_id"])
    page.get_by_role("button", name="Tìm công dân").click()
    page.get_by_label("Họ và tên").fill(NEW_CITIZEN["full_name"])
    page.get_by_label("Số điện thoại").fill(NEW_CITIZEN["phone"])
    page.get_by_role("button", name="Tạo tài khoản công dân").click()
    assert "Mã kích hoạt đã gửi" in page.content(), page.locator("main").inner_text()

    # 2. The procedure, then the papers: two handed over and scanned, one not brought.
    option = page.locator("#id_version option", has_text=PROCEDURE).first
    page.select_option("#id_version", value=option.get_attribute("value"))
    page.get_by_role("button", name="Chọn").click()
    rows = page.locator(".component-row")
    assert rows.count() == 3
    names = [rows.nth(i).locator("label").first.inner_text().strip() for i in range(3)]
    for i in range(2):
        rows.nth(i).locator("input[type=file]").set_input_files(
            {"name": f"giay-to-{i + 1}.pdf", "mimeType": "application/pdf", "buffer": scan_pdf()}
        )
    rows.nth(2).locator("input[name^=received_]").uncheck()
    rows.nth(2).locator("input[name^=digitized_]").uncheck()
    page.get_by_label("Địa chỉ người nộp").fill(NEW_CITIZEN["address"])
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn (Mẫu 01)").click()
    page.wait_for_url(re.compile(r"/quan-tri/ho-so/\d+/mau-01/$"))
    dossier_code = page.locator("p", has_text="Mã hồ sơ").locator("strong").inner_text().strip()
    pdf_href = page.get_by_role("link", name="Tải bản PDF (A5)").get_attribute("href")

    # 3. Form 01 as printed: the ticked papers only, the address, the activation code.
    pages, text = pdf_text(fetch_bytes(page, pdf_href))
    assert pages == 1, "Form 01 fits one A5 page"
    for name in names[:2]:
        assert squash(name[:30]) in squash(text), (name, text)
    assert squash(names[2][:30]) not in squash(text), (names[2], text)
    assert NEW_CITIZEN["address"] in text, text
    found = CODE.search(text)
    assert found, text
    staff.close()

    # 4. The citizen claims the account on a phone with the printed code, then sees
    # the dossier among their own.
    citizen = phone(browser, demo_site)
    page = citizen.new_page()
    page.goto("/tai-khoan/kich-hoat/")
    page.get_by_label("Số định danh cá nhân").fill(NEW_CITIZEN["personal_id"])
    page.get_by_label("Mã kích hoạt").fill(found.group(1))
    page.locator("input[name=password1]").fill(NEW_CITIZEN["password"])
    page.locator("input[name=password2]").fill(NEW_CITIZEN["password"])
    page.locator("input[name=declaration]").check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/tai-khoan/dang-nhap/"))  # claimed: now log in
    log_in(page, NEW_CITIZEN["personal_id"], NEW_CITIZEN["password"])
    page.goto("/ho-so/")
    assert dossier_code in page.content()
    citizen.close()
