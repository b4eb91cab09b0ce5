"""Form II.06a (invariants, columns) and the Friday weekly report (files, archive,
signature-less fallback, e-mail to leaders, scheduler hook, archive page)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.monitoring import form06a
from motcua.monitoring.models import WeeklyReport
from motcua.monitoring.periods import Period
from motcua.monitoring.reports import iso_week, weekly_report_hook
from tests.dossiers.conftest import MONDAY, TZ, staff, version  # noqa: F401
from tests.monitoring.test_updater import _finish, _new, _receive_assign

PERIOD = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _at(day_offset: int) -> dt.datetime:
    return dt.datetime(2026, 3, 1, 9, tzinfo=TZ) + dt.timedelta(days=day_offset)


items = st.builds(
    lambda group, online, received, duration, ends, late_ok, due_days, paused: form06a.Form06aInput(
        group=group,
        online=online,
        received_at=_at(received),
        ended_at=_at(received + duration) if ends else None,
        ended_late_ok=late_ok,
        due_at=_at(received + due_days) if due_days is not None else None,
        paused=paused,
    ),
    st.sampled_from(["Hộ tịch", "Chứng thực", "Đất đai"]),
    st.booleans(),
    st.integers(-40, 40),
    st.integers(0, 30),
    st.booleans(),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 15)),
    st.booleans(),
)


@given(st.lists(items, max_size=40))
@settings(max_examples=150, deadline=None)
def test_form06a_invariants_hold_for_any_history(inputs):
    rows, total = form06a.compute(inputs, PERIOD, TZ)
    for row in [*rows, total]:
        assert form06a.invariant_errors(row) == []
    assert total["received"] == sum(r["received"] for r in rows)


def test_form06a_columns():
    rows, total = form06a.compute(
        [
            # carried over from February, finished early in March
            form06a.Form06aInput("Hộ tịch", False, _at(-5), _at(2), False, _at(4), False),
            # online in March, finished late
            form06a.Form06aInput("Hộ tịch", True, _at(3), _at(12), False, _at(8), False),
            # in person in March, still open and overdue at the end of March
            form06a.Form06aInput("Đất đai", False, _at(5), None, False, _at(9), False),
            # awaiting a supplement: within time whatever its due date
            form06a.Form06aInput("Đất đai", False, _at(6), None, False, _at(9), True),
            # finished in February: not in the March report
            form06a.Form06aInput("Đất đai", False, _at(-20), _at(-10), False, None, False),
        ],
        PERIOD,
        TZ,
    )
    assert [r.group for r in rows] == ["Đất đai", "Hộ tịch"]
    assert total.cells() == [4, 1, 2, 1, 2, 1, 0, 1, 2, 1, 1]
    assert form06a.invariant_errors(form06a.Form06aRow(1, "x", {**total.values, "late": 9})) == [
        "(7) ≠ (8) + (9) + (10)"
    ]


def test_iso_week():
    week = iso_week("2026-W48")
    assert (week.start, week.end) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))


@pytest.fixture
def march(personas, staff, version, e_signing, django_capture_on_commit_callbacks):  # noqa: F811
    """Unit X, week of Monday 02/03/2026: one on time, one still open and overdue."""
    with django_capture_on_commit_callbacks(execute=True):
        ok = _receive_assign(personas, staff, _new(personas, version, MONDAY), MONDAY)
        _finish(personas, staff, ok, MONDAY + dt.timedelta(hours=5))
        overdue = _receive_assign(
            personas, staff, _new(personas, version, MONDAY, personas.citizen_b), MONDAY
        )
    return ok, overdue


@pytest.mark.django_db
def test_weekly_report_is_archived_mailed_and_written(personas, march, tmp_path):
    _ok, overdue = march
    personas.leader_x.email = "lanhdao.x@example.vn"
    personas.leader_x.save()
    # week of 09–15/03: the open dossier (due Monday 09/03 08:00) is overdue and carried over
    call_command(
        "report_weekly", "--week", "2026-W11", "--out", str(tmp_path), stdout=io.StringIO()
    )
    report = WeeklyReport.objects.get(week="2026-W11")
    assert (report.start, report.end) == (dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    assert report.summary["invariant_errors"] == []
    pdf = (tmp_path / "bao-cao-tuan-2026-W11.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf == bytes(report.pdf)
    wb = openpyxl.load_workbook(tmp_path / "bao-cao-tuan-2026-W11.xlsx")
    summary = wb["Tổng hợp"]
    names = [summary.cell(row=r, column=1).value for r in range(5, summary.max_row + 1)]
    assert "Sở X" in names
    overdue_sheet = wb["Quá hạn"]
    assert overdue_sheet.cell(row=2, column=1).value == overdue.code
    assert overdue_sheet.cell(row=2, column=4).value == "Thẩm định"
    week_06a = wb["06a tuần"]
    row = next(r for r in range(5, week_06a.max_row + 1) if week_06a.cell(r, 2).value == "Sở X")
    cells = [week_06a.cell(row, c).value for c in range(3, 14)]
    assert cells == [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1]
    assert mail.outbox and mail.outbox[0].to == ["lanhdao.x@example.vn"]
    assert {a[0] for a in mail.outbox[0].attachments} == {
        "bao-cao-tuan-2026-W11.pdf",
        "bao-cao-tuan-2026-W11.xlsx",
    }


@pytest.mark.django_db
def test_scheduler_hook_archives_the_week_once(personas, march):
    slot = dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC)  # Friday 16:00 local
    first = weekly_report_hook(slot)
    assert first is not None and first.week == "2026-W10"
    assert weekly_report_hook(slot) is None
    assert WeeklyReport.objects.count() == 1


@pytest.mark.django_db
def test_a_late_slot_says_when_the_report_was_actually_made(personas, march):
    """Issue 18: run late (the scheduler catches up a missed Friday), the report kept
    the slot's date as the date it was made."""
    from django.utils import timezone

    slot = dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC)
    before = timezone.now()
    report = weekly_report_hook(slot)
    assert report.generated_at >= before > slot


