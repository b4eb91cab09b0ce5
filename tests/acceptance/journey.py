"""Browser helpers for the journey tests on the running demo (tests/acceptance): people
log in through the real login form (the demo settings waive the staff second factor,
as `make demo` does), citizens on a 360 px phone, officers on a desktop screen."""

from __future__ import annotations

import io
import re
from typing import Any

TIMEOUT_MS = 120_000  # a loaded CI machine; never a timing assertion

NEW_CITIZEN = {
    "full_name": "Hồ Thị Quầy",
    "personal_id": "049196007788",
    "phone": "0369871234",
    "address": "12 Trần Phú, phường Tam Kỳ, thành phố Đà Nẵng",
    "password": "Quay@Tam-Ky-2026",
}


def _context(browser: Any, site: Any, **kw: Any) -> Any:
    context = browser.new_context(base_url=site.base_url, locale="vi-VN", **kw)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def phone(browser: Any, site: Any) -> Any:
    """A 360 × 740 phone, the smallest screen the portal supports."""
    return _context(
        browser,
        site,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


def desktop(browser: Any, site: Any) -> Any:
    return _context(browser, site, viewport={"width": 1366, "height": 900})


def log_in(page: Any, identifier: str, password: str) -> None:
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập", exact=False).first.fill(identifier)
    page.get_by_label("Mật khẩu", exact=False).first.fill(password)
    page.get_by_role("button", name="Đăng nhập").last.click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def log_out(page: Any) -> None:
    page.context.clear_cookies()


def fetch_bytes(page: Any, url: str) -> bytes:
    """GET with the page's session (a download link), asserting a 200."""
    response = page.request.get(url)
    assert response.status == 200, (url, response.status, response.text()[:500])
    return bytes(response.body())


def scan_pdf(text: str = "Ban scan") -> bytes:
    """A one-page PDF, as a counter scanner or a phone would produce."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.add_metadata({"/Title": text})
    writer.write(buffer)
    return buffer.getvalue()


def pdf_text(data: bytes) -> tuple[int, str]:
    """(pages, the text of every page on one line) of a PDF."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    return len(reader.pages), text


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def act(page: Any, pk: int, action: str, fields: dict[str, str] | None = None) -> str:
    """Fill and submit a workflow action's form on the back-office dossier page."""
    page.goto(f"/quan-tri/ho-so/{pk}/")
    form = page.locator(f"form[action$='/thao-tac/{action}/']")
    assert form.count() == 1, f"{action} is not offered on dossier {pk}: {page.url}"
    for name, value in (fields or {}).items():
        # "item_*": the first field whose name starts so (e.g. the first component of a
        # supplement request, whose field names carry the component's id).
        if name.endswith("*"):
            field = form.locator(f"[name^='{action}-{name[:-1]}']").first
        else:
            field = form.locator(f"[name='{action}-{name}']")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        elif field.get_attribute("type") in ("checkbox", "radio"):
            field.check()
        else:
            field.fill(value)
    form.locator("button[type='submit']").click()
    page.wait_for_load_state()
    done = page.get_by_text(re.compile("^Đã thực hiện: "))
    assert done.count(), f"{action} on {pk}: {page.locator('main').inner_text()[:1500]}"
    return str(done.first.inner_text())
