"""Data for the colour forecast (issue 27 point 1): the selector that gathers the pure
module's inputs in a bounded number of queries, and the replay on history that measures
how often a Monday forecast matches Friday's colour (docs/monitoring.md "Colour
forecast")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from motcua.monitoring import forecast as fc
from motcua.monitoring.indicators import EMPTY, UnitCounts
from motcua.monitoring.levels import LevelPolicy
from motcua.org.models import OrgUnit

PACE_WEEKS = 4  # the officers' pace: completions per working day over the last 4 weeks


@dataclass(frozen=True)
class ForecastResult:
    today: dt.date
    targets: dict[str, dt.date]
    units: dict[int, OrgUnit]
    forecasts: dict[int, fc.UnitForecast]
    predictions: dict[int, fc.Prediction]

    def rows(self) -> list[tuple[OrgUnit, fc.UnitForecast]]:
        """Units in tree order, with their forecast."""
        return [
            (u, self.forecasts[pk])
            for pk, u in sorted(self.units.items(), key=lambda kv: (kv[1].path, kv[1].code))
            if pk in self.forecasts
        ]

    def late_predictions(self) -> list[fc.Prediction]:
        return sorted(
            (p for p in self.predictions.values() if p.late),
            key=lambda p: (p.dossier.flips_on or dt.date.max, p.dossier.pk),
        )


def _minimal_paths(units: Iterable[OrgUnit]) -> list[str]:
    minimal: list[str] = []
    for path in sorted({u.path for u in units}, key=len):
        if not any(path.startswith(p) for p in minimal):
            minimal.append(path)
    return minimal


def _under(field: str, paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def working_days(cal: Any, first: dt.date, last: dt.date) -> list[dt.date]:
    days, day = [], first
    while day <= last:
        try:
            working = cal.is_working_day(day)
        except Exception:  # outside the calendar's years: Monday–Friday
            working = day.weekday() < 5
        if working:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def pace_from(
    completions: Iterable[tuple[int, int | None, int, int, int]],
    receptions: Iterable[tuple[int, int]],
    window_days: int,
) -> fc.Pace:
    """`completions`: (unit id, officer id, dossiers completed in the window, days with
    a completion, completed after the first appointment); `receptions`: (unit id,
    dossiers received in the window) over `window_days` working days."""
    window_days = max(1, window_days)
    done: dict[int, list[int]] = {}  # officer → [n, active days, late]
    unit: dict[int, list[int]] = {}
    for unit_id, officer_id, n, active, late in completions:
        if officer_id is not None:
            row = done.setdefault(officer_id, [0, 0, 0])
            row[0], row[1], row[2] = row[0] + n, row[1] + active, row[2] + late
        row = unit.setdefault(unit_id, [0, 0, 0])
        row[0], row[1], row[2] = row[0] + n, row[1] + active, row[2] + late
    return fc.Pace(
        by_officer={o: n / max(1, a) for o, (n, a, _l) in done.items() if n},
        by_unit={u: n / max(1, a) for u, (n, a, _l) in unit.items() if n},
        late_share_officer={o: late / n for o, (n, _a, late) in done.items() if n},
        late_share_unit={u: late / n for u, (n, _a, late) in unit.items() if n},
        arrivals={u: n / window_days for u, n in receptions},
    )


def _completions(qs: Any, unit_field: str) -> Any:
    from django.db.models import F
    from django.db.models.functions import Coalesce, TruncDate

    tz = timezone.get_current_timezone()
    return (
        qs.values_list(unit_field, "assignee_id")
        .order_by()
        .annotate(
            n=Count("pk"),
            days=Count(TruncDate("completed_at", tzinfo=tz), distinct=True),
            late=Count(
                "pk", filter=Q(completed_at__gt=Coalesce(F("original_due_at"), F("due_at")))
            ),
        )
    )


def recent_pace(paths: list[str], now: dt.datetime, cal: Any) -> fc.Pace:
    """The officers' and units' pace, late share and receptions over the last
    PACE_WEEKS weeks, for the row units under `paths` (two grouped queries)."""
    from motcua.dossiers.models import Dossier

    today = timezone.localdate(now)
    start = today - dt.timedelta(weeks=PACE_WEEKS)
    since = now - dt.timedelta(weeks=PACE_WEEKS)
    completions = _completions(
        Dossier.objects.filter(
            _under("monitoring_contribution__unit__path", paths),
            completed_at__gte=since,
            completed_at__lt=now,
        ),
        "monitoring_contribution__unit_id",
    )
    receptions = (
        Dossier.objects.filter(
            _under("monitoring_contribution__unit__path", paths),
            received_at__gte=since,
            received_at__lt=now,
        )
        .values_list("monitoring_contribution__unit_id")
        .order_by()
        .annotate(n=Count("pk"))
    )
    window = len(working_days(cal, start, today - dt.timedelta(days=1)))
    return pace_from(completions, receptions, window)


def unit_forecasts(
    units: Iterable[OrgUnit], now: dt.datetime | None = None, *, levels: LevelPolicy | None = None
) -> ForecastResult:
    """The forecast of each unit (its subtree, month to date) — queries: the scores
    (`scores_for_units`, ≤ 5), the open dossiers (1), the pace (1), the calendar and the
    policies (cached or ≤ 4); independent of the number of units and dossiers."""
    from motcua.dossiers import deadlines
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import RUNNING
    from motcua.monitoring.selectors import level_policy_on, scores_for_units, scoring_policy_on

    now = now or timezone.now()
    today = timezone.localdate(now)
    units = list(units)
    targets = fc.horizon_targets(today)
    month_start = today.replace(day=1)
    policy = scoring_policy_on(today)
    levels = levels or level_policy_on(today)
    if not units:
        return ForecastResult(today, targets, {}, {}, {})
    scores = scores_for_units(units, month_start, today, policy=policy, levels=levels)
    paths = _minimal_paths(units)
    open_rows = list(
        Dossier.objects.filter(
            _under("monitoring_contribution__unit__path", paths), status__in=RUNNING
        ).values_list(
            "pk",
            "code",
            "monitoring_contribution__unit_id",
            "monitoring_contribution__unit__path",
            "assignee_id",
            "due_at",
            "monitoring_contribution__flips_at",
            "monitoring_contribution__on_time_d61",
            "monitoring_contribution__counters",
        )
    )
    tz = timezone.get_current_timezone()
    dossiers = [
        fc.OpenDossier(
            pk=pk,
            code=code or str(pk),
            unit_id=unit_id,
            assignee_id=assignee_id,
            due_at=due_at,
            flips_on=flips.astimezone(tz).date() if flips is not None else None,
            on_time_d61=bool(d61),
            unsatisfied=bool((counters or {}).get("unsatisfied")),
        )
        for pk, code, unit_id, _path, assignee_id, due_at, flips, d61, counters in open_rows
    ]
    row_paths = {row[2]: row[3] for row in open_rows}
    cal = deadlines.calendar_for(min(units, key=lambda u: u.depth))
    pace = recent_pace(paths, now, cal)
    days = working_days(cal, today, max(targets.values()))
    subtree = {
        u.pk: frozenset(r for r, p in row_paths.items() if p and p.startswith(u.path))
        for u in units
    }
    counts = {u.pk: scores[u.pk].counts for u in units}
    forecasts, predictions = fc.forecast(
        counts, subtree, dossiers, pace, days, targets, policy, levels
    )
    return ForecastResult(today, targets, {u.pk: u for u in units}, forecasts, predictions)


def forecast_for_head(user: Any, now: dt.datetime | None = None) -> list[ForecastResult]:
    """The forecasts of the units `user` heads today (StaffAssignment.is_head)."""
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    now = now or timezone.now()
    today = timezone.localdate(now)
    units = [
        a.unit
        for a in StaffAssignment.objects.filter(valid_on(today), user=user, is_head=True)
        .select_related("unit")
        .order_by("unit__path")
    ]
    return [unit_forecasts([u], now) for u in units]


def forecast_notify_heads(now: dt.datetime | None = None) -> int:
    """Each working morning (scheduler job `colour-forecast`), every head of unit
    (StaffAssignment.is_head, role leader — as the daily digest) receives the forecast
    of their unit through the notification channels they accept; once a day per head
    and unit (dedup key). Nothing on a day off of the unit's calendar."""
    from django.urls import reverse

    from motcua.dossiers import deadlines
    from motcua.notifications.services import notify
    from motcua.org.constants import Role
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    now = now or timezone.now()
    today = timezone.localdate(now)
    heads = list(
        StaffAssignment.objects.filter(valid_on(today), is_head=True, role=Role.LEADER)
        .select_related("user", "unit")
        .order_by("unit__path", "pk")
    )
    if not heads:
        return 0
    try:
        if not deadlines.calendar_for(heads[0].unit).is_working_day(today):
            return 0
    except Exception:  # outside the calendar's years: Monday–Friday
        if today.weekday() >= 5:
            return 0
    units = {a.unit_id: a.unit for a in heads}
    result = unit_forecasts(list(units.values()), now)
    sent = 0
    for a in heads:
        f = result.forecasts.get(a.unit_id)
        if f is None or (f.level.key == "none" and f.targets["month_end"].level.key == "none"):
            continue
        steps = [
            {
                "day": step.day,
                "before": str(step.before.label),
                "after": str(step.after.label),
                "codes": [d.code for d in step.dossiers],
            }
            for step in f.targets["month_end"].steps
        ]
        n = notify(
            recipient=a.user,
            event="colour_forecast",
            context={
                "unit": a.unit.name,
                "day": today,
                "today_label": str(f.level.label),
                "friday": f.targets["friday"].day,
                "friday_label": str(f.targets["friday"].level.label),
                "month_end": f.targets["month_end"].day,
                "month_end_label": str(f.targets["month_end"].level.label),
                "steps": steps,
            },
            url=reverse("monitoring:unit", args=[a.unit_id]),
            dedup_key=f"forecast:{a.user_id}:{a.unit_id}:{today:%Y%m%d}",
            now=now,
        )
        sent += n is not None
    return sent


