"""Disputes of attributed late dossiers (issue 27 point 5, law.md R28a): the unit head
disputes within the window, the supervisor decides, the next week's report shows it and
the frozen report is not rewritten."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from motcua.core.models import AuditEntry
from motcua.monitoring import disputes
from motcua.monitoring.models import AttributionDispute, WeeklySnapshot
from motcua.monitoring.reports import weekly_report_generate
from motcua.monitoring.snapshots import snapshots_verify
from tests.dossiers.conftest import staff, version  # noqa: F401
from tests.monitoring.test_reports import march  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 13, 9, tzinfo=dt.UTC)


@pytest.fixture
def frozen(personas, march):  # noqa: F811
    weekly_report_generate(week="2026-W11", now=NOW, send=False)
    snap = WeeklySnapshot.objects.get(week="2026-W11")
    late = json.loads(snap.data_json)["late"]
    assert late and late[0]["unit"] == personas.unit_x.code
    return snap, late[0]["code"]


def test_dispute_flows_from_the_unit_to_the_supervisor_and_into_the_next_report(
    personas, client_for, frozen
):
    snap, code = frozen
    before = snap.snapshot_hash
    head = client_for(personas.leader_x)
    page = head.get(reverse("monitoring:disputes")).content.decode()
    assert code in page and "Gửi khiếu nại" in page
    response = head.post(
        reverse("monitoring:dispute_create"),
        {"snapshot": snap.pk, "code": code, "reason": "Chờ ý kiến Sở Y quá hạn"},
    )
    assert response.status_code == 302
    dispute = AttributionDispute.objects.get()
    assert (dispute.unit, dispute.raised_by, dispute.status) == (
        personas.unit_x,
        personas.leader_x,
        "pending",
    )
    assert AuditEntry.objects.filter(action="monitoring.attribution_dispute_create").exists()

    supervisor = client_for(personas.supervisor)
    page = supervisor.get(reverse("monitoring:disputes")).content.decode()
    assert "Chờ ý kiến Sở Y quá hạn" in page and "Ghi nhận quyết định" in page
    url = reverse("monitoring:dispute_decide", args=[dispute.pk])
    supervisor.post(url, {"decision": "accept", "reason": ""})  # a reason is required
    assert AttributionDispute.objects.get().status == "pending"
    supervisor.post(url, {"decision": "accept", "reason": "Có văn bản xin ý kiến đúng hạn"})
    dispute.refresh_from_db()
    assert dispute.status == "accepted" and dispute.decided_by == personas.supervisor
    assert AuditEntry.objects.filter(action="monitoring.attribution_dispute_decide").exists()
    page = supervisor.post(url, {"decision": "reject", "reason": "x"}, follow=True)
    assert "đã được quyết định" in page.content.decode()

    # the next week's report carries the decision; the frozen one is unchanged (the
    # dispute is moved to the days it would have had: raised Monday, decided Wednesday)
    AttributionDispute.objects.update(
        created_at=dt.datetime(2026, 3, 16, 3, tzinfo=dt.UTC),
        decided_at=dt.datetime(2026, 3, 18, 3, tzinfo=dt.UTC),
    )
    report = weekly_report_generate(
        week="2026-W12", now=dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), send=False
    )
    nxt = WeeklySnapshot.objects.get(week="2026-W12")
    listed = json.loads(nxt.data_json)["disputes"]
    assert [(d["week"], d["code"], d["status"]) for d in listed] == [("2026-W11", code, "accepted")]
    assert listed[0]["decision_reason"] == "Có văn bản xin ý kiến đúng hạn"
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(report.xlsx)))["Khiếu nại quy trách nhiệm"]
    assert sheet.cell(row=4, column=2).value == code
    assert WeeklySnapshot.objects.get(pk=snap.pk).snapshot_hash == before
    assert all(c.ok for c in snapshots_verify())
    # decided after that report's cut-off: it showed as pending there
    lines = disputes.disputes_for_report(
        dt.date(2026, 3, 16), dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC)
    )
    assert [(d.code, d.status, d.decision_reason) for d in lines] == [(code, "pending", "")]


def test_only_the_head_of_the_attributed_unit_may_dispute(personas, client_for, frozen):
    snap, code = frozen
    data = {"snapshot": snap.pk, "code": code, "reason": "x"}
    url = reverse("monitoring:dispute_create")
    assert client_for(personas.specialist_y).post(url, data).status_code == 403
    assert client_for(personas.supervisor).post(url, data).status_code == 403
    assert client_for(personas.specialist_y).get(reverse("monitoring:disputes")).status_code == 403
    assert not AttributionDispute.objects.exists()
    # the head may not decide
    dispute = disputes.dispute_create(
        snapshot=snap, dossier_code=code, reason="x", actor=personas.leader_x
    )
    decide = reverse("monitoring:dispute_decide", args=[dispute.pk])
    assert (
        client_for(personas.leader_x)
        .post(decide, {"decision": "accept", "reason": "y"})
        .status_code
        == 403
    )


def test_dispute_rules(personas, client_for, frozen, monkeypatch):
    snap, code = frozen
    head = client_for(personas.leader_x)
    url = reverse("monitoring:dispute_create")
    page = head.post(url, {"snapshot": snap.pk, "code": code, "reason": " "}, follow=True)
    assert "Vui lòng nêu lý do khiếu nại." in page.content.decode()
    page = head.post(url, {"snapshot": snap.pk, "code": "KHONG-CO", "reason": "x"}, follow=True)
    assert "không có trong danh sách trễ hạn" in page.content.decode()
    page = head.post(url, {"snapshot": "abc", "code": code, "reason": "x"}, follow=True)
    assert "Không tìm thấy báo cáo tuần đã chốt." in page.content.decode()
    head.post(url, {"snapshot": snap.pk, "code": code, "reason": "x"})
    page = head.post(url, {"snapshot": snap.pk, "code": code, "reason": "x"}, follow=True)
    assert "đã được khiếu nại" in page.content.decode()
    assert AttributionDispute.objects.count() == 1
    # past the window (3 working days by default: a province rule)
    AttributionDispute.objects.all().delete()
    monkeypatch.setattr(
        disputes, "dispute_deadline", lambda s, u: dt.datetime(2026, 3, 18, tzinfo=dt.UTC)
    )
    page = head.post(url, {"snapshot": snap.pk, "code": code, "reason": "x"}, follow=True)
    assert "Đã hết hạn khiếu nại (3 ngày làm việc" in page.content.decode()
    assert not AttributionDispute.objects.exists()


def test_the_window_is_counted_in_working_days(personas, frozen, settings):
    snap, _code = frozen
    settings.MOTCUA_WEEKLY_DISPUTE_DAYS = 3
    from motcua.dossiers import deadlines

    deadline = disputes.dispute_deadline(snap, personas.unit_x)
    assert deadline > snap.frozen_at
    days = deadlines.working_days_between(personas.unit_x, snap.frozen_at, deadline)
    assert 2 < days <= 3


def test_a_filed_dispute_is_told_to_the_supervisors_who_decide(
    personas, frozen, django_capture_on_commit_callbacks
):
    from motcua.notifications.models import Notification

    snap, code = frozen
    with django_capture_on_commit_callbacks(execute=True):
        disputes.dispute_create(
            snapshot=snap, dossier_code=code, reason="Chờ ý kiến Sở Y", actor=personas.leader_x
        )
    told = Notification.objects.filter(event="attribution_dispute_filed")
    assert personas.supervisor in {n.recipient for n in told}
    assert personas.leader_x not in {n.recipient for n in told}
    note = told.get(recipient=personas.supervisor)
    assert code in note.subject and "Chờ ý kiến Sở Y" in note.body
    assert note.url == reverse("monitoring:disputes")
