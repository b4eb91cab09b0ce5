"""Real dates 2025–2027 (law.md §9; holidays 0.109 + lunar-vn)."""

import datetime as dt

import pytest

from motcua.workdays.calendar import (
    TZ,
    Duration,
    ExtensionError,
    OfficeHours,
    Pause,
    PausePolicy,
    Status,
)
from tests.workdays.conftest import national_calendar


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Tết Bính Ngọ 2026: Mon 16/02 – Fri 20/02 off (9 days with weekends).
        (at(2026, 2, 13, 16), 3, at(2026, 2, 25, 16)),
        (at(2026, 2, 13, 8), 1, at(2026, 2, 23, 8)),
        (at(2026, 2, 12, 9), 2, at(2026, 2, 23, 9)),
        # Tết Ất Tỵ 2025: Mon 27/01 – Fri 31/01 off.
        (at(2025, 1, 24, 9), 1, at(2025, 2, 3, 9)),
        # Hùng Kings 2026 falls on Sunday 26/04: compensatory Monday 27/04.
        (at(2026, 4, 24, 10), 1, at(2026, 4, 28, 10)),
        # 30/4–1/5 2026 (Thu–Fri).
        (at(2026, 4, 29, 9), 1, at(2026, 5, 4, 9)),
        # 2025 swap: Fri 02/05 off, Saturday 26/04 worked instead.
        (at(2025, 4, 25, 9), 1, at(2025, 4, 26, 9)),
        (at(2025, 4, 29, 9), 1, at(2025, 5, 5, 9)),
        # 2027: 1/5 is a Saturday, compensated Monday 03/05.
        (at(2027, 4, 29, 9), 1, at(2027, 5, 4, 9)),
        # National Day 2025: Mon 01/09 + Tue 02/09.
        (at(2025, 8, 29, 9), 1, at(2025, 9, 3, 9)),
        # National Day 2026: Mon 31/08 off swapped with Saturday 22/08, then 01–02/09.
        (at(2026, 8, 28, 9), 1, at(2026, 9, 3, 9)),
        (at(2026, 8, 21, 9), 1, at(2026, 8, 22, 9)),
        # National Day 2027: Thu 02/09 + Fri 03/09.
        (at(2027, 9, 1, 9), 1, at(2027, 9, 6, 9)),
    ],
)
def test_working_days_on_real_dates(cal, start, days, due):
    assert cal.add(start, Duration.days(days)) == due


@pytest.mark.parametrize(
    ("day", "working", "reason_part"),
    [
        (dt.date(2026, 2, 16), False, "Tết Nguyên đán"),
        (dt.date(2026, 2, 20), False, "Tết Nguyên đán"),
        (dt.date(2026, 2, 23), True, ""),
        (dt.date(2026, 4, 26), False, "Giỗ Tổ Hùng Vương"),
        (dt.date(2026, 4, 27), False, "nghỉ bù"),
        (dt.date(2026, 4, 30), False, "Chiến thắng"),
        (dt.date(2026, 5, 1), False, "Lao động"),
        (dt.date(2026, 9, 2), False, "Quốc khánh"),
        (dt.date(2026, 8, 22), True, "làm việc bù"),
        (dt.date(2025, 4, 26), True, "làm việc bù"),
        (dt.date(2026, 3, 7), False, "Thứ Bảy"),
        (dt.date(2026, 3, 8), False, "Chủ nhật"),
    ],
)
def test_day_kinds_and_reasons(cal, day, working, reason_part):
    assert cal.is_working_day(day) is working
    assert reason_part in cal.reason(day)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 3, 2, 14, 59), at(2026, 3, 2, 17)),  # before 15:00: same day
        (at(2026, 3, 2, 15, 0), at(2026, 3, 3, 17)),  # at 15:00: next working day
        (at(2026, 3, 2, 16, 30), at(2026, 3, 3, 17)),
        (at(2026, 3, 2, 6, 45), at(2026, 3, 2, 17)),  # before opening: that day
        (at(2026, 2, 13, 15, 30), at(2026, 2, 23, 17)),  # Friday before Tết
        (at(2026, 3, 7, 9), at(2026, 3, 9, 17)),  # Saturday reception -> Monday
    ],
)
def test_same_day_cutoff(cal, received, due):
    assert cal.add(received, Duration.same_day()) == due


def test_cutoff_is_configurable():
    cal = national_calendar(office_hours=OfficeHours(same_day_cutoff=dt.time(16, 0)))
    assert cal.add(at(2026, 3, 2, 15, 30), Duration.same_day()) == at(2026, 3, 2, 17)


def test_reception_outside_office_hours_counts_from_next_period(cal):
    # Monday evening + 1 working day = close of Tuesday.
    assert cal.add(at(2026, 3, 2, 18), Duration.days(1)) == at(2026, 3, 3, 17)
    # Lunch break: counts from 13:00.
    assert cal.effective_start(at(2026, 3, 2, 12)) == at(2026, 3, 2, 13)
    assert cal.add(at(2026, 3, 2, 12), Duration.hours(1)) == at(2026, 3, 2, 14)
    # Sunday: from Monday 07:30; 1 day ends Monday 17:00.
    assert cal.effective_start(at(2026, 3, 8, 10)) == at(2026, 3, 9, 7, 30)
    assert cal.add(at(2026, 3, 8, 10), Duration.days(1)) == at(2026, 3, 9, 17)


def test_working_hours(cal):
    assert cal.add(at(2026, 3, 6, 16), Duration.hours(2)) == at(2026, 3, 9, 8, 30)
    assert cal.add(at(2026, 3, 2, 7, 30), Duration.hours(8)) == at(2026, 3, 2, 17)


