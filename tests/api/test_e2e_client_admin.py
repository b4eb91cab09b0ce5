"""The administrator registers a system in the back office, the system calls the API with
the token shown once, sees only its unit's dossiers, and is cut off when revoked."""

from __future__ import annotations

import pytest

from motcua.core.testing.fixtures import (
    BIRTH_STEPS,
    make_published_version,
    submit_online_dossier,
)
from tests.dossiers.test_e2e_backoffice import login_officer

pytestmark = pytest.mark.e2e


def test_admin_registers_a_unit_bound_client_then_revokes_it(
    page, browser, live_server, transactional_db, personas
):
    # A dossier of unit X; the client will be bound to unit Y.
    version = make_published_version(personas.unit_x, components=[], steps=BIRTH_STEPS)
    submitted = submit_online_dossier(
        version=version, applicant=personas.citizen_a, unit=personas.unit_x
    )
    login_officer(page, personas.admin)
    page.goto("/quan-tri/ung-dung-api/")
    page.get_by_label("Tên ứng dụng").fill("Hệ thống ngành Y")
    page.get_by_label("dossiers:read", exact=False).check()
    page.get_by_label("Đơn vị được truy cập").select_option(value=str(personas.unit_y.pk))
    page.get_by_role("button", name="Tạo ứng dụng").click()
    token_box = page.get_by_test_id("new-token")
    token_box.wait_for()
    token = token_box.inner_text().strip()
    assert token.startswith("mc_")
    row = page.get_by_role("row").filter(has_text="Hệ thống ngành Y")
    assert personas.unit_y.code in row.inner_text()

    # The other system: no browser session, only the token.
    other_system = browser.new_context(base_url=live_server.url)
    system = other_system.request
    headers = {"Authorization": f"Bearer {token}"}
    listed = system.get("/api/v1/dossiers/", headers=headers)
    assert listed.status == 200
    assert submitted.pk not in [item["id"] for item in listed.json()["items"]]
    other_unit = system.get(f"/api/v1/dossiers/{submitted.pk}", headers=headers)
    assert other_unit.status == 404
    assert other_unit.headers["content-type"].startswith("application/problem+json")

    # Revoked: the same token is refused with a problem body.
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Thu hồi").click()
    page.get_by_role("row").filter(has_text="Hệ thống ngành Y").get_by_text("Đã thu hồi").wait_for()
    refused = system.get("/api/v1/dossiers/", headers=headers)
    assert refused.status == 401
    assert refused.json()["status"] == 401
    other_system.close()
