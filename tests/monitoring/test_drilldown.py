"""Drill-down: dashboard tile → unit page → the late dossiers behind 2.1, scoped to the
viewer's units; early-warning panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from motcua.dossiers import services
from tests.dossiers.conftest import MONDAY, staff, version  # noqa: F401
from tests.monitoring.test_updater import _finish, _new, _receive_assign

pytestmark = pytest.mark.django_db
MARCH = "period=month&date=2026-03-15"


@pytest.fixture
def history(personas, staff, version, django_capture_on_commit_callbacks, e_signing):  # noqa: F811
    """Unit X in March 2026: one dossier on time, one still open and long overdue,
    one finished late after an apology letter with an objective reason."""
    with django_capture_on_commit_callbacks(execute=True):
        ok = _receive_assign(personas, staff, _new(personas, version, MONDAY), MONDAY)
        _finish(personas, staff, ok, MONDAY + dt.timedelta(hours=5))
        overdue = _receive_assign(
            personas, staff, _new(personas, version, MONDAY, personas.citizen_b), MONDAY
        )
        apologised = _receive_assign(
            personas, staff, _new(personas, version, MONDAY + dt.timedelta(hours=2)), MONDAY
        )
        apologised = services.dossier_extend_with_apology(
            dossier=apologised,
            actor=personas.leader_x,
            expected_version=apologised.version,
            new_due_at=dt.datetime(2026, 3, 13, 16, tzinfo=MONDAY.tzinfo),
            reason="Chờ xác minh của cơ quan khác",
            reason_kind="objective",
            now=MONDAY + dt.timedelta(days=2),
        )
        _finish(personas, staff, apologised, dt.datetime(2026, 3, 12, 9, tzinfo=MONDAY.tzinfo))
    return ok, overdue, apologised


def test_supervisor_drills_down_to_the_late_dossiers(personas, client_for, history):
    ok, overdue, apologised = history
    client = client_for(personas.supervisor)
    dash = client.get(reverse("monitoring:dashboard") + "?" + MARCH)
    unit_url = reverse("monitoring:unit", args=[personas.unit_x.pk])
    assert unit_url in dash.content.decode()

    page = client.get(unit_url + "?" + MARCH)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trễ hạn: 2" in html
    assert "1.001193" in html  # the procedures table

    late = client.get(
        reverse("monitoring:unit_dossiers", args=[personas.unit_x.pk]) + "?kind=late&" + MARCH
    )
    html = late.content.decode()
    assert late.context["total"] == 2
    codes = {r.dossier.code for r in late.context["rows"]}
    assert codes == {overdue.code, apologised.code}
    assert ok.code not in html
    by_code = {r.dossier.code: r for r in late.context["rows"]}
    # the open overdue dossier: the specialist's appraisal step is responsible
    assert by_code[overdue.code].step_name == "Thẩm định"
    assert by_code[overdue.code].officer == "chuyenvien.x" or by_code[overdue.code].officer
    assert by_code[overdue.code].reason_kind == ""
    assert by_code[apologised.code].reason_kind == "objective"
    assert "Khách quan" in html


def test_officers_outside_the_unit_cannot_drill_down(
    personas, client_for, history, district_supervisor
):
    url = reverse("monitoring:unit_dossiers", args=[personas.unit_x.pk]) + "?kind=late&" + MARCH
    assert client_for(district_supervisor).get(url).status_code == 404
    assert client_for(personas.specialist_y).get(url).status_code == 403


def test_early_warning_lists_overdue_open_dossiers(personas, client_for, history):
    _ok, overdue, _apologised = history
    response = client_for(personas.supervisor).get(reverse("monitoring:warnings"))
    assert response.status_code == 200
    counts = {w.unit.pk: w for w in response.context["counts"]}
    assert counts[personas.unit_x.pk].overdue == 1
    assert [r.dossier.code for r in response.context["rows"]] == [overdue.code]


def test_tiles_show_the_trend_against_the_previous_period(personas, client_for, history):
    from motcua.monitoring.dashboard import previous_period
    from motcua.monitoring.periods import Period, period_for

    assert previous_period(period_for("month", dt.date(2026, 3, 15))) == period_for(
        "month", dt.date(2026, 2, 1)
    )
    custom = previous_period(Period(dt.date(2026, 3, 10), dt.date(2026, 3, 19)))
    assert (custom.start, custom.end) == (dt.date(2026, 2, 28), dt.date(2026, 3, 9))
    response = client_for(personas.supervisor).get(reverse("monitoring:dashboard") + "?" + MARCH)
    unit_x = next(e for e in response.context["entries"] if e.unit == personas.unit_x)
    assert unit_x.previous is None and unit_x.trend == ""  # nothing in February
    april = client_for(personas.supervisor).get(
        reverse("monitoring:dashboard") + "?period=month&date=2026-04-10"
    )
    unit_x = next(e for e in april.context["entries"] if e.unit == personas.unit_x)
    assert unit_x.value is None and unit_x.previous is not None
