"""Browser test (issue 10 done-when): a citizen logs in through the local OpenID Connect
provider standing in for VNeID, submits a dossier, and the dossier is flagged as
e-ID authenticated (TaiKhoanDuocXacThucVoiVNeID) in what goes to the national portal."""

import pytest

from motcua.accounts.models import ExternalAccount
from motcua.core.testing.files import tiny_pdf
from motcua.dossiers.models import Dossier
from motcua.integrations import relay
from motcua.integrations.models import DossierIdentityFlag, OutboxMessage, Service
from motcua.sandbox_idp.seed import DEMO_PASSWORD, seed

pytestmark = [pytest.mark.e2e]


@pytest.mark.django_db(transaction=True)
def test_citizen_logs_in_with_vneid_and_submits_a_flagged_dossier(
    page,
    settings,
    version,
    receive_and_assign,
):
    settings.MOTCUA_IDENTITY_PROVIDERS = ["motcua.integrations.vneid.VneidProvider"]
    seed()
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url("**/sandbox/vneid/authorize?**")
    page.get_by_label("Số định danh cá nhân").fill("001090000001")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đồng ý và đăng nhập").click()
    page.wait_for_url("**/tai-khoan/cua-toi/")  # logged in, back on Motcua
    link = ExternalAccount.objects.get(provider="vneid")

    page.goto(f"/ho-so/nop/?version={version.pk}")
    page.locator("input[type=file]").first.set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}
    )
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/ho-so/*/")

    d = Dossier.objects.get(applicant=link.user)
    assert DossierIdentityFlag.objects.get(dossier=d).vneid_authenticated
    receive_and_assign(d)
    relay.relay()
    sync = OutboxMessage.objects.filter(dossier=d, service=Service.DOSSIER).last()
    assert sync.payload["data"][0]["TaiKhoanDuocXacThucVoiVNeID"] == 1
