"""Colour forecast (issue 27 point 1): the Decision 766 colour level each unit will
have on a future day (Friday of this week, the month end) if nothing changes. Pure, no
ORM: the inputs are plain data gathered by `forecast_data`.

Model ("if nothing changes": no new dossier, no new event other than officers working
through their queue at their recent pace):

- The colour is the dashboard's default one: the **month to date** total of the unit's
  subtree (law.md §4.6, R26; `levels.LevelPolicy.level_for`). Each dossier is judged at
  the end of its reception month (`indicators.judging_instant`), so within the month the
  only counters that move without an event are those of open dossiers whose deadline
  passes: 2.1 on time → late, and 5.4 "late or unsatisfied" (law.md §4.4, §1.11 rule 4).
  The instant is the dossier's `flips_at` (deadline + completed supplement time; None
  while a supplement is awaited or after the month end — it cannot change then).
- Whether an open dossier is finished before its deadline: each officer works through
  their running dossiers earliest-deadline first at their recent pace (`Pace`:
  completions per working day on the days they completed any, over the last weeks —
  completions per calendar working day would measure the arrivals of an officer with
  little work, not what they can do); dossiers without an officer, or an officer
  without history, use the unit's figures. Position i (0-based) in the queue is done on
  working day ⌈(i + 1) / pace⌉ counted from today (today is day 1). A dossier whose
  predicted day falls after its deadline's day surely turns late (p = 1); one the queue
  allows is late with the officer's recent late share (completed after the first
  appointment / completed, same window).
- The forecast for day T applies round(Σ p) flips on or before T (expected count), the
  most likely first (`Prediction.late`), and the receptions of the working days until T
  at the unit's recent daily rate, on time and otherwise like this month's dossiers
  (the unit keeps working as it does: "nothing changes"). The steps list each day on
  which the colour changes and the dossiers that decide it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from motcua.monitoring.indicators import INT_FIELDS, ScoringPolicy, UnitCounts, score
from motcua.monitoring.levels import LEVELS, Level, LevelPolicy


@dataclass(frozen=True)
class OpenDossier:
    """A running dossier. `unit_id` is the unit whose rows it counts on (the competent
    unit after roll-forwards); `flips_on` the local day its 2.1 judgement turns late
    (None: it cannot turn late this month — already late, awaiting a supplement, or the
    deadline is after the month end). `on_time_d61`/`late_counted` say which counters a
    flip moves (a dossier already counted in 5.4 as unsatisfied stays counted once)."""

    pk: int
    code: str
    unit_id: int
    assignee_id: int | None
    due_at: dt.datetime | None
    flips_on: dt.date | None = None
    on_time_d61: bool = True
    unsatisfied: bool = False


@dataclass(frozen=True)
class Pace:
    """Completions per working day: per officer, and per officer of each unit (the
    fallback for unassigned dossiers and officers without recent completions)."""

    by_officer: Mapping[int, float] = field(default_factory=dict)
    by_unit: Mapping[int, float] = field(default_factory=dict)
    default: float = 1.0
    # share of the window's completions that ended after the first appointment
    late_share_officer: Mapping[int, float] = field(default_factory=dict)
    late_share_unit: Mapping[int, float] = field(default_factory=dict)
    # receptions per working day of each row unit (recent window)
    arrivals: Mapping[int, float] = field(default_factory=dict)

    def of(self, assignee_id: int | None, unit_id: int) -> float:
        if assignee_id is not None and self.by_officer.get(assignee_id, 0) > 0:
            return self.by_officer[assignee_id]
        return self.by_unit.get(unit_id) or self.default

    def late_share(self, assignee_id: int | None, unit_id: int) -> float:
        if assignee_id is not None and assignee_id in self.late_share_officer:
            return self.late_share_officer[assignee_id]
        return self.late_share_unit.get(unit_id, 0.0)


@dataclass(frozen=True)
class Prediction:
    dossier: OpenDossier
    done_on: dt.date | None  # predicted completion day (None: not within the horizon)
    p_late: float  # probability it passes its deadline (this month) before completion

    @property
    def late(self) -> bool:
        """Predicted late (the point forecast of one dossier)."""
        return self.p_late >= 0.5


@dataclass(frozen=True)
class Step:
    day: dt.date
    before: Level
    after: Level
    dossiers: tuple[OpenDossier, ...]  # the flips since the previous step that decide it


@dataclass(frozen=True)
class TargetForecast:
    day: dt.date
    level: Level
    total: float | None
    steps: tuple[Step, ...]
    flips: tuple[OpenDossier, ...]  # every predicted flip on or before the day

    @property
    def changes(self) -> bool:
        return bool(self.steps)

    @property
    def first_change(self) -> Step | None:
        return self.steps[0] if self.steps else None


@dataclass(frozen=True)
class UnitForecast:
    unit_id: int
    level: Level  # today's colour
    total: float | None
    targets: dict[str, TargetForecast]


def predict(
    dossiers: Iterable[OpenDossier], pace: Pace, working_days: Sequence[dt.date]
) -> dict[int, Prediction]:
    """Per dossier: predicted completion day and whether it turns late first.
    `working_days`: the working days from today (included when it is one) onward."""
    queues: dict[tuple[str, int], list[OpenDossier]] = {}
    for d in dossiers:
        key = ("officer", d.assignee_id) if d.assignee_id is not None else ("unit", d.unit_id)
        queues.setdefault(key, []).append(d)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    out: dict[int, Prediction] = {}
    for queue in queues.values():
        queue.sort(key=lambda d: (d.due_at or far, d.pk))
        for i, d in enumerate(queue):
            rate = pace.of(d.assignee_id, d.unit_id)
            needed = math.ceil((i + 1) / rate - 1e-9) if rate > 0 else None
            done_on = (
                working_days[needed - 1]
                if needed is not None and 0 < needed <= len(working_days)
                else None
            )
            if d.flips_on is None:
                p = 0.0
            elif done_on is None or done_on > d.flips_on:
                p = 1.0  # the queue does not reach it before its deadline
            else:
                p = pace.late_share(d.assignee_id, d.unit_id)
            out[d.pk] = Prediction(d, done_on, p)
    return out


def apply_flips(counts: UnitCounts, flips: Iterable[OpenDossier]) -> UnitCounts:
    """The counters once these open dossiers have turned late (2.1 and 5.4)."""
    flips = list(flips)
    if not flips:
        return counts
    n = len(flips)
    n61 = sum(1 for d in flips if d.on_time_d61)
    fresh = sum(1 for d in flips if not d.unsatisfied)
    fresh61 = sum(1 for d in flips if not d.unsatisfied and d.on_time_d61)
    return dataclasses.replace(
        counts,
        on_time_766=max(0, counts.on_time_766 - n),
        on_time_d61=max(0, counts.on_time_d61 - n61),
        late_or_unsatisfied_766=counts.late_or_unsatisfied_766 + fresh,
        late_or_unsatisfied_d61=counts.late_or_unsatisfied_d61 + fresh61,
    )


def level_of(
    counts: UnitCounts, policy: ScoringPolicy, levels: LevelPolicy
) -> tuple[Level, float | None]:
    if not counts.has_activity:
        return LEVELS["none"], None
    card = score(counts, policy)
    return levels.level_for(card.total, card.max, "total"), card.total


# counters that new receptions bring like this month's average dossier; the 2.1/5.4
# judgements, completions and Circular 01 points are not scaled (new dossiers are open
# and on time), nor feedback
_NOT_SCALED = ("received", "on_time_", "late_or_unsatisfied_", "completed", "c01_", "fb_")


def add_arrivals(counts: UnitCounts, n: int) -> UnitCounts:
    """The counters after `n` more receptions, on time, otherwise like the average
    dossier received this month (nothing without a dossier this month to copy)."""
    if n <= 0 or counts.received <= 0:
        return counts
    factor = (counts.received + n) / counts.received
    values = {
        name: round(getattr(counts, name) * factor)
        for name in INT_FIELDS
        if not name.startswith(_NOT_SCALED)
    }
    return dataclasses.replace(
        counts,
        **values,
        received=counts.received + n,
        on_time_766=counts.on_time_766 + n,
        on_time_d61=counts.on_time_d61 + n,
    )


def expected_flips(predictions: Iterable[Prediction], day: dt.date) -> list[OpenDossier]:
    """round(Σ p) of the dossiers that can turn late by `day`, the most likely first."""
    candidates = [
        p for p in predictions if p.dossier.flips_on is not None and p.dossier.flips_on <= day
    ]
    n = round(sum(p.p_late for p in candidates) + 1e-9)
    candidates.sort(key=lambda p: (-p.p_late, p.dossier.flips_on, p.dossier.pk))
    return [p.dossier for p in candidates[:n]]


def forecast_unit(
    unit_id: int,
    counts: UnitCounts,
    predictions: Iterable[Prediction],
    targets: Mapping[str, dt.date],
    policy: ScoringPolicy,
    levels: LevelPolicy,
    arrivals: Mapping[dt.date, float] | None = None,
) -> UnitForecast:
    """The forecast of one unit (its subtree's `counts` today, the predictions of the
    subtree's open dossiers, the expected receptions of each coming working day)."""
    level, total = level_of(counts, policy, levels)
    predictions = list(predictions)
    arrivals = arrivals or {}
    out: dict[str, TargetForecast] = {}
    for name, day in targets.items():
        current, applied, pending = level, counts, []
        steps: list[Step] = []
        flips = sorted(expected_flips(predictions, day), key=lambda d: (d.flips_on, d.pk))
        by_day: dict[dt.date, list[OpenDossier]] = {}
        for d in flips:
            assert d.flips_on is not None
            by_day.setdefault(d.flips_on, []).append(d)
        expected = 0.0
        for flip_day in sorted(set(by_day) | {d for d in arrivals if d <= day}):
            applied = apply_flips(applied, by_day.get(flip_day, ()))
            pending += by_day.get(flip_day, [])
            expected += arrivals.get(flip_day, 0.0)
            after, _t = level_of(add_arrivals(applied, round(expected)), policy, levels)
            if after.key != current.key:
                steps.append(Step(flip_day, current, after, tuple(pending)))
                current, pending = after, []
        final_level, final_total = level_of(add_arrivals(applied, round(expected)), policy, levels)
        out[name] = TargetForecast(day, final_level, final_total, tuple(steps), tuple(flips))
    return UnitForecast(unit_id, level, total, out)


def forecast(
    counts: Mapping[int, UnitCounts],
    subtree: Mapping[int, frozenset[int]],
    dossiers: Iterable[OpenDossier],
    pace: Pace,
    working_days: Sequence[dt.date],
    targets: Mapping[str, dt.date],
    policy: ScoringPolicy,
    levels: LevelPolicy,
) -> tuple[dict[int, UnitForecast], dict[int, Prediction]]:
    """Forecast of every unit in `counts` (subtree counts today); `subtree[u]` the ids
    of the row units counted under u (u itself included)."""
    predictions = predict(dossiers, pace, working_days)
    by_unit: dict[int, list[Prediction]] = {}
    for p in predictions.values():
        by_unit.setdefault(p.dossier.unit_id, []).append(p)
    coming = list(working_days)  # from today's: made in the morning, before receptions
    result = {}
    for unit_id, unit_counts in counts.items():
        members = subtree.get(unit_id, frozenset())
        unit_predictions = [p for member in members for p in by_unit.get(member, ())]
        rate = sum(pace.arrivals.get(member, 0.0) for member in members)
        arrivals = dict.fromkeys(coming, rate)
        result[unit_id] = forecast_unit(
            unit_id, unit_counts, unit_predictions, targets, policy, levels, arrivals
        )
    return result, predictions


def friday_of(day: dt.date) -> dt.date:
    """Friday of the week of `day` (Monday–Sunday; on a Saturday or Sunday: that week's
    Friday, already past — callers forecast the next week then)."""
    return day + dt.timedelta(days=4 - day.weekday())


def horizon_targets(today: dt.date) -> dict[str, dt.date]:
    """ "friday": this week's Friday (next week's from Saturday), capped at the month end
    — the month's colour stops moving then (judging instant, law.md §4.4); "month_end"."""
    friday = friday_of(today)
    if friday < today:
        friday += dt.timedelta(days=7)
    nxt = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    month_end = nxt - dt.timedelta(days=1)
    return {"friday": min(friday, month_end), "month_end": month_end}