# --- replay on history ---------------------------------------------------------------


@dataclass(frozen=True)
class ReplayResult:
    monday: dt.date
    friday: dt.date
    compared: int
    matched: int
    persistence_matched: int  # "Friday = Monday's colour", the naive baseline
    misses: list[tuple[str, str, str, str]]  # (unit code, Monday, forecast, actual)

    @property
    def rate(self) -> float:
        return self.matched / self.compared if self.compared else 1.0


def _as_of(facts: Any, moment: dt.datetime) -> Any:
    """Facts as they were known at `moment`: statuses reached later are not known, nor
    the result files issued at the end (4.1/4.2/4.2b)."""
    done = facts.finished_at or facts.returned_at or facts.closed_at
    ended = {
        "finished_at": facts.finished_at
        if facts.finished_at and facts.finished_at <= moment
        else None,
        "returned_at": facts.returned_at
        if facts.returned_at and facts.returned_at <= moment
        else None,
        "closed_at": facts.closed_at if facts.closed_at and facts.closed_at <= moment else None,
    }
    if done is not None and done <= moment:
        return dataclasses.replace(facts, **ended)
    return dataclasses.replace(
        facts,
        **ended,
        e_result=False,
        digitised_result=False,
        certified_copy_electronic=False,
        contacts_to_complete=None,
        bodies_timing=None,
    )


