"""A dispute flows through the real pages (issue 27 point 5, law.md R28a): the head of
the unit a late dossier is attributed to in the frozen weekly report disputes it from
the weekly reports page, the supervisor is told and decides, and the frozen report
still verifies."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from motcua.monitoring.models import AttributionDispute, WeeklySnapshot
from motcua.monitoring.reports import weekly_report_generate
from motcua.monitoring.snapshots import snapshots_verify
from motcua.notifications.models import Notification
from tests.dossiers.conftest import staff, version  # noqa: F401
from tests.monitoring.test_e2e_load import _login
from tests.monitoring.test_reports import march  # noqa: F401

pytestmark = pytest.mark.e2e


def test_unit_head_disputes_and_the_supervisor_decides(
    page,
    browser,
    live_server,
    transactional_db,
    personas,
    march,  # noqa: F811
):
    weekly_report_generate(
        week="2026-W11", now=dt.datetime(2026, 3, 13, 9, tzinfo=dt.UTC), send=False
    )
    snap = WeeklySnapshot.objects.get(week="2026-W11")
    code = json.loads(snap.data_json)["late"][0]["code"]
    # Signed although Playwright's event loop runs in this thread (engine.sign_pdf_bytes
    # signs off the loop; before, the report was archived unsigned here).
    assert snap.signed_by

    _login(page, personas.leader_x)
    page.goto(reverse("monitoring:weekly_reports"))
    page.get_by_role("link", name="Khiếu nại quy trách nhiệm hồ sơ trễ hạn").click()
    row = page.locator("tr", has_text=code)
    row.get_by_label("Lý do").fill("Chờ ý kiến Sở Y quá hạn, có văn bản")
    row.get_by_role("button", name="Gửi khiếu nại").click()
    page.locator("tr", has_text=code).get_by_text("Chờ quyết định").first.wait_for()
    dispute = AttributionDispute.objects.get()
    assert Notification.objects.filter(
        recipient=personas.supervisor, event="attribution_dispute_filed"
    ).exists()

    other = browser.new_context(base_url=live_server.url, locale="vi-VN")
    supervisor = other.new_page()
    supervisor.set_default_timeout(15_000)
    _login(supervisor, personas.supervisor)
    supervisor.goto(reverse("monitoring:disputes"))
    card = supervisor.locator("section.card", has_text=code)
    assert "Chờ ý kiến Sở Y quá hạn" in card.inner_text()
    card.get_by_label("Chấp nhận (không quy trách nhiệm cho đơn vị)").check()
    card.get_by_label("Lý do quyết định").fill("Có văn bản xin ý kiến đúng hạn")
    card.get_by_role("button", name="Ghi nhận quyết định").click()
    supervisor.get_by_text("Không có khiếu nại chờ quyết định.").wait_for()
    other.close()
    dispute.refresh_from_db()
    assert dispute.status == "accepted" and dispute.decided_by == personas.supervisor
    assert all(c.ok for c in snapshots_verify("2026-W11"))  # the frozen report is untouched
