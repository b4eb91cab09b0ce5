"""Due dates the law sets, one table per kind of time limit, under both rule sets
(docs/law.md R3a, R10, R10a, R10b, R11, R12, R23). Every expected instant is worked out
by hand in the comment of its row, on the real 2025-2026 calendars:

* Tết Ất Tỵ 2025: Mon 27/01 - Fri 31/01/2025 off; Tết Bính Ngọ 2026: Mon 16/02 -
  Fri 20/02/2026 off (Sat 14/02 - Sun 22/02 with the weekends);
* National Day 2026: Mon 31/08 off (swapped with Sat 22/08), Tue 01/09, Wed 02/09 off;
* office hours 07:30-11:30, 13:00-17:00 (8 h), same-day cut-off 15:00.
"""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.catalog.constants import TimeUnit
from motcua.catalog.timing import StepTime, validate_process
from motcua.dossiers import deadlines
from motcua.workdays.calendar import TZ, Duration
from tests.workdays.conftest import national_calendar

CAL = national_calendar()


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


# --- calendar days and months (R10a) -------------------------------------------------


@pytest.mark.parametrize(
    ("start", "unit", "n", "due"),
    [
        # Issue 21's case: Wed 11/02/2026 10:00 + 5 "ngày" = Mon 16/02 10:00, a Tết day;
        # 16-20/02 Tết, 21-22/02 weekend -> close of Mon 23/02/2026.
        (at(2026, 2, 11, 10), "days", 5, at(2026, 2, 23, 17)),
        # Ends on a working day: Mon 02/03/2026 09:00 + 7 ngày = Mon 09/03 09:00.
        (at(2026, 3, 2, 9), "days", 7, at(2026, 3, 9, 9)),
        # After hours (R11): Fri 06/03/2026 18:30 counts from Mon 09/03 07:30;
        # + 10 ngày = Thu 19/03 07:30 (a working day, same clock time).
        (at(2026, 3, 6, 18, 30), "days", 10, at(2026, 3, 19, 7, 30)),
        # Old rule set (Decree 61): Fri 24/01/2025 10:00 + 5 ngày = Wed 29/01/2025,
        # Tết Ất Tỵ (27-31/01) -> Sat/Sun 1-2/02 -> close of Mon 03/02/2025.
        (at(2025, 1, 24, 10), "days", 5, at(2025, 2, 3, 17)),
        # Months: Tue 15/07/2025 09:00 + 1 tháng = Fri 15/08/2025 09:00 (working).
        (at(2025, 7, 15, 9), "months", 1, at(2025, 8, 15, 9)),
        # Fri 30/01/2026 09:00 + 1 tháng: February has no 30th -> Sat 28/02 (off)
        # -> close of Mon 02/03/2026.
        (at(2026, 1, 30, 9), "months", 1, at(2026, 3, 2, 17)),
        # Received on Saturday 27/06/2026 10:00 -> counts from Mon 29/06 07:30;
        # + 2 tháng = Sat 29/08 (off), Sun 30/08, Mon 31/08 (swapped day off),
        # Tue 01/09 and Wed 02/09 (National Day) -> close of Thu 03/09/2026.
        (at(2026, 6, 27, 10), "months", 2, at(2026, 9, 3, 17)),
    ],
)
def test_calendar_days_and_months(start, unit, n, due):
    if unit == "days":
        assert CAL.add_calendar_days(start, n) == due
    else:
        assert CAL.add_months(start, n) == due


# --- working time, same day, after hours (R10, R11) --------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # Same day: Mon 02/03/2026 14:00 (before 15:00) -> close of the same day.
        (at(2026, 3, 2, 14), Duration.same_day(), at(2026, 3, 2, 17)),
        # At 15:10 (after the cut-off) -> close of Tue 03/03.
        (at(2026, 3, 2, 15, 10), Duration.same_day(), at(2026, 3, 3, 17)),
        # After hours: Fri 13/02/2026 18:00 counts from Mon 23/02 07:30 (Tết in
        # between); 2 working days = the whole of Mon 23 and Tue 24 -> Tue 24/02 17:00.
        (at(2026, 2, 13, 18), Duration.days(2), at(2026, 2, 24, 17)),
        # Lunch break: Mon 02/03/2026 12:00 counts from 13:00; 3 working hours -> 16:00.
        (at(2026, 3, 2, 12), Duration.hours(3), at(2026, 3, 2, 16)),
    ],
)
def test_working_time_same_day_and_after_hours(start, duration, due):
    assert CAL.add(start, duration) == due


