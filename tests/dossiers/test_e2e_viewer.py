"""The competent unit's leader, after a transfer, reads the citizen's scan in the
inline viewer of the dossier page in headless Chromium: the frame loads under the
strict CSP (no console error) and the file itself is served inline (issue 18)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Competence
from motcua.core.testing.files import tiny_pdf
from motcua.dossiers import services

from .conftest import MONDAY
from .test_e2e_backoffice import login_officer, open_dossier

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_leader_of_the_new_competent_unit_views_the_scan_inline(
    page, personas, staff, version, transactional_db
):
    first, _second = version.components.order_by("order")
    d = services.dossier_receive_at_counter(
        actor=personas.receptionist_x,
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        components=[
            services.CounterComponent(
                component=first, upload=SimpleUploadedFile("tokhai.pdf", tiny_pdf())
            )
        ],
        now=MONDAY,
    )
    Competence.objects.create(
        procedure=version.procedure, unit=personas.unit_y, valid_from=dt.date(2020, 1, 1)
    )
    d = services.dossier_transfer(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        to_unit=personas.unit_y,
        reason="Thuộc thẩm quyền Sở Y",
    )
    login_officer(page, staff.leader_y)
    open_dossier(page, d)
    with page.expect_response(lambda r: "xem=1" in r.url) as shown:
        page.get_by_text("Xem tệp").first.click()
    response = shown.value
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    page.locator("iframe.viewer-frame").wait_for()
    download = page.get_by_role("link", name="tokhai.pdf")
    with page.expect_download() as saved:
        download.click()
    assert saved.value.suggested_filename == "tokhai.pdf"