@pytest.mark.django_db
def test_archive_page_and_form06a_downloads(personas, client_for, march):
    weekly_report_hook(dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC))
    client = client_for(personas.supervisor)
    page = client.get(reverse("monitoring:weekly_reports"))
    assert "2026-W10" in page.content.decode()
    pdf = client.get(reverse("monitoring:weekly_report_file", args=["2026-W10", "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    url = reverse("monitoring:form06a", args=[personas.unit_x.pk, "xlsx"])
    response = client.get(url + "?period=month&date=2026-03-10")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb.active
    total_row = next(r for r in range(7, ws.max_row + 1) if ws.cell(r, 2).value == "Tổng cộng")
    assert [ws.cell(total_row, c).value for c in range(3, 14)] == [2, 2, 0, 0, 1, 1, 0, 0, 1, 0, 1]
    assert client_for(personas.specialist_y).get(url).status_code == 403


@pytest.mark.django_db
def test_overdue_list_never_blames_the_officer_for_the_citizens_time(
    personas,
    staff,  # noqa: F811
    march,
):
    """Issue 19: a dossier waiting for the citizen's supplement is not on the Friday
    overdue list (its clock is stopped); overdue is judged against the due date after
    pauses and extensions."""
    from motcua.dossiers import services
    from motcua.monitoring.reports import build_weekly

    _ok, overdue = march
    now = dt.datetime(2026, 3, 13, 17, tzinfo=TZ)
    listed = [ln.code for ln in build_weekly("2026-W11", now).overdue]
    assert overdue.code in listed
    overdue.refresh_from_db()
    services.dossier_request_supplement(
        dossier=overdue,
        actor=staff.specialist_x,
        expected_version=overdue.version,
        reason="Thiếu giấy chứng sinh",
        now=MONDAY + dt.timedelta(hours=3),
    )
    assert overdue.code not in [ln.code for ln in build_weekly("2026-W11", now).overdue]


@pytest.mark.django_db
def test_heads_are_ranked_by_the_766_groups_and_circular_01_is_internal_and_optional(
    personas,
    march,
):
    """Decree 118 Art. 32(1) names the 766 groups; Circular 01/2018 (law.md R27) is off
    by default for periods from 1/7/2025, an internal column when switched on."""
    from motcua.monitoring.indicators import ScoringPolicy
    from motcua.monitoring.models import ScoringPolicyConfig
    from motcua.monitoring.reports import build_weekly
    from motcua.monitoring.selectors import circular01_enabled_on

    assert circular01_enabled_on(dt.date(2025, 6, 30))
    assert not circular01_enabled_on(dt.date(2026, 3, 15))
    data = build_weekly("2026-W11", dt.datetime(2026, 3, 13, 17, tzinfo=TZ))
    assert "Điều 32 khoản 1" in data.ranking_scheme and data.c01_scheme == ""
    assert all(h.c01_total is None for h in data.heads)
    ScoringPolicyConfig.objects.create(
        effective_from=dt.date(2026, 1, 1),
        options=dict(ScoringPolicy(circular01_internal=True).as_options()),
    )
    assert circular01_enabled_on(dt.date(2026, 3, 15))
    data = build_weekly("2026-W11", dt.datetime(2026, 3, 13, 17, tzinfo=TZ))
    assert "Thông tư 01/2018" in data.c01_scheme
    ranked = [h for h in data.heads if h.total is not None]
    assert ranked and all(h.c01_total is not None for h in ranked)
    assert all(
        set(h.groups)
        == {
            "transparency",
            "progress",
            "online_service",
            "online_payment",
            "satisfaction",
            "digitisation",
        }
        for h in ranked
    )
