"""The load forecast board (issue 27 point 4): the selector on real steps, the unit head
applies a suggestion through `assign` (event, audit), a stale suggestion is refused with
a Vietnamese message, and only the unit's head applies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.core.models import AuditEntry
from motcua.core.testing import fixtures as fx
from motcua.core.testing.personas import make_officer
from motcua.dossiers.models import DossierEvent
from motcua.monitoring import load_store
from motcua.org.constants import Role
from motcua.org.models import Absence
from motcua.org.services import absence_create

pytestmark = pytest.mark.django_db

PAGE = reverse("monitoring:load")
APPLY = reverse("monitoring:load_apply")
ABSENCE = reverse("monitoring:load_absence")


@pytest.fixture
def board(personas):
    """Unit X with two specialists; a dossier received now and assigned to the first,
    who is away for the next three weeks (recorded by the head)."""
    p = personas
    version = fx.make_published_version(p.unit_x)
    first = make_officer("chuyenvien.x", p.unit_x, Role.SPECIALIST)
    second = make_officer("chuyenvien.x2", p.unit_x, Role.SPECIALIST)
    d = fx.submit_online_dossier(version=version, applicant=p.citizen_a, unit=p.unit_x)
    d = fx.receive_dossier(d, receptionist=p.receptionist_x)
    d = fx.assign_dossier(d, leader=p.leader_x, assignee=first)
    today = timezone.localdate()
    absence_create(
        actor=p.leader_x,
        user=first,
        unit=p.unit_x,
        valid_from=today,
        valid_to=today + dt.timedelta(days=21),
        reason="Nghỉ phép năm",
    )
    return d, first, second


def _suggestion(unit, dossier):
    load = load_store.unit_load(unit)
    return next(s for s in load.forecast.actionable if s.step.dossier_id == dossier.pk)


def test_the_forecast_counts_the_step_and_suggests_the_colleague(personas, board):
    d, first, second = board
    load = load_store.unit_load(personas.unit_x)
    assert len(load.forecast.days) == 10
    row = load.forecast.rows[first.pk]
    assert all(c.away for c in row) and sum(c.load for c in row) == 1
    s = _suggestion(personas.unit_x, d)
    assert (s.step.name, s.from_officer, s.to_officer) == ("Thẩm định", first.pk, second.pk)
    assert "vắng ngày" in s.reason and str(second) in s.reason


def test_head_applies_then_the_same_suggestion_is_stale(
    personas, board, client_for, django_capture_on_commit_callbacks
):
    from motcua.notifications.models import Notification

    d, _first, second = board
    s = _suggestion(personas.unit_x, d)
    client = client_for(personas.leader_x)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert f"suggestion-{s.key}" in page.content.decode()
    data = {
        "unit": personas.unit_x.pk,
        "step": s.step.id,
        "to": second.pk,
        "version": s.step.version,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Đã phân công lại hồ sơ" in response.content.decode()
    # The colleague hears about it as after any assignment.
    assert Notification.objects.filter(recipient=second, event="dossier_assigned").exists()
    d.refresh_from_db()
    assert d.assignee_id == second.pk
    assert DossierEvent.objects.filter(dossier=d, action="assign").count() == 2
    entry = AuditEntry.objects.filter(action="monitoring.load_rebalance").get()
    assert entry.after["assignee"] == second.pk and "vắng" in entry.after["reason"]
    # The same click again (another tab, a double click): refused in words, never a 500.
    again = client.post(APPLY, data, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert "Đề xuất này không còn phù hợp" in again.content.decode()
    assert AuditEntry.objects.filter(action="monitoring.load_rebalance").count() == 1
    # Without htmx: a redirect back to the board with the message.
    plain = client.post(APPLY, data)
    assert plain.status_code == 302


def test_a_step_finished_meanwhile_is_stale(personas, board):
    d, _first, second = board
    s = _suggestion(personas.unit_x, d)
    d.steps.filter(pk=s.step.id).update(status="done")
    with pytest.raises(load_store.StaleSuggestion):
        load_store.load_suggestion_apply(
            actor=personas.leader_x,
            unit=personas.unit_x,
            step_id=s.step.id,
            to_user_id=second.pk,
            expected_version=s.step.version,
        )


def test_a_colleague_away_meanwhile_is_stale(personas, board):
    d, _first, second = board
    s = _suggestion(personas.unit_x, d)
    today = timezone.localdate()
    Absence.objects.create(
        user=second, unit=personas.unit_x, valid_from=today, valid_to=today + dt.timedelta(30)
    )
    with pytest.raises(load_store.StaleSuggestion):
        load_store.load_suggestion_apply(
            actor=personas.leader_x,
            unit=personas.unit_x,
            step_id=s.step.id,
            to_user_id=second.pk,
            expected_version=s.step.version,
        )


@pytest.mark.parametrize("who", ["anonymous", "citizen_a", "receptionist_x", "specialist_y"])
def test_others_cannot_see_or_apply(personas, board, client_for, client, who):
    d, first, second = board
    s = _suggestion(personas.unit_x, d)
    c = client if who == "anonymous" else client_for(getattr(personas, who))
    data = {
        "unit": personas.unit_x.pk,
        "step": s.step.id,
        "to": second.pk,
        "version": s.step.version,
    }
    expected = {302} if who == "anonymous" else {403, 404}
    assert c.get(PAGE).status_code in expected
    assert c.post(APPLY, data).status_code in expected
    d.refresh_from_db()
    assert d.assignee_id == first.pk


def test_supervisors_read_only_and_other_heads_get_404(personas, board, client_for):
    d, first, second = board
    s = _suggestion(personas.unit_x, d)
    data = {
        "unit": personas.unit_x.pk,
        "step": s.step.id,
        "to": second.pk,
        "version": s.step.version,
    }
    sup = client_for(personas.supervisor)
    page = sup.get(f"{PAGE}?unit={personas.unit_x.pk}")
    assert page.status_code == 200 and "Thẩm định" in page.content.decode()
    assert "Áp dụng: giao cho" not in page.content.decode()
    assert sup.post(APPLY, data).status_code == 403
    leader_y = make_officer("lanhdao.y", personas.unit_y, Role.LEADER, is_head=True)
    other = client_for(leader_y)
    assert other.get(f"{PAGE}?unit={personas.unit_x.pk}").status_code == 404
    assert other.post(APPLY, data).status_code == 404
    d.refresh_from_db()
    assert d.assignee_id == first.pk


def test_the_head_records_an_absence(personas, board, client_for):
    _d, _first, second = board
    client = client_for(personas.leader_x)
    today = timezone.localdate()
    data = {
        "unit": personas.unit_x.pk,
        "user": second.pk,
        "valid_from": today.isoformat(),
        "valid_to": (today + dt.timedelta(days=2)).isoformat(),
        "reason": "Tập huấn",
    }
    response = client.post(ABSENCE, data, HTTP_HX_REQUEST="true")
    assert "Đã ghi nhận lịch vắng mặt" in response.content.decode()
    assert Absence.objects.filter(user=second).count() == 1
    assert AuditEntry.objects.filter(action="org.absence_create").count() == 2
    bad = client.post(ABSENCE, {**data, "valid_to": "x"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "ngày kết thúc hợp lệ" in bad.content.decode()
    outsider = client.post(ABSENCE, {**data, "user": personas.citizen_a.pk})
    assert outsider.status_code == 302
    assert Absence.objects.count() == 2
    # Nobody else records an absence.
    sup = client_for(personas.supervisor)
    assert sup.post(ABSENCE, data).status_code == 403


# --- API ----------------------------------------------------------------------------------


def _api(scopes, *, units=(), acting_user=None, name="Hệ thống điều hành"):
    from django.test import Client

    from motcua.api.services import api_client_create

    _, token = api_client_create(
        name=f"{name} {next(_names)}" if name != "Hệ thống điều hành" else name,
        scopes=scopes,
        units=units,
        acting_user=acting_user,
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_api_reads_the_board_and_applies_a_suggestion(personas, board):
    d, first, second = board
    p = personas
    api = _api(["monitoring:read", "dossiers:write"], units=[p.unit_x], acting_user=p.leader_x)
    response = api.get(f"/api/v1/monitoring/load?unit={p.unit_x.code}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["days"]) == 10 and body["unit_code"] == p.unit_x.code
    mine = next(o for o in body["officers"] if o["officer_id"] == first.pk)
    assert all(c["away"] for c in mine["cells"])
    (s,) = [s for s in body["suggestions"] if s["dossier_id"] == d.pk]
    data = {
        "unit": p.unit_x.code,
        "step_id": s["step_id"],
        "to_officer": s["to_officer"],
        "expected_version": s["expected_version"],
    }
    done = api.post("/api/v1/monitoring/load/apply", data, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["assignee"] == second.pk
    entry = AuditEntry.objects.get(action="monitoring.load_rebalance")
    assert entry.actor == p.leader_x and entry.after["via"] == "API: Hệ thống điều hành"
    stale = api.post("/api/v1/monitoring/load/apply", data, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_suggestion"
    assert "không còn phù hợp" in stale.json()["detail"]


_names = iter(range(100))


def test_api_scopes_and_units(personas, board):
    p = personas
    url = f"/api/v1/monitoring/load?unit={p.unit_x.code}"
    assert _api(["dossiers:read"], name="a").get(url).json()["code"] == "missing_scope"
    assert _api(["monitoring:read"], units=[p.unit_y], name="b").get(url).status_code == 404
    data = {"unit": p.unit_x.code, "step_id": 1, "to_officer": 1, "expected_version": 1}
    # A client whose acting account is not the head is refused.
    api = _api(["dossiers:write"], units=[p.unit_x], acting_user=p.receptionist_x, name="c")
    refused = api.post("/api/v1/monitoring/load/apply", data, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_permitted"
    nobody = _api(["dossiers:write"], units=[p.unit_x], name="d")
    answer = nobody.post("/api/v1/monitoring/load/apply", data, content_type="application/json")
    assert answer.json()["code"] == "no_acting_account"
