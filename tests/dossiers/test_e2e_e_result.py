"""Browser test of the electronic result: the leader signs from the back office (a real
PAdES signature with the leader's own credential), the clerk issues it with the agency
seal, the citizen downloads it on a 360 px phone and the downloaded PDF validates with
pyHanko (intact; the leader, then the agency seal; trusted with the demo root)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from motcua.core.testing.personas import login
from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier
from tests.dossiers.test_e2e_backoffice import act, login_officer, open_dossier
from tests.dossiers.test_e_result import validate_with_pyhanko

pytestmark = pytest.mark.e2e


def test_leader_signs_clerk_issues_citizen_downloads_signed_pdf(
    page, mobile_page, live_server, transactional_db, personas, staff, in_process, e_signing
):
    d = services.dossier_submit_for_approval(
        dossier=in_process, actor=staff.specialist_x, expected_version=in_process.version
    )

    login_officer(page, personas.leader_x)
    open_dossier(page, d)
    act(page, "approve", "Phê duyệt")
    assert "Lãnh đạo đã ký" in page.locator("#e-result-signatures").inner_text()

    login_officer(page, staff.clerk_x)
    open_dossier(page, d)
    act(page, "issue_result", "Ban hành kết quả", {"result_number": "77/GKS"})
    badges = page.locator("#e-result-signatures").inner_text()
    assert "Lãnh đạo đã ký" in badges and "Đã đóng dấu cơ quan" in badges

    d = Dossier.objects.get(pk=d.pk)
    d = services.dossier_return_result(
        dossier=d, actor=personas.receptionist_x, expected_version=d.version, channel="online"
    )
    assert d.status == DossierStatus.RESULT_RETURNED

    # The citizen, on a phone, downloads the signed result from their dossier page.
    client = login(Client(), personas.citizen_a)
    mobile_page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    mobile_page.goto(reverse("my_dossiers:detail", args=[d.pk]))
    mobile_page.get_by_text("Tất cả chữ ký hợp lệ").first.wait_for()
    with mobile_page.expect_download() as info:
        mobile_page.get_by_role("link", name="Tải kết quả (PDF)").click()
    with open(info.value.path(), "rb") as fh:
        data = fh.read()
    signers = validate_with_pyhanko(data)
    assert [name for name, _s in signers] == [personas.leader_x.full_name, personas.unit_x.name]
    for _name, status in signers:
        assert status.intact and status.valid and status.trusted
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted

    # The same file is offered on the public verification page (no login).
    code = d.result_files[0]["ref"]
    mobile_page.context.clear_cookies()
    mobile_page.goto(reverse("verify:detail", args=[code]))
    with mobile_page.expect_download() as info:
        mobile_page.locator("#verify-download").click()
    with open(info.value.path(), "rb") as fh:
        assert fh.read() == data
