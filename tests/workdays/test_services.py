import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motcua.core.models import AuditEntry
from motcua.workdays import services
from motcua.workdays.calendar import TZ, Duration
from motcua.workdays.models import DayOverride, DayOverrideChange, OverrideKind
from motcua.workdays.selectors import get_calendar, office_hours_for, year_exceptions

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_override_changes_the_calendar_and_is_logged(personas):
    before = get_calendar().add(at(2026, 3, 2, 9), Duration.days(1))
    assert before == at(2026, 3, 3, 9)
    services.day_override_save(
        actor=personas.admin,
        date=dt.date(2026, 3, 3),
        kind=OverrideKind.DAY_OFF,
        reason="Nghỉ đột xuất do bão",
        legal_basis="Công điện 01/CĐ-UBND",
    )
    cal = get_calendar()  # cache invalidated by the version bump
    assert cal.add(at(2026, 3, 2, 9), Duration.days(1)) == at(2026, 3, 4, 9)
    assert cal.reason(dt.date(2026, 3, 3)) == "Nghỉ đột xuất do bão"
    assert cal.legal_basis(dt.date(2026, 3, 3)) == "Công điện 01/CĐ-UBND"
    line = next(
        line
        for line in cal.explain(at(2026, 3, 2, 9), Duration.days(1)).lines
        if line.day == dt.date(2026, 3, 3)
    )
    assert (line.counted, line.legal_basis) == (False, "Công điện 01/CĐ-UBND")
    change = DayOverrideChange.objects.get()
    assert change.actor == personas.admin
    assert change.action == "create"
    assert change.after["reason"] == "Nghỉ đột xuất do bão"
    assert AuditEntry.objects.filter(action="workdays.override_create").exists()


def test_update_and_delete_keep_before_and_after(personas):
    row = services.day_override_save(
        actor=personas.admin, date=dt.date(2026, 3, 3), kind="day_off", reason="A"
    )
    services.day_override_save(
        actor=personas.admin, date=dt.date(2026, 3, 3), kind="day_off", reason="B"
    )
    services.day_override_delete(actor=personas.admin, override=DayOverride.objects.get())
    actions = list(DayOverrideChange.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]
    update = DayOverrideChange.objects.get(action="update")
    assert (update.before["reason"], update.after["reason"]) == ("A", "B")
    assert get_calendar().is_working_day(row.date)


def test_working_saturday_override(personas):
    services.day_override_save(
        actor=personas.admin,
        date=dt.date(2026, 3, 7),
        kind=OverrideKind.WORKING_DAY,
        reason="Làm bù",
    )
    assert get_calendar().add(at(2026, 3, 6, 9), Duration.days(1)) == at(2026, 3, 7, 9)


def test_only_administrators_edit(personas):
    for user in (personas.receptionist_x, personas.leader_x, personas.supervisor):
        with pytest.raises(PermissionDenied):
            services.day_override_save(
                actor=user, date=dt.date(2026, 3, 3), kind="day_off", reason="x"
            )
    assert not DayOverride.objects.exists()


def test_local_override_applies_to_the_unit_and_its_subtree_only(personas):
    services.day_override_save(
        actor=personas.admin,
        date=dt.date(2026, 3, 3),
        kind="day_off",
        reason="Nghỉ riêng của tỉnh",
        unit=personas.province,
    )
    assert not get_calendar(personas.unit_x).is_working_day(dt.date(2026, 3, 3))
    assert not get_calendar(personas.province).is_working_day(dt.date(2026, 3, 3))
    assert get_calendar().is_working_day(dt.date(2026, 3, 3))


def test_unit_office_hours_fall_back_to_parent_then_default(personas):
    services.office_hours_save(
        actor=personas.admin,
        unit=personas.province,
        morning_start=dt.time(7, 0),
        morning_end=dt.time(11, 0),
        afternoon_start=dt.time(13, 30),
        afternoon_end=dt.time(16, 30),
        same_day_cutoff=dt.time(15, 0),
    )
    assert office_hours_for(personas.unit_x).periods[0][0] == dt.time(7, 0)
    assert office_hours_for(None).periods[0][0] == dt.time(7, 30)
    cal = get_calendar(personas.unit_x)
    assert cal.add(at(2026, 3, 2, 7), Duration.hours(7)) == at(2026, 3, 2, 16, 30)
    with pytest.raises(ValidationError):
        services.office_hours_save(
            actor=personas.admin,
            unit=None,
            morning_start=dt.time(13, 0),
            morning_end=dt.time(11, 0),
            afternoon_start=dt.time(13, 30),
            afternoon_end=dt.time(16, 30),
            same_day_cutoff=dt.time(15, 0),
        )


def test_import_and_replace_a_year(personas):
    data = {
        "days_off": ["2026-03-03", {"date": "2026-03-04", "reason": "Nghỉ lễ hội địa phương"}],
        "working_days": ["2026-03-07"],
        "basis": "Quyết định 12/QĐ-UBND",
    }
    result = services.overrides_import(actor=None, data=data)
    assert result.created_or_updated == 3
    rows = {r.date: r for r in DayOverride.objects.all()}
    assert rows[dt.date(2026, 3, 4)].reason == "Nghỉ lễ hội địa phương"
    assert rows[dt.date(2026, 3, 3)].legal_basis == "Quyết định 12/QĐ-UBND"
    replacement = {"days_off": ["2026-03-05"], "basis": "Quyết định 13/QĐ-UBND"}
    result = services.overrides_import(actor=None, data=replacement, replace=True)
    assert result.deleted == 3
    assert list(DayOverride.objects.values_list("date", flat=True)) == [dt.date(2026, 3, 5)]
    exceptions = {d.day: d for d in year_exceptions(2026)}
    assert exceptions[dt.date(2026, 3, 5)].source == "override"
    assert exceptions[dt.date(2026, 2, 16)].source == "statutory"


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"days_off": "2026-03-03"},
        {"days_off": ["03/03/2026"]},
        {"days_off": ["2026-03-03"], "working_days": ["2026-03-03"]},
        {"days_off": ["2026-03-03"], "year": 2027},
        {"holidays": ["2026-03-03"]},
        {"basis": "x"},
    ],
)
def test_import_rejects_bad_documents(data):
    with pytest.raises(ValidationError):
        services.overrides_import(actor=None, data=data)
    assert not DayOverride.objects.exists()


def test_shipped_2026_file_matches_the_statutory_data(personas):
    import json
    from pathlib import Path

    import motcua.workdays

    path = Path(motcua.workdays.__file__).parent / "data" / "vn_2026.json"
    services.overrides_import(actor=None, data=json.loads(path.read_text(encoding="utf-8")))
    cal = get_calendar()
    for day in (16, 17, 18, 19, 20):
        assert not cal.is_working_day(dt.date(2026, 2, day))
    assert cal.is_working_day(dt.date(2026, 8, 22))


def test_deadline_status_for_worklists(personas):
    from django.template.loader import render_to_string

    from motcua.workdays.selectors import deadline_status

    due = at(2026, 3, 9, 9)
    soon = deadline_status(due=due, now=at(2026, 3, 6, 9), unit=personas.unit_x)
    assert (soon.status, soon.level, soon.remaining_seconds) == ("due_soon", "yellow", 8 * 3600)
    late = deadline_status(due=due, now=at(2026, 3, 10, 9))
    assert (late.status, late.level) == ("overdue", "red")
    assert deadline_status(due=None, now=at(2026, 3, 6, 9)).level == "grey"
    html = render_to_string("workdays/_status.html", {"status": late})
    assert 'class="badge level-red"' in html and "Quá hạn" in html