# --- paper transfer (R10b) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "across", "due"),
    [
        # Mon 02/03/2026 14:59, before 15:00 -> the same working day (close 17:00).
        (at(2026, 3, 2, 14, 59), False, at(2026, 3, 2, 17)),
        # At 15:00 -> the start of the next working day, Tue 03/03 07:30.
        (at(2026, 3, 2, 15), False, at(2026, 3, 3, 7, 30)),
        # Fri 13/02/2026 16:00 -> next working day after Tết: Mon 23/02 07:30.
        (at(2026, 2, 13, 16), False, at(2026, 2, 23, 7, 30)),
        # Across levels (Decree 118 Art. 20(1)(a)): 1 working day, Mon 14:00 -> Tue 14:00.
        (at(2026, 3, 2, 14), True, at(2026, 3, 3, 14)),
    ],
)
def test_paper_transfer(received, across, due):
    assert CAL.paper_transfer_due(received, across_levels=across) == due


# --- the command, under both rule sets (R10, R10a, R10b) -----------------------------


def run(*args) -> list[str]:
    out = StringIO()
    call_command("workdays_due", *args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "due"),
    [
        # The cases above, through the command line.
        (["--start", "2026-02-11T10:00", "--calendar-days", "5"], "2026-02-23T17:00:00+07:00"),
        (["--start", "2026-01-30T09:00", "--months", "1"], "2026-03-02T17:00:00+07:00"),
        (["--start", "2025-01-24T10:00", "--calendar-days", "5"], "2025-02-03T17:00:00+07:00"),
        (["--start", "2026-03-02T15:00", "--paper-transfer"], "2026-03-03T07:30:00+07:00"),
        # Across levels: Decree 118 (default at 02/03/2026) -> 1 working day, Tue 14:00;
        (
            ["--start", "2026-03-02T14:00", "--paper-transfer", "--across-levels"],
            "2026-03-03T14:00:00+07:00",
        ),
        # Decree 61 sets no cross-level limit: its 15:00 rule -> same day 17:00.
        (
            [
                "--start",
                "2026-03-02T14:00",
                "--paper-transfer",
                "--across-levels",
                "--rules",
                "nd61-2018",
            ],
            "2026-03-02T17:00:00+07:00",
        ),
        # Received Mon 02/06/2025 14:00, Decree 61 in force (default) -> 17:00 same day.
        (
            ["--start", "2025-06-02T14:00", "--paper-transfer", "--across-levels"],
            "2025-06-02T17:00:00+07:00",
        ),
        # Forcing Decree 118 on that date -> Tue 03/06/2025 14:00.
        (
            [
                "--start",
                "2025-06-02T14:00",
                "--paper-transfer",
                "--across-levels",
                "--rules",
                "nd118-2025",
            ],
            "2025-06-03T14:00:00+07:00",
        ),
    ],
)
def test_command_every_kind_of_limit(args, due):
    assert run(*args)[-1] == due


@pytest.mark.django_db
def test_command_names_the_rule_set_in_force():
    # The registry of motcua.dossiers.rulesets (law.md §0.2), by the date of --start.
    for start, name in [
        ("2025-06-30T09:00", "nd61-2018"),
        ("2025-07-01T09:00", "nd118-2025"),
        ("2025-09-15T09:00", "nd118-2025-tt03"),
        ("2026-08-05T09:00", "nd309-2026"),
    ]:
        assert run("--start", start, "--days", "1", "--explain")[0] == f"Bộ quy tắc: {name}"
    # Every Decree 118 set has the 1-working-day cross-level transfer: forced on a
    # Decree 61 date, Mon 02/06/2025 14:00 -> Tue 03/06 14:00.
    for name in ("nd118-2025-tt03", "nd309-2026"):
        args = ["--start", "2025-06-02T14:00", "--paper-transfer", "--across-levels"]
        assert run(*args, "--rules", name)[-1] == "2025-06-03T14:00:00+07:00"


# --- internal steps inside the legal deadline (R3a) ----------------------------------

H = TimeUnit.WORKING_HOURS


