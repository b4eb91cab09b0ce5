"""A supervisor logs in (password + TOTP), opens the province map, drills down to a red
unit and sees the late dossiers behind its score (issue 9, "Done when")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.testing.personas import PASSWORD
from tests.dossiers.conftest import staff, version  # noqa: F401
from tests.monitoring.test_updater import _new, _receive_assign

pytestmark = pytest.mark.e2e


def _weekday_morning(days_ago: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())


def test_supervisor_drills_down_from_the_map_to_late_dossiers(
    page,
    transactional_db,
    personas,
    staff,  # noqa: F811
    version,  # noqa: F811
):
    # Open dossiers are judged at the end of their reception month (docs/monitoring.md
    # "Judging instant"): received at the start of last month, due within it, still open.
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    received = _weekday_morning((timezone.localdate() - last_month).days)
    if received.date() < last_month:  # the 1st was a weekend: the next weekday
        received += dt.timedelta(days=7 - received.weekday())
    late = _receive_assign(personas, staff, _new(personas, version, received), received)
    assert late.due_at.astimezone(received.tzinfo).month == received.month

    supervisor = personas.supervisor
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập", exact=False).first.fill(supervisor.username)
    page.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").last.click()
    device = TOTPDevice.objects.get(user=supervisor)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.locator(
        "input[name='otp_token'], input[name='token'], input[autocomplete='one-time-code']"
    ).first.fill(code)
    page.locator("form button[type='submit']").last.click()
    page.wait_for_url("**/quan-tri/**")

    page.goto(f"/quan-tri/giam-sat/?period=year&date={received.date().isoformat()}")
    tile = page.locator("li.mon-tile", has=page.get_by_test_id("tile-000.00.01.H47"))
    # Only a late dossier: half the points or fewer, an orange or red tile (the catalogue
    # points of Decision 766 group 1 no longer depend on dossiers, issue 19).
    assert tile.count() == 1
    assert tile.get_attribute("class").split()[-1] in {"level-orange", "level-red"}, "Sở X"
    tile.get_by_role("link", name="Sở X").click()
    page.wait_for_url("**/giam-sat/don-vi/**")
    assert "Trễ hạn: 1" in page.content()
    page.get_by_test_id("late-link").click()
    page.wait_for_url("**/ho-so/**")
    assert page.get_by_test_id("dossier-count").inner_text() == "1"
    row = page.get_by_test_id("dossier-list").locator("tbody tr").first
    assert late.code in row.inner_text()
    assert "Thẩm định" in row.inner_text()  # the responsible step
    assert "Chưa ghi nhận lý do" in row.inner_text()
