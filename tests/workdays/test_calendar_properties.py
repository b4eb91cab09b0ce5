"""Hypothesis laws of the deadline maths, on the national calendar and on random ones."""

import datetime as dt

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from motcua.workdays.calendar import (
    TZ,
    Duration,
    OfficeHours,
    Pause,
    PausePolicy,
    Status,
    WorkCalendar,
)
from tests.workdays.conftest import national_calendar

NATIONAL = national_calendar()

moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31, 23, 59)
).map(lambda m: m.replace(tzinfo=TZ, second=0, microsecond=0))
days = st.integers(min_value=0, max_value=60)
hours = st.integers(min_value=0, max_value=400)
durations = st.one_of(days.map(Duration.days), hours.map(Duration.hours))


@st.composite
def random_calendars(draw) -> WorkCalendar:
    """A calendar with random extra days off, working weekend days and office hours."""
    dates = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31))
    off = draw(st.sets(dates, max_size=60))
    work = draw(st.sets(dates, max_size=20)) - off
    opening = draw(st.sampled_from([dt.time(7, 0), dt.time(7, 30), dt.time(8, 0)]))
    closing = draw(st.sampled_from([dt.time(16, 30), dt.time(17, 0)]))
    return WorkCalendar(
        first_year=2024,
        last_year=2028,
        days_off={d: "nghỉ thử" for d in off},
        working_days={d: "làm bù thử" for d in work},
        office_hours=OfficeHours(periods=((opening, dt.time(11, 30)), (dt.time(13, 30), closing))),
    )


calendars = st.one_of(st.just(NATIONAL), random_calendars())


def in_office_hours(cal: WorkCalendar, moment: dt.datetime) -> bool:
    t = moment.timetz().replace(tzinfo=None)
    return any(a <= t <= b for a, b in cal.office_hours.periods)


@settings(max_examples=200, deadline=None)
@given(calendars, moments, moments, durations)
def test_monotonic_in_start(cal, a, b, duration):
    first, second = sorted([a, b])
    assert cal.add(first, duration) <= cal.add(second, duration)


@settings(max_examples=200, deadline=None)
@given(calendars, moments, days, days)
def test_monotonic_in_duration(cal, start, n, m):
    small, big = sorted([n, m])
    assert cal.add(start, Duration.days(small)) <= cal.add(start, Duration.days(big))


@settings(max_examples=200, deadline=None)
@given(calendars, moments, days, days, st.booleans())
def test_adding_a_then_b_equals_adding_a_plus_b(cal, start, a, b, in_hours):
    make = Duration.hours if in_hours else Duration.days
    assert cal.add(cal.add(start, make(a)), make(b)) == cal.add(start, make(a + b))


@settings(max_examples=200, deadline=None)
@given(calendars, moments, durations)
def test_never_lands_on_a_day_off_and_ends_in_office_hours(cal, start, duration):
    assume(duration.amount > 0)
    due = cal.add(start, duration)
    assert cal.is_working_day(due.date())
    assert in_office_hours(cal, due)
    assert due > start


@settings(max_examples=200, deadline=None)
@given(calendars, moments)
def test_same_day_lands_on_a_working_day_close(cal, start):
    due = cal.add(start, Duration.same_day())
    assert cal.is_working_day(due.date())
    assert due.timetz().replace(tzinfo=None) == cal.office_hours.periods[-1][1]
    assert due > start
    # Never later than the close of the next working day after the reception day.
    assert due.date() <= cal.next_working_day(start.date())


@settings(max_examples=200, deadline=None)
@given(calendars, moments, hours)
def test_remaining_time_is_the_inverse_of_adding_hours(cal, start, n):
    due = cal.add(start, Duration.hours(n))
    assert cal.remaining_seconds(cal.effective_start(start), due) == n * 3600


@settings(max_examples=200, deadline=None)
@given(calendars, moments, days)
def test_n_working_days_span_n_working_days(cal, start, n):
    assume(n > 0)
    opening = cal.effective_start(start)
    assume(opening.timetz().replace(tzinfo=None) == cal.office_hours.periods[0][0])
    due = cal.add(opening, Duration.days(n))
    # From an opening, N working days end at the close of the N-th working day.
    assert cal.working_days_between(opening.date(), due.date()) == n


@settings(max_examples=200, deadline=None)
@given(calendars, moments, durations, moments, moments)
def test_pause_laws(cal, start, duration, p1, p2):
    pause_start, pause_end = sorted([p1, p2])
    assume(pause_start >= start)
    pause = Pause(pause_start, pause_end)
    plain = cal.due(start, duration)
    restart = cal.due(start, duration, [pause], PausePolicy.RESTART)
    subtract = cal.due(start, duration, [pause], PausePolicy.SUBTRACT)
    # Restart: the whole duration is counted again from the complete supplement.
    assert restart == cal.add(pause_end, duration)
    # Subtract: the paused working time is added to the plain deadline.
    assert cal.remaining_seconds(plain, subtract) == cal.paused_seconds([pause])
    # Neither shortens the deadline, and subtracting never exceeds restarting.
    assert plain <= subtract <= restart
    # An open pause suspends the deadline.
    assert cal.due(start, duration, [Pause(pause_start)]) is None


@settings(max_examples=200, deadline=None)
@given(calendars, moments, st.integers(min_value=2, max_value=30))
def test_status_is_within_then_due_soon_then_overdue(cal, start, n):
    due = cal.add(start, Duration.days(n))
    assert cal.status(cal.effective_start(start), due) == Status.WITHIN
    assert cal.status(due, due) == Status.DUE_SOON
    assert cal.status(due + dt.timedelta(minutes=1), due) == Status.OVERDUE


@settings(max_examples=100, deadline=None)
@given(calendars, moments, durations)
def test_explanation_agrees_with_the_computation(cal, start, duration):
    explanation = cal.explain(start, duration)
    assert explanation.due == cal.add(start, duration)
    assert sum(line.worked_seconds for line in explanation.lines) == cal.remaining_seconds(
        cal.effective_start(start), explanation.due
    )
    for line in explanation.skipped:
        assert line.reason
