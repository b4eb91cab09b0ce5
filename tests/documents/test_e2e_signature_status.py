"""Browser test: officers (back office) and citizens (portal, public verification page)
see the signature status of a signed result."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from motcua.core.testing.personas import login
from motcua.documents.constants import SignerRole
from motcua.documents.services import document_sign

pytestmark = pytest.mark.e2e


def _log_in(page, live_server, user):
    client = login(Client(), user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_officer_and_citizen_see_signature_status(
    page, live_server, personas, credentials, issued_result
):
    first = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    final = document_sign(
        file=first, actor=personas.leader_x, role=SignerRole.AGENCY, unit=personas.unit_x
    )

    # Officer in the back office.
    _log_in(page, live_server, personas.leader_x)
    page.goto(reverse("documents:detail", args=[final.pk]))
    status = page.locator("#signature-status")
    status.wait_for()
    assert "Tất cả chữ ký hợp lệ" in status.inner_text()
    rows = status.locator("tbody tr")
    assert rows.count() == 2
    assert "Lãnh Đạo X" in rows.nth(0).inner_text()
    assert "Hợp lệ" in rows.nth(0).inner_text()
    assert "Đã kiểm tra" in rows.nth(1).inner_text()  # revocation (CRL embedded, B-LT)

    # Citizen: from "Kho dữ liệu của tôi" to the file's signature status.
    _log_in(page, live_server, personas.citizen_a)
    page.goto(reverse("documents:warehouse"))
    page.get_by_role("link", name="Xem, kiểm tra chữ ký").first.click()
    page.locator("#signature-status").wait_for()
    citizen_view = page.locator("#signature-status").inner_text()
    assert "Tất cả chữ ký hợp lệ" in citizen_view and "Sở X" in citizen_view

    # Anyone: the public verification page reached by the QR code.
    page.context.clear_cookies()
    page.goto(reverse("verify:detail", args=[issued_result.code]))
    assert "Khớp với bản đã cấp" in page.locator("#stored-match").inner_text()
    assert page.locator("#signature-status tbody tr").count() == 2
