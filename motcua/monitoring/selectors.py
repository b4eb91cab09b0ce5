"""Read side of monitoring: policies in force on a date, and scores of units for a
period computed from the aggregate rows only: the months the period covers whole from
the month roll-up (UnitMonthStats), its partial edge months from the day rows
(UnitDayStats) — at most three grouped queries, never the dossiers — plus, for a
period other than a month, the correction of the dossiers open at their month's end
judged at the end of the period instead (`period_judgement`, law.md §4.4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet, Sum

from motcua.monitoring.catalogue_state import catalogue_rows
from motcua.monitoring.indicators import (
    CATALOGUE_SETS,
    DERIVED_SETS,
    EMPTY,
    INT_FIELDS,
    Scorecard,
    ScoringPolicy,
    UnitCounts,
    score,
)
from motcua.monitoring.levels import Band, Level, LevelPolicy
from motcua.monitoring.models import (
    LevelConfig,
    ScoringPolicyConfig,
    UnitDayStats,
    UnitMonthStats,
)
from motcua.monitoring.period_judgement import correction_rows
from motcua.org.models import OrgUnit

COLUMNS: tuple[str, ...] = INT_FIELDS + CATALOGUE_SETS


def level_config_on(day: dt.date) -> LevelConfig | None:
    return LevelConfig.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def level_policy_on(day: dt.date) -> LevelPolicy:
    """The colour/band policy in force on `day` (defaults when nothing is configured)."""
    config = level_config_on(day)
    return LevelPolicy.from_config(config.thresholds) if config else LevelPolicy()


def scoring_config_on(day: dt.date) -> ScoringPolicyConfig | None:
    return (
        ScoringPolicyConfig.objects.filter(effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def scoring_policy_on(day: dt.date) -> ScoringPolicy:
    config = scoring_config_on(day)
    return ScoringPolicy.from_options(config.options) if config else ScoringPolicy()


# Decree 118/2025 replaced Decree 61 from 1/7/2025; Circular 01/2018's 0–2 evaluation
# lost its basis with it (law.md R27) and is kept only as an optional internal scheme.
DECREE_118_FROM = dt.date(2025, 7, 1)


def circular01_enabled_on(day: dt.date) -> bool:
    """Whether the Circular 01/2018 internal evaluation is produced for a period ending
    on `day`: the scoring configuration in force decides; without one, only for
    periods before 1/7/2025."""
    config = scoring_config_on(day)
    if config is not None and "circular01_internal" in (config.options or {}):
        return bool(config.options["circular01_internal"])
    return day < DECREE_118_FROM


def level_configs() -> QuerySet[LevelConfig]:
    return LevelConfig.objects.select_related("created_by").order_by("-effective_from")


def scoring_configs() -> QuerySet[ScoringPolicyConfig]:
    return ScoringPolicyConfig.objects.select_related("created_by").order_by("-effective_from")


@dataclass(frozen=True)
class UnitScores:
    unit: OrgUnit
    date_from: dt.date
    date_to: dt.date
    counts: UnitCounts
    card: Scorecard
    band: Band
    colour: Level
    levels: LevelPolicy

    @property
    def has_data(self) -> bool:
        return self.counts.has_activity

    def colours(self) -> dict[str, Level]:
        """Colour of the total ("total"), each group ("group:<key>") and indicator."""
        keys = ["total", *(f"group:{k}" for k in self.card.groups), *self.card.indicators]
        return {key: self.metric(key)[2] for key in keys}

    def metric(self, key: str) -> tuple[float | None, float, Level]:
        """(score or None without data, max, colour) of "total", "group:<k>" or an id."""
        found = self.card.metric(key)
        if found is None:
            raise KeyError(key)
        value, maximum = found
        if not self.has_data:
            return None, maximum, self.levels.level_for(None, maximum, key)
        return value, maximum, self.levels.level_for(value, maximum, key)


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in COLUMNS}


def _counts_of(row: Mapping[str, Any]) -> UnitCounts:
    return UnitCounts.for_procedure(row["procedure_code"], row, row)


Vector = list[int]  # the values of COLUMNS, in that order
_INT_INDEX = [COLUMNS.index(name) for name in INT_FIELDS]
_SET_SOURCES = [
    *((name, COLUMNS.index(source)) for name, source in DERIVED_SETS.items()),
    *((name, COLUMNS.index(name)) for name in CATALOGUE_SETS),
]


def _counts_from_vectors(per_code: Mapping[str, Vector]) -> UnitCounts:
    """`sum(UnitCounts.for_procedure(code, row, row) for code, row in per_code)` built in
    one pass (counters are non-negative, so "sum > 0" is "some part > 0")."""
    total = [0] * len(COLUMNS)
    for vector in per_code.values():
        total = [a + b for a, b in zip(total, vector, strict=True)]
    values: dict[str, Any] = {
        name: total[i] for name, i in zip(INT_FIELDS, _INT_INDEX, strict=True)
    }
    for set_name, i in _SET_SOURCES:
        values[set_name] = frozenset(code for code, v in per_code.items() if v[i] > 0)
    return UnitCounts(**values)


def _add_vector(into: dict[str, Vector], code: str, values: Iterable[Any]) -> None:
    vector = [int(v or 0) for v in values]  # PostgreSQL: SUM(bigint) is a Decimal
    target = into.get(code)
    into[code] = vector if target is None else [a + b for a, b in zip(target, vector, strict=True)]


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def split_period(
    date_from: dt.date, date_to: dt.date
) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """[date_from, date_to] as (first month, last month) read from UnitMonthStats (None
    when no month is covered whole) and the day ranges left at the edges (UnitDayStats)."""
    first = date_from if date_from.day == 1 else _month_end(date_from) + dt.timedelta(days=1)
    last_end = (
        date_to if date_to == _month_end(date_to) else date_to.replace(day=1) - dt.timedelta(days=1)
    )
    if first > last_end:
        return None, [(date_from, date_to)]
    days = []
    if date_from < first:
        days.append((date_from, first - dt.timedelta(days=1)))
    if last_end < date_to:
        days.append((last_end + dt.timedelta(days=1), date_to))
    return (first, last_end.replace(day=1)), days


def _grouped(
    condition: Q,
    date_from: dt.date,
    date_to: dt.date,
    by: tuple[str, ...],
    as_of: dt.datetime | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Rows (*by, procedure code, *COLUMNS sums) over the period: whole months from the
    month roll-up, the edges from the day rows (at most three grouped queries). Fetched
    as plain tuples: the ORM's per-value converters cost as much as the queries."""
    months, day_ranges = split_period(date_from, date_to)
    fields = (*by, "procedure_code")
    queries: list[QuerySet[Any]] = []
    if months is not None:
        queries.append(
            UnitMonthStats.objects.filter(condition, month__gte=months[0], month__lte=months[1])
        )
    for start, end in day_ranges:  # one query per range: each uses the (unit, day) index
        queries.append(UnitDayStats.objects.filter(condition, day__gte=start, day__lte=end))
    # the catalogue state of the units, independent of dossiers (catalogue_state)
    yield from catalogue_rows(condition, date_from, date_to, by)
    for qs in queries:
        # SELECT *fields, then the sums in COLUMNS order (annotation order)
        grouped = qs.values(*fields).order_by().annotate(**_sums())
        # The database the router reads this model from (the replica, when configured).
        sql, params = grouped.query.get_compiler(using=grouped.db).as_sql()
        with connections[grouped.db].cursor() as cursor:
            cursor.execute(sql, params)
            yield from cursor.fetchall()
    # law.md §4.4: open dossiers judged at the end of THIS period, not of their
    # reception month (none for a month; period_judgement)
    yield from correction_rows(condition, date_from, date_to, "unit_id" in by, COLUMNS, as_of)


