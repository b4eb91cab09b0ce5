import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.models import AuditEntry
from motcua.workdays import recompute, services
from motcua.workdays.calendar import TZ, AppointmentChange, Duration, IssuedAppointment, Pause
from motcua.workdays.models import DayOverride

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_due_prints_iso_with_vietnam_offset_last():
    lines = run("workdays_due", "--start", "2026-02-13T16:00", "--days", "3")
    assert lines == ["2026-02-25T16:00:00+07:00"]


def test_due_with_offset_hours_same_day_and_explain():
    # 09:00 UTC is 16:00 in Hà Nội.
    lines = run("workdays_due", "--start", "2026-02-13T09:00+00:00", "--hours", "2")
    assert lines[-1] == "2026-02-23T08:30:00+07:00"
    assert run("workdays_due", "--start", "2026-03-02T15:00", "--same-day")[-1] == (
        "2026-03-03T17:00:00+07:00"
    )
    lines = run("workdays_due", "--start", "2026-02-13T16:00", "--days", "3", "--explain")
    assert "16/02/2026 — không tính: nghỉ Tết Nguyên đán (Giao thừa Tết Nguyên Đán)" in lines
    assert lines[-1] == "2026-02-25T16:00:00+07:00"


def test_due_uses_the_unit_calendar(personas):
    services.day_override_save(
        actor=None, date=dt.date(2026, 3, 3), kind="day_off", reason="x", unit=personas.unit_x
    )
    args = ("workdays_due", "--start", "2026-03-02T09:00", "--days", "1")
    assert run(*args)[-1] == "2026-03-03T09:00:00+07:00"
    assert run(*args, "--unit", personas.unit_x.code)[-1] == "2026-03-04T09:00:00+07:00"
    with pytest.raises(CommandError):
        run(*args, "--unit", "NO-SUCH-UNIT")


def test_due_rejects_bad_input():
    with pytest.raises(CommandError):
        run("workdays_due", "--start", "13/02/2026", "--days", "1")
    with pytest.raises(CommandError):
        run("workdays_due", "--start", "2026-02-13T16:00", "--days", "-1")
    with pytest.raises(CommandError):  # outside the calendar's years
        run("workdays_due", "--start", "1990-02-13T16:00", "--days", "1")


def test_import_command(tmp_path):
    path = tmp_path / "2027.json"
    path.write_text(
        json.dumps({"days_off": ["2027-02-11"], "working_days": [], "basis": "TB 1/TB-BNV"}),
        encoding="utf-8",
    )
    lines = run("workdays_import", str(path))
    assert "1" in lines[-1] and "2027" in lines[-1]
    assert DayOverride.objects.get().legal_basis == "TB 1/TB-BNV"
    path.write_text(json.dumps({"days_off": ["2027-02-12"]}), encoding="utf-8")
    run("workdays_import", str(path), "--replace")
    assert list(DayOverride.objects.values_list("date", flat=True)) == [dt.date(2027, 2, 12)]
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        run("workdays_import", str(path))


class FakeProvider:
    """Stands in for the dossiers app: two issued appointments kept in memory."""

    name = "fake"

    def __init__(self):
        start = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
        self.dues = {"A": dt.datetime(2026, 3, 4, 9, tzinfo=TZ)}
        self.items = [
            IssuedAppointment("A", start, Duration.days(2), self.dues["A"]),
            IssuedAppointment(
                "B",
                start,
                Duration.days(10),
                dt.datetime(2026, 3, 16, 9, tzinfo=TZ),
                pauses=(Pause(dt.datetime(2026, 3, 3, 9, tzinfo=TZ)),),
            ),
        ]

    def issued_appointments(self):
        return self.items

    def apply_change(self, change: AppointmentChange, *, actor):
        self.dues[change.appointment.id] = change.new_due


@pytest.fixture
def provider():
    fake = FakeProvider()
    recompute.register_provider(fake)
    yield fake
    recompute.unregister_provider(fake.name)


def test_recompute_lists_then_applies_with_audit(provider):
    # Nothing changed yet; B waits for a supplement and has no running deadline.
    assert run("workdays_recompute")[-1].startswith("0 ")
    services.day_override_save(
        actor=None, date=dt.date(2026, 3, 3), kind="day_off", reason="Nghỉ đột xuất"
    )
    lines = run("workdays_recompute")
    assert "fake:A\t2026-03-04T09:00:00+07:00 -> 2026-03-05T09:00:00+07:00" in lines
    # Listing never changes an issued appointment.
    assert provider.dues["A"] == dt.datetime(2026, 3, 4, 9, tzinfo=TZ)
    run("workdays_recompute", "--apply")
    assert provider.dues["A"] == dt.datetime(2026, 3, 5, 9, tzinfo=TZ)
    assert "B" not in provider.dues
    entry = AuditEntry.objects.get(action="workdays.appointment_recompute")
    assert entry.object_repr == "fake:A"
    assert entry.after == {"due": "2026-03-05T09:00:00+07:00"}


def test_recompute_apply_needs_an_administrator(provider, personas):
    services.day_override_save(actor=None, date=dt.date(2026, 3, 3), kind="day_off", reason="x")
    with pytest.raises(PermissionDenied):
        recompute.appointments_recompute(actor=personas.receptionist_x, apply=True)
    assert provider.dues["A"] == dt.datetime(2026, 3, 4, 9, tzinfo=TZ)
    changes = recompute.appointments_recompute(actor=personas.admin, apply=True)
    assert [c.change.appointment.id for c in changes] == ["A"]
    assert provider.dues["A"] == dt.datetime(2026, 3, 5, 9, tzinfo=TZ)