def hours(*values):
    return [(deadlines.Span(Decimal(v), H), None) for v in values]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "steps", "dues"),
    [
        # Issue 21's case: received Mon 02/03/2026 14:00, same day -> due 17:00. The old
        # 1+4+2+1 h plan ended Tue 14:00; scaled onto the 3 h left (x 3/8), cumulated
        # 1, 5, 7, 8 h -> 22.5, 112.5, 157.5, 180 min, floored to whole minutes ->
        # 14:22, 15:52, 16:37, 17:00.
        (
            at(2026, 3, 2, 14),
            hours(1, 4, 2, 1),
            [
                at(2026, 3, 2, 14, 22),
                at(2026, 3, 2, 15, 52),
                at(2026, 3, 2, 16, 37),
                at(2026, 3, 2, 17),
            ],
        ),
        # The demo's plan (0.25 + 1 + 0.5 + 0.25 h = 2 h) fits as it is: 14:15, 15:15,
        # 15:45, 16:00.
        (
            at(2026, 3, 2, 14),
            hours("0.25", 1, "0.5", "0.25"),
            [
                at(2026, 3, 2, 14, 15),
                at(2026, 3, 2, 15, 15),
                at(2026, 3, 2, 15, 45),
                at(2026, 3, 2, 16),
            ],
        ),
        # Received 14:59, just before the cut-off: 2 h 01 min left, the 2 h plan fits:
        # 15:14, 16:14, 16:44, 16:59.
        (
            at(2026, 3, 2, 14, 59),
            hours("0.25", 1, "0.5", "0.25"),
            [
                at(2026, 3, 2, 15, 14),
                at(2026, 3, 2, 16, 14),
                at(2026, 3, 2, 16, 44),
                at(2026, 3, 2, 16, 59),
            ],
        ),
    ],
)
def test_same_day_steps_end_by_the_legal_due(personas, start, steps, dues):
    unit = personas.unit_x
    legal_due = deadlines.due_at(unit, start, deadlines.Span(Decimal(0), TimeUnit.SAME_DAY))
    assert legal_due == at(2026, 3, 2, 17)
    assert deadlines.step_dues(unit, start, steps, within=legal_due) == dues


@pytest.mark.django_db
def test_working_day_steps_that_fit_are_not_scaled(personas):
    # 0.5 + 3 + 1 + 0.5 working days from Mon 02/03/2026 08:00 = the 5-day legal time:
    # Mon 13:30 (4 h: 08:00-11:30 and 13:00-13:30), Thu 05/03 13:30, Fri 06/03 13:30,
    # Mon 09/03 08:00 (= 5 working days later, same clock time).
    unit, start = personas.unit_x, at(2026, 3, 2, 8)
    wd = TimeUnit.WORKING_DAYS
    spans = [(deadlines.Span(Decimal(v), wd), None) for v in ("0.5", "3", "1", "0.5")]
    legal = deadlines.due_at(unit, start, deadlines.Span(Decimal(5), wd))
    assert legal == at(2026, 3, 9, 8)
    assert deadlines.step_dues(unit, start, spans, within=legal) == [
        at(2026, 3, 2, 13, 30),
        at(2026, 3, 5, 13, 30),
        at(2026, 3, 6, 13, 30),
        at(2026, 3, 9, 8),
    ]


@pytest.mark.django_db
def test_calendar_day_procedure_due_through_the_dossier_adapter(personas):
    # deadlines.due_at with a 5-"ngày" limit, 11/02/2026 10:00 -> Mon 23/02 17:00, and
    # with a supplement restart (complete on Wed 25/02 09:00): + 5 ngày = Mon 02/03
    # 09:00 (working day, same clock time).
    unit = personas.unit_x
    span = deadlines.Span(Decimal(5), TimeUnit.DAYS)
    assert deadlines.due_at(unit, at(2026, 2, 11, 10), span) == at(2026, 2, 23, 17)
    pause = deadlines.Pause(at(2026, 2, 12, 9), at(2026, 2, 25, 9))
    assert deadlines.due_at(unit, at(2026, 2, 11, 10), span, [pause]) == at(2026, 3, 2, 9)


# --- the process editor (R3, R3a) -----------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "legal", "unit", "ok"),
    [
        # Same day: 1 + 4 + 2 + 1 = 8 h cannot fit in the 2 h from 15:00 to 17:00.
        ([1, 4, 2, 1], 0, "same_day", False),
        # 0.25 + 1 + 0.5 + 0.25 = 2 h fits exactly.
        (["0.25", 1, "0.5", "0.25"], 0, "same_day", True),
        # 2 h 15 min does not.
        (["0.5", 1, "0.5", "0.25"], 0, "same_day", False),
        # Working hours must add up to the legal time: 4 + 4 = 8 h = 1 working day.
        ([4, 4], 1, "working_days", True),
        ([4, 5], 1, "working_days", False),
    ],
)
def test_process_editor(steps, legal, unit, ok):
    times = [StepTime(Decimal(str(v)), "working_hours") for v in steps]
    assert (validate_process(times, Decimal(legal), unit) == []) is ok