def _wrap(
    unit: OrgUnit,
    date_from: dt.date,
    date_to: dt.date,
    counts: UnitCounts,
    policy: ScoringPolicy | None,
    levels: LevelPolicy | None,
) -> UnitScores:
    policy = policy or scoring_policy_on(date_to)
    levels = levels or level_policy_on(date_to)
    card = score(counts, policy)
    has_data = counts.has_activity
    return UnitScores(
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        counts=counts,
        card=card,
        band=levels.band_for(card.total if has_data else None),
        colour=levels.level_for(card.total if has_data else None, card.max, "total"),
        levels=levels,
    )


def counts_for(
    unit: OrgUnit,
    date_from: dt.date,
    date_to: dt.date,
    include_subtree: bool = True,
    *,
    as_of: dt.datetime | None = None,
) -> UnitCounts:
    """Sum of the unit's (or its subtree's) rows over [date_from, date_to], grouped by
    procedure so that procedure sets unite across days and units; open dossiers judged
    at the end of the period, or at `as_of` (default: now) while it runs."""
    condition = Q(unit__path__startswith=unit.path) if include_subtree else Q(unit=unit)
    per_code: dict[str, Vector] = {}
    for row in _grouped(condition, date_from, date_to, (), as_of):
        _add_vector(per_code, row[0], row[1:])
    return _counts_from_vectors(per_code)


