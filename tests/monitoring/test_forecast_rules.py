"""The colour forecast's pure rules (issue 27 point 1, monitoring/forecast.py)."""

import datetime as dt

from motcua.monitoring import forecast as fc
from motcua.monitoring.indicators import ScoringPolicy, UnitCounts
from motcua.monitoring.levels import LevelPolicy

TZ = dt.timezone(dt.timedelta(hours=7))
MON = dt.date(2026, 3, 2)
DAYS = [MON + dt.timedelta(days=i) for i in range(5)]  # Monday–Friday


def _due(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(17), tzinfo=TZ)


def _open(pk: int, flips: dt.date | None, assignee: int | None = 1) -> fc.OpenDossier:
    due = flips or DAYS[-1]
    return fc.OpenDossier(pk, f"HS-{pk}", 10, assignee, _due(due), flips)


def test_the_queue_is_worked_earliest_deadline_first_at_the_officers_pace():
    pace = fc.Pace(by_officer={1: 1.0})
    dossiers = [_open(1, DAYS[0]), _open(2, DAYS[0]), _open(3, DAYS[4])]
    p = fc.predict(dossiers, pace, DAYS)
    assert p[1].done_on == DAYS[0] and not p[1].late  # first in the queue: today
    assert p[2].done_on == DAYS[1] and p[2].late  # tomorrow, after its deadline
    assert p[3].done_on == DAYS[2] and not p[3].late


def test_an_allowed_dossier_is_late_with_the_officers_late_share():
    pace = fc.Pace(by_officer={1: 5.0}, late_share_officer={1: 0.75})
    p = fc.predict([_open(1, DAYS[2])], pace, DAYS)
    assert p[1].p_late == 0.75 and p[1].late
    # a dossier that cannot turn late this month is never predicted late
    assert fc.predict([_open(2, None)], pace, DAYS)[2].p_late == 0.0


def test_the_steps_name_the_day_and_the_deciding_dossiers():
    # 10 dossiers received, all on time so far: green (2.1 and 5.4 full)
    counts = UnitCounts(received=10, on_time_766=10, on_time_d61=10, synced=10, channel_online=10)
    pace = fc.Pace(by_officer={1: 0.01})  # the queue does not move: every flip happens
    dossiers = [_open(i, DAYS[3]) for i in range(1, 5)]
    predictions = fc.predict(dossiers, pace, DAYS)
    policy, levels = ScoringPolicy(), LevelPolicy()
    before, _t = fc.level_of(counts, policy, levels)
    f = fc.forecast_unit(10, counts, predictions.values(), {"friday": DAYS[4]}, policy, levels)
    friday = f.targets["friday"]
    assert len(friday.flips) == 4
    assert friday.total is not None and f.total is not None and friday.total < f.total
    if friday.level.key != before.key:
        step = friday.first_change
        assert step is not None and step.day == DAYS[3]  # Thursday
        assert {d.pk for d in step.dossiers} == {1, 2, 3, 4}
    # before Thursday nothing moves
    wed = fc.forecast_unit(10, counts, predictions.values(), {"wed": DAYS[2]}, policy, levels)
    assert wed.targets["wed"].total == f.total and not wed.targets["wed"].steps


def test_flips_move_2_1_and_5_4_once():
    counts = UnitCounts(received=4, on_time_766=4, on_time_d61=4, late_or_unsatisfied_766=1)
    d = fc.OpenDossier(1, "x", 10, 1, None, DAYS[0], on_time_d61=True, unsatisfied=True)
    after = fc.apply_flips(counts, [d])
    assert after.on_time_766 == 3 and after.on_time_d61 == 3
    assert after.late_or_unsatisfied_766 == 1  # already counted as unsatisfied


def test_arrivals_are_on_time_and_like_this_months_dossiers():
    counts = UnitCounts(received=10, on_time_766=5, on_time_d61=5, channel_online=4)
    after = fc.add_arrivals(counts, 5)
    assert after.received == 15 and after.on_time_766 == 10 and after.channel_online == 6
    assert fc.add_arrivals(UnitCounts(), 3) == UnitCounts()  # nothing to copy


def test_targets_are_this_weeks_friday_and_the_month_end():
    assert fc.horizon_targets(dt.date(2026, 3, 2)) == {
        "friday": dt.date(2026, 3, 6),
        "month_end": dt.date(2026, 3, 31),
    }
    # Saturday: next week's Friday; capped at the month end (the month's colour stops)
    assert fc.horizon_targets(dt.date(2026, 3, 7))["friday"] == dt.date(2026, 3, 13)
    assert fc.horizon_targets(dt.date(2026, 3, 30))["friday"] == dt.date(2026, 3, 31)