@pytest.mark.django_db
def test_received_same_day_dossier_plans_its_steps_by_the_legal_due(personas):
    # A same-day procedure still carrying an old 1 + 4 + 3 h process, received Mon
    # 02/03/2026 14:00 -> due 17:00; scaled x 3/8 on the cumulated 1, 5, 8 h: 22.5 and
    # 112.5 min floored -> 14:22, 15:52, then 17:00.
    from motcua.catalog.models import ProcessStep
    from motcua.core.testing.fixtures import (
        make_published_version,
        receive_dossier,
        submit_online_dossier,
    )

    version = make_published_version(personas.unit_x)
    version.processing_time_value, version.processing_time_unit = 0, TimeUnit.SAME_DAY
    version.save(update_fields=["processing_time_value", "processing_time_unit"])
    for step, value in zip(version.steps.order_by("order"), (1, 4, 3), strict=True):
        ProcessStep.objects.filter(pk=step.pk).update(duration_value=value, duration_unit=H)
    version.cases.update(processing_time_value=None)
    start = at(2026, 3, 2, 14)
    d = submit_online_dossier(
        version=version, applicant=personas.citizen_a, unit=personas.unit_x, now=start
    )
    d = receive_dossier(d, receptionist=personas.receptionist_x, now=start)
    assert d.due_at == at(2026, 3, 2, 17)
    assert [s.due_at for s in d.steps.order_by("order")] == [
        at(2026, 3, 2, 14, 22),
        at(2026, 3, 2, 15, 52),
        at(2026, 3, 2, 17),
    ]


@pytest.mark.django_db
def test_civil_limits_ending_at_the_close_of_the_day_is_a_setting(personas, settings):
    # MOTCUA_CIVIL_LIMIT_END = "end_of_day" (law.md §15 Q4): Mon 02/03/2026 09:00
    # + 7 ngày = Mon 09/03, a working day -> its close, 17:00; a last day off still moves
    # to the next working day's close (11/02 10:00 + 5 ngày -> 23/02 17:00).
    settings.MOTCUA_CIVIL_LIMIT_END = "end_of_day"
    unit = personas.unit_x
    span = deadlines.Span(Decimal(7), TimeUnit.DAYS)
    assert deadlines.due_at(unit, at(2026, 3, 2, 9), span) == at(2026, 3, 9, 17)
    span = deadlines.Span(Decimal(5), TimeUnit.DAYS)
    assert deadlines.due_at(unit, at(2026, 2, 11, 10), span) == at(2026, 2, 23, 17)
    assert run("--start", "2026-03-02T09:00", "--calendar-days", "7")[-1] == (
        "2026-03-09T17:00:00+07:00"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "channel", "commune", "rule_set", "due"),
    [
        # Counter dossier at Sở X for Sở Y (same level), Mon 02/03/2026 14:00 -> the same
        # working day, 17:00.
        (at(2026, 3, 2, 14), "1", False, "", at(2026, 3, 2, 17)),
        # Postal, received at 15:30 -> the start of Tue 03/03, 07:30.
        (at(2026, 3, 2, 15, 30), "3", False, "", at(2026, 3, 3, 7, 30)),
        # From a commune to a provincial department, Decree 118 (received 2026): 1 working
        # day -> Tue 03/03 14:00.
        (at(2026, 3, 2, 14), "1", True, "", at(2026, 3, 3, 14)),
        # The same in 2025 before 1/7 (Decree 61: no cross-level limit) -> 15:00 rule:
        # Mon 02/06/2025 14:00 -> 17:00.
        (at(2025, 6, 2, 14), "1", True, "", at(2025, 6, 2, 17)),
        # A dossier that stored its rule set keeps it: nd61-2018 even if received later.
        (at(2026, 3, 2, 14), "1", True, "nd61-2018", at(2026, 3, 2, 17)),
        # Online: nothing to carry.
        (at(2026, 3, 2, 14), "2", False, "", None),
    ],
)
def test_paper_transfer_of_a_dossier(personas, received, channel, commune, rule_set, due):
    from types import SimpleNamespace

    from motcua.core.testing.personas import make_unit
    from motcua.org.constants import UnitKind

    receiving = personas.unit_x
    if commune:
        receiving = make_unit("000.01.01.H47", "UBND xã Z", UnitKind.COMMUNE, personas.province)
    d = SimpleNamespace(
        received_at=received,
        channel=channel,
        receiving_unit=receiving,
        receiving_unit_id=receiving.pk,
        competent_unit=personas.unit_y,
        competent_unit_id=personas.unit_y.pk,
        rule_set=rule_set,
    )
    assert deadlines.paper_transfer_due(d) == due