def counts_for_day_rows(
    unit: OrgUnit,
    date_from: dt.date,
    date_to: dt.date,
    include_subtree: bool = True,
    *,
    as_of: dt.datetime | None = None,
) -> UnitCounts:
    """Reference: the same sum over the day rows only (no month roll-up); tests check
    that both give identical counts."""
    rows = UnitDayStats.objects.filter(day__gte=date_from, day__lte=date_to)
    if include_subtree:
        rows = rows.filter(unit__path__startswith=unit.path)
    else:
        rows = rows.filter(unit=unit)
    grouped = rows.values("procedure_code").order_by("procedure_code").annotate(**_sums())
    condition = Q(unit__path__startswith=unit.path) if include_subtree else Q(unit=unit)
    catalogue = [
        UnitCounts.for_procedure(row[0], {}, dict(zip(COLUMNS, row[1:], strict=True)))
        for row in catalogue_rows(condition, date_from, date_to, ())
    ]
    corrections = [
        UnitCounts.for_procedure(row[0], dict(zip(COLUMNS, row[1:], strict=True)), {})
        for row in correction_rows(condition, date_from, date_to, False, COLUMNS, as_of)
    ]
    return sum((_counts_of(row) for row in grouped), sum(catalogue, sum(corrections, EMPTY)))


def scores_for(
    unit: OrgUnit,
    date_from: dt.date,
    date_to: dt.date,
    include_subtree: bool = True,
    *,
    policy: ScoringPolicy | None = None,
    levels: LevelPolicy | None = None,
    as_of: dt.datetime | None = None,
) -> UnitScores:
    """Scorecard, band and colour of a unit (by default with all its descendants).
    Policies default to those in force on `date_to`."""
    counts = counts_for(unit, date_from, date_to, include_subtree, as_of=as_of)
    return _wrap(unit, date_from, date_to, counts, policy, levels)


def scores_for_units(
    units: Iterable[OrgUnit],
    date_from: dt.date,
    date_to: dt.date,
    *,
    policy: ScoringPolicy | None = None,
    levels: LevelPolicy | None = None,
    as_of: dt.datetime | None = None,
) -> dict[int, UnitScores]:
    """Subtree scores of many units with one grouped query (dashboard)."""
    units = list(units)
    if not units:
        return {}
    policy = policy or scoring_policy_on(date_to)
    levels = levels or level_policy_on(date_to)
    wanted = {u.pk: u for u in units}
    roots = sorted({u.path for u in units}, key=len)
    minimal: list[str] = []
    for path in roots:
        if not any(path.startswith(p) for p in minimal):
            minimal.append(path)
    condition = Q()
    for path in minimal:
        condition |= Q(unit__path__startswith=path)
    # Sum per (unit, procedure), then add every unit's totals into its parent's,
    # deepest units first: each unit ends with its subtree's totals, and every
    # (unit, procedure) vector is added once (not once per ancestor).
    totals: dict[int, dict[str, Vector]] = {}
    parent: dict[int, int | None] = {}
    # Grouped by (unit id, procedure) only: grouping by the unit's path as well made
    # PostgreSQL sort ~7 k rows on a collated text key (half the query's time at 4 M).
    rows = list(_grouped(condition, date_from, date_to, ("unit_id",), as_of))
    paths = dict(OrgUnit.objects.filter(pk__in={row[0] for row in rows}).values_list("pk", "path"))
    for row in rows:
        unit_id, code = row[0], row[1]
        if unit_id not in parent:
            chain = [int(part) for part in paths[unit_id].strip("/").split("/") if part]
            for i, node in enumerate(chain):
                parent.setdefault(node, chain[i - 1] if i else None)
        _add_vector(totals.setdefault(unit_id, {}), code, row[2:])
    depth: dict[int, int] = {}
    for node in parent:
        d, up = 0, parent[node]
        while up is not None:
            d, up = d + 1, parent.get(up)
        depth[node] = d
    for node in sorted(parent, key=lambda n: -depth[n]):
        up = parent[node]
        if up is None or node not in totals:
            continue
        into = totals.setdefault(up, {})
        for code, vector in totals[node].items():
            _add_vector(into, code, vector)
    return {
        pk: _wrap(
            unit, date_from, date_to, _counts_from_vectors(totals.get(pk, {})), policy, levels
        )
        for pk, unit in wanted.items()
    }
