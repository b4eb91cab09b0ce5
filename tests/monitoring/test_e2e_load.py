"""The head of unit X opens the load forecast from the back-office menu, sees the step
of an officer on leave and hands it to a colleague with one click (issue 27 point 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.models import AuditEntry
from motcua.core.testing import fixtures as fx
from motcua.core.testing.personas import PASSWORD, make_officer
from motcua.org.constants import Role
from motcua.org.services import absence_create

pytestmark = pytest.mark.e2e


def _login(page, user) -> None:
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập", exact=False).first.fill(user.username)
    page.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").last.click()
    device = TOTPDevice.objects.get(user=user)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.locator(
        "input[name='otp_token'], input[name='token'], input[autocomplete='one-time-code']"
    ).first.fill(code)
    page.locator("form button[type='submit']").last.click()
    page.wait_for_url("**/quan-tri/**")


def test_unit_head_applies_a_suggestion(page, transactional_db, personas):
    p = personas
    version = fx.make_published_version(p.unit_x)
    away = make_officer("chuyenvien.x", p.unit_x, Role.SPECIALIST, full_name="Trần Thị Vắng")
    colleague = make_officer("chuyenvien.x2", p.unit_x, Role.SPECIALIST, full_name="Lê Văn Rảnh")
    d = fx.submit_online_dossier(version=version, applicant=p.citizen_a, unit=p.unit_x)
    d = fx.receive_dossier(d, receptionist=p.receptionist_x)
    d = fx.assign_dossier(d, leader=p.leader_x, assignee=away)
    today = timezone.localdate()
    absence_create(
        actor=p.leader_x,
        user=away,
        unit=p.unit_x,
        valid_from=today,
        valid_to=today + dt.timedelta(days=21),
    )

    _login(page, p.leader_x)
    page.get_by_role("link", name="Dự báo tải xử lý").first.click()
    page.wait_for_url("**/giam-sat/tai-xu-ly/**")
    table = page.get_by_test_id("load-table")
    assert "Trần Thị Vắng" in table.inner_text() and "Vắng" in table.inner_text()
    item = page.get_by_test_id("load-suggestions").locator("li", has_text=d.code)
    assert "vắng ngày" in item.inner_text()
    item.get_by_role("button", name="Áp dụng: giao cho Lê Văn Rảnh").click()
    page.get_by_text("Đã phân công lại hồ sơ").wait_for()
    # htmx swapped the board: the suggestion is gone, the step is the colleague's.
    assert page.get_by_test_id("load-suggestions").count() == 0
    d.refresh_from_db()
    assert d.assignee_id == colleague.pk
    assert AuditEntry.objects.filter(action="monitoring.load_rebalance").count() == 1