def test_unit_office_hours_change_the_day_length():
    hours = OfficeHours(
        periods=((dt.time(7, 0), dt.time(11, 0)), (dt.time(13, 30), dt.time(16, 30))),
    )
    cal = national_calendar(office_hours=hours)
    assert cal.day_seconds == 7 * 3600
    assert cal.add(at(2026, 3, 2, 7), Duration.hours(7)) == at(2026, 3, 2, 16, 30)


def test_saturday_reception_does_not_make_saturday_a_working_day():
    cal = national_calendar(receives_on_saturday=True)
    assert not cal.is_working_day(dt.date(2026, 3, 7))
    assert "tiếp nhận" in cal.reason(dt.date(2026, 3, 7))
    assert cal.add(at(2026, 3, 6, 9), Duration.days(1)) == at(2026, 3, 9, 9)


def test_naive_moments_are_vietnam_time(cal):
    assert cal.add(dt.datetime(2026, 2, 13, 16), Duration.days(3)) == at(2026, 2, 25, 16)
    utc = dt.datetime(2026, 2, 13, 9, tzinfo=dt.UTC)  # = 16:00 in Hà Nội
    assert cal.add(utc, Duration.days(3)) == at(2026, 2, 25, 16)


def test_pause_restart_recounts_from_complete_supplement(cal):
    start, d = at(2026, 3, 2, 9), Duration.days(5)
    pause = Pause(at(2026, 3, 3, 10), at(2026, 3, 5, 14))
    assert cal.due(start, d) == at(2026, 3, 9, 9)
    assert cal.due(start, d, [pause]) == at(2026, 3, 12, 14)


def test_pause_subtract_adds_paused_working_time(cal):
    start, d = at(2026, 3, 2, 9), Duration.days(5)
    pause = Pause(at(2026, 3, 3, 10), at(2026, 3, 5, 14))  # 5.5 h + 8 h + 5 h = 18.5 h
    assert cal.paused_seconds([pause]) == int(18.5 * 3600)
    assert cal.due(start, d, [pause], PausePolicy.SUBTRACT) == at(2026, 3, 11, 11, 30)


def test_open_pause_has_no_due_and_is_paused(cal):
    pause = Pause(at(2026, 3, 3, 10))
    assert cal.due(at(2026, 3, 2, 9), Duration.days(5), [pause]) is None
    assert cal.status(at(2026, 3, 4, 9), None) == Status.PAUSED


def test_step_deadlines_inside_total(cal):
    start = at(2026, 3, 2, 8)
    steps = [Duration.days(1), Duration.days(10), Duration.days(1)]
    dues = cal.step_deadlines(start, steps)
    assert dues == [at(2026, 3, 3, 8), at(2026, 3, 17, 8), at(2026, 3, 18, 8)]
    assert dues[-1] == cal.add(start, Duration.days(12))


def test_remaining_time_and_status(cal):
    due = at(2026, 3, 9, 9)
    assert cal.remaining_seconds(at(2026, 3, 6, 16), due) == int(2.5 * 3600)
    assert cal.status(at(2026, 3, 2, 9), due) == Status.WITHIN
    assert cal.status(at(2026, 3, 6, 9), due) == Status.DUE_SOON
    assert cal.status(at(2026, 3, 9, 9, 1), due) == Status.OVERDUE


def test_extension_at_most_once_and_one_working_day_before(cal):
    due = at(2026, 3, 9, 9)
    new = at(2026, 3, 16, 9)
    assert (
        cal.extend(
            original_due=due, new_due=new, requested_at=at(2026, 3, 5, 9), already_extended=False
        )
        == new
    )
    with pytest.raises(ExtensionError):
        cal.extend(
            original_due=due, new_due=new, requested_at=at(2026, 3, 5, 9), already_extended=True
        )
    with pytest.raises(ExtensionError):  # Friday 16:00: only 2.5 working hours left
        cal.extend(
            original_due=due, new_due=new, requested_at=at(2026, 3, 6, 16), already_extended=False
        )
    with pytest.raises(ExtensionError):
        cal.extend(
            original_due=due, new_due=due, requested_at=at(2026, 3, 2, 9), already_extended=False
        )


def test_explanation_lists_counted_and_skipped_days(cal):
    explanation = cal.explain(at(2026, 2, 13, 16), Duration.days(3))
    texts = explanation.as_text()
    assert "16/02/2026 — không tính: nghỉ Tết Nguyên đán (Giao thừa Tết Nguyên Đán)" in texts
    assert explanation.due == at(2026, 2, 25, 16)
    assert texts[-1].startswith("25/02/2026 — ngày làm việc thứ 3")
    skipped = [line.day for line in explanation.skipped]
    assert skipped == [dt.date(2026, 2, d) for d in range(14, 23)]
    assert all(line.reason for line in explanation.lines)


def test_explanation_of_restart_cites_decree_61(cal):
    pause = Pause(at(2026, 3, 3, 10), at(2026, 3, 5, 14))
    explanation = cal.explain(at(2026, 3, 2, 9), Duration.days(5), [pause])
    assert any("Điều 19 khoản 4" in note for note in explanation.notes)
    assert explanation.due == at(2026, 3, 12, 14)


def test_steps_must_fit_inside_the_total(cal):
    from motcua.workdays.calendar import CalendarError

    start = at(2026, 3, 2, 8)
    steps = [Duration.days(2), Duration.days(10)]
    assert len(cal.step_deadlines(start, steps, total=Duration.days(12))) == 2
    with pytest.raises(CalendarError):
        cal.step_deadlines(start, steps, total=Duration.days(11))