def replay_week(monday: dt.date, *, units: Iterable[OrgUnit] | None = None) -> ReplayResult:
    """Forecast made on `monday` (07:30 local, only what was known then: dossiers
    received by then, their state then, the pace of the 4 weeks before) against the
    colour computed for that week's Friday (end of day, dossiers received by then in
    their state then). Both sides use the same pure rules (`updater.facts_of`,
    `indicators.dossier_counters`) and the same catalogue state; feedback counts from
    the stored day rows up to each day."""
    from motcua.dossiers import deadlines
    from motcua.dossiers.models import Dossier
    from motcua.monitoring import updater
    from motcua.monitoring.feedback_feed import dossier_dissatisfaction
    from motcua.monitoring.indicators import dossier_counters
    from motcua.monitoring.models import UnitDayStats
    from motcua.monitoring.selectors import (
        COLUMNS,
        _counts_from_vectors,
        catalogue_rows,
        level_policy_on,
        scoring_policy_on,
    )
    from motcua.org.selectors import unit_valid_on

    tz = timezone.get_current_timezone()
    targets = fc.horizon_targets(monday)
    friday = targets["friday"]
    made = dt.datetime.combine(monday, dt.time(7, 30), tzinfo=tz)
    friday_end = dt.datetime.combine(friday + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    friday_end -= dt.timedelta(microseconds=1)
    month_start = monday.replace(day=1)
    month_start_at = dt.datetime.combine(month_start, dt.time.min, tzinfo=tz)
    policy = scoring_policy_on(friday)
    levels = level_policy_on(friday)
    if units is None:
        units = OrgUnit.objects.filter(unit_valid_on(friday))
    units = list(units)
    roll = updater.roll_forward_map()
    fee_bearing = {
        code
        for code, flags in updater.catalogue_flags(
            Dossier.objects.filter(received_at__lte=friday_end)
            .values_list("procedure_version__procedure__code", flat=True)
            .distinct()
        ).items()
        if flags.get("cat_fee_bearing")
    }
    # every dossier open at the Monday (any reception month: the officers' queues) and
    # every dossier received this month by Friday
    ids = list(
        Dossier.objects.filter(received_at__lte=friday_end)
        .filter(
            Q(received_at__gte=month_start_at)
            | Q(completed_at__isnull=True)
            | Q(completed_at__gt=made)
        )
        .values_list("pk", flat=True)
    )
    rows = updater.load_rows(ids, fee_bearing)
    dissatisfied = dossier_dissatisfaction(ids)
    assignees = dict(Dossier.objects.filter(pk__in=ids).values_list("pk", "assignee_id"))
    cal = deadlines.calendar_for(min(units, key=lambda u: u.depth))

    def counts_at(moment: dt.datetime) -> tuple[dict[int, dict[str, list[int]]], list[Any]]:
        per_unit: dict[int, dict[str, list[int]]] = {}
        facts_list = []
        for row in rows:
            if row.received_at is None or row.received_at > moment:
                continue
            facts = updater.facts_of(row, tz, moment)
            if facts is None:
                continue
            facts = _as_of(facts, moment)
            if row.pk in dissatisfied:
                rated, complaint = dissatisfied[row.pk]
                facts = dataclasses.replace(facts, rated_unsatisfied=rated, complaint=complaint)
            unit_id = roll.get(row.competent_unit_id, row.competent_unit_id)
            facts_list.append((row, unit_id, facts))
            if facts.received_at < month_start_at:
                continue
            c = dossier_counters(facts, moment)
            vector = [c.get(name, 0) for name in COLUMNS]
            per_code = per_unit.setdefault(unit_id, {})
            old = per_code.get(facts.procedure_code)
            per_code[facts.procedure_code] = (
                vector if old is None else [a + b for a, b in zip(old, vector, strict=True)]
            )
        return per_unit, facts_list

    paths = dict(OrgUnit.objects.values_list("pk", "path"))

    def subtree_counts(
        per_unit: Mapping[int, Mapping[str, list[int]]], day: dt.date
    ) -> dict[int, UnitCounts]:
        extra: dict[int, dict[str, list[int]]] = {}
        for row in catalogue_rows(Q(), month_start, day, ("unit_id",)):
            extra.setdefault(row[0], {})[row[1]] = [int(v or 0) for v in row[2:]]
        for unit_id, code, *values in UnitDayStats.objects.filter(
            procedure_code="", day__gte=month_start, day__lte=day
        ).values_list("unit_id", "procedure_code", *COLUMNS):
            into = extra.setdefault(unit_id, {})
            old = into.get(code)
            vec = [int(v or 0) for v in values]
            into[code] = vec if old is None else [a + b for a, b in zip(old, vec, strict=True)]
        out: dict[int, UnitCounts] = {}
        for u in units:
            merged: dict[str, list[int]] = {}
            for source in (per_unit, extra):
                for unit_id, per_code in source.items():
                    if not paths.get(unit_id, "").startswith(u.path):
                        continue
                    for code, vec in per_code.items():
                        old = merged.get(code)
                        merged[code] = (
                            list(vec)
                            if old is None
                            else [a + b for a, b in zip(old, vec, strict=True)]
                        )
            out[u.pk] = _counts_from_vectors(merged) if merged else EMPTY
        return out

    monday_rows, monday_facts = counts_at(made)
    base = subtree_counts(monday_rows, monday)
    friday_rows, _ff = counts_at(friday_end)
    actual = subtree_counts(friday_rows, friday)
    # open dossiers at the Monday with their flip day (as the live contribution has it)
    open_dossiers = []
    for row, unit_id, facts in monday_facts:
        if facts.finished_at or facts.returned_at or facts.closed_at:
            continue
        if facts.supplement_pending_since is not None:
            continue
        flips = updater.flips_at(facts, made)
        c = dossier_counters(facts, made)
        open_dossiers.append(
            fc.OpenDossier(
                pk=row.pk,
                code=row.code or str(row.pk),
                unit_id=unit_id,
                assignee_id=assignees.get(row.pk),
                due_at=facts.due_at,
                flips_on=flips.astimezone(tz).date() if flips is not None else None,
                on_time_d61=bool(c.get("on_time_d61")),
                unsatisfied=bool(c.get("unsatisfied")),
            )
        )
    window_start = monday - dt.timedelta(weeks=PACE_WEEKS)
    window_start_at = made - dt.timedelta(weeks=PACE_WEEKS)
    done_rows = _completions(
        Dossier.objects.filter(completed_at__gte=window_start_at, completed_at__lt=made),
        "competent_unit_id",
    )
    received_rows = (
        Dossier.objects.filter(received_at__gte=window_start_at, received_at__lt=made)
        .values_list("competent_unit_id")
        .order_by()
        .annotate(n=Count("pk"))
    )
    arrivals: dict[int, int] = {}
    for u, n in received_rows:
        arrivals[roll.get(u, u)] = arrivals.get(roll.get(u, u), 0) + n
    pace = pace_from(
        ((roll.get(u, u), a, n, d, late) for u, a, n, d, late in done_rows),
        arrivals.items(),
        len(working_days(cal, window_start, monday - dt.timedelta(days=1))),
    )
    days = working_days(cal, monday, friday)
    subtree = {u.pk: frozenset(r for r in paths if paths[r].startswith(u.path)) for u in units}
    forecasts, _p = fc.forecast(
        base, subtree, open_dossiers, pace, days, {"friday": friday}, policy, levels
    )
    compared = matched = persistence = 0
    misses = []
    for u in units:
        now_level, _t = fc.level_of(base[u.pk], policy, levels)
        actual_level, _a = fc.level_of(actual[u.pk], policy, levels)
        if now_level.key == "none" and actual_level.key == "none":
            continue
        compared += 1
        predicted = forecasts[u.pk].targets["friday"].level
        matched += predicted.key == actual_level.key
        persistence += now_level.key == actual_level.key
        if predicted.key != actual_level.key:
            misses.append((u.code, now_level.key, predicted.key, actual_level.key))
    return ReplayResult(monday, friday, compared, matched, persistence, misses)
