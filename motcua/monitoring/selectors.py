"""Read side of monitoring: policies in force on a date, and scores of units for a
period computed from UnitDayStats rows only (one grouped aggregate query)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum

from motcua.monitoring.indicators import (
    CATALOGUE_SETS,
    EMPTY,
    INT_FIELDS,
    Scorecard,
    ScoringPolicy,
    UnitCounts,
    score,
)
from motcua.monitoring.levels import Band, Level, LevelPolicy
from motcua.monitoring.models import LevelConfig, ScoringPolicyConfig, UnitDayStats
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
        return not self.counts.is_empty

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
    has_data = not counts.is_empty
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
    unit: OrgUnit, date_from: dt.date, date_to: dt.date, include_subtree: bool = True
) -> UnitCounts:
    """Sum of the unit's (or its subtree's) rows over [date_from, date_to]: one query
    grouped by procedure, so that procedure sets unite across days and units."""
    rows = UnitDayStats.objects.filter(day__gte=date_from, day__lte=date_to)
    if include_subtree:
        rows = rows.filter(unit__path__startswith=unit.path)
    else:
        rows = rows.filter(unit=unit)
    grouped = rows.values("procedure_code").order_by("procedure_code").annotate(**_sums())
    return sum((_counts_of(row) for row in grouped), EMPTY)


def scores_for(
    unit: OrgUnit,
    date_from: dt.date,
    date_to: dt.date,
    include_subtree: bool = True,
    *,
    policy: ScoringPolicy | None = None,
    levels: LevelPolicy | None = None,
) -> UnitScores:
    """Scorecard, band and colour of a unit (by default with all its descendants).
    Policies default to those in force on `date_to`."""
    counts = counts_for(unit, date_from, date_to, include_subtree)
    return _wrap(unit, date_from, date_to, counts, policy, levels)


def scores_for_units(
    units: Iterable[OrgUnit],
    date_from: dt.date,
    date_to: dt.date,
    *,
    policy: ScoringPolicy | None = None,
    levels: LevelPolicy | None = None,
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
    grouped = (
        UnitDayStats.objects.filter(condition, day__gte=date_from, day__lte=date_to)
        .values("unit_id", "unit__path", "procedure_code")
        .order_by("unit_id", "procedure_code")
        .annotate(**_sums())
    )
    acc: dict[int, UnitCounts] = {pk: EMPTY for pk in wanted}
    for row in grouped:
        counts = _counts_of(row)
        for part in row["unit__path"].strip("/").split("/"):
            if part and int(part) in acc:
                acc[int(part)] = acc[int(part)] + counts
    return {
        pk: _wrap(unit, date_from, date_to, acc[pk], policy, levels) for pk, unit in wanted.items()
    }
