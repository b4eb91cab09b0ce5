"""Dashboard data: which period and metric was asked for, the visible unit tree with
scores, colours and ranks. Reads only UnitDayStats (through selectors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.monitoring.indicators import GROUPS, INDICATORS
from motcua.monitoring.levels import Level
from motcua.monitoring.periods import Period, PeriodError, period_for
from motcua.monitoring.selectors import UnitScores, scores_for_units
from motcua.org.models import OrgUnit
from motcua.org.selectors import unit_tree

PERIOD_CHOICES: tuple[tuple[str, str | Promise], ...] = (
    ("week", _("Tuần")),
    ("month", _("Tháng")),
    ("quarter", _("Quý")),
    ("year", _("Năm")),
    ("custom", _("Tùy chọn")),
)


def metric_choices() -> list[tuple[str, str]]:
    choices = [("total", str(_("Tổng điểm (100)")))]
    choices += [(f"group:{g.key}", f"{g.label} ({g.max:g})") for g in GROUPS]
    choices += [(d.id, f"{d.id} — {d.label} ({d.max:g})") for d in INDICATORS if d.max > 0]
    return choices


@dataclass(frozen=True)
class Query:
    period: Period
    metric: str
    view: str
    anchor: dt.date
    errors: tuple[str, ...] = ()


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def parse_query(params: Mapping[str, str], today: dt.date) -> Query:
    errors: list[str] = []
    kind = params.get("period") or "month"
    if kind not in dict(PERIOD_CHOICES):
        kind = "month"
    anchor = _date(params.get("date")) or today
    if kind == "custom":
        start, end = _date(params.get("from")), _date(params.get("to"))
        if start is None or end is None or end < start:
            errors.append(str(_("Khoảng thời gian không hợp lệ; đang hiển thị tháng hiện tại.")))
            period = period_for("month", today)
        else:
            try:
                period = Period(start, end, "custom")
            except PeriodError:  # pragma: no cover - guarded above
                period = period_for("month", today)
    else:
        period = period_for(kind, anchor)
    metric = params.get("metric") or "total"
    if metric not in dict(metric_choices()):
        metric = "total"
    view = params.get("view") if params.get("view") in ("tiles", "table") else "tiles"
    return Query(
        period=period, metric=metric, view=view or "tiles", anchor=anchor, errors=tuple(errors)
    )


@dataclass
class Entry:
    unit: OrgUnit
    depth: int
    scores: UnitScores
    value: float | None
    maximum: float
    level: Level
    rank: int | None = None
    children: list[Entry] = field(default_factory=list)
    previous: float | None = None  # same metric, previous period of the same length
    snapshot_total: float | None = None  # total frozen when the period closed (R24)

    @property
    def has_data(self) -> bool:
        return self.scores.has_data

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_abs(self) -> float | None:
        delta = self.change
        return None if delta is None else abs(delta)

    @property
    def trend(self) -> str:
        """ "up", "down", "flat" (within 0.5 % of the maximum) or "" without data."""
        delta = self.change
        if delta is None:
            return ""
        if abs(delta) < 0.005 * (self.maximum or 100):
            return "flat"
        return "up" if delta > 0 else "down"


@dataclass(frozen=True)
class Section:
    parent: Entry | None
    entries: list[Entry]


def build(
    units: QuerySet[OrgUnit], query: Query, today: dt.date
) -> tuple[list[Entry], list[Section]]:
    """Visible units valid today, in hierarchy, with the chosen metric of their subtree."""
    roots = unit_tree(today, within=units)
    flat_nodes: list[tuple[Any, int]] = []

    def walk(nodes: list[Any], depth: int) -> None:
        for node in nodes:
            flat_nodes.append((node, depth))
            walk(node.children, depth + 1)

    walk(roots, 0)
    visible_ids = set(units.values_list("pk", flat=True))
    nodes = [(n, d) for n, d in flat_nodes if n.unit.pk in visible_ids]
    scores = scores_for_units([n.unit for n, _d in nodes], query.period.start, query.period.end)
    from motcua.monitoring.models import PeriodSnapshot

    snapshots = dict(
        PeriodSnapshot.objects.filter(
            kind=query.period.kind, start=query.period.start, end=query.period.end
        ).values_list("unit_id", "data")
    )
    before = previous_period(query.period)
    previous = scores_for_units([n.unit for n, _d in nodes], before.start, before.end)
    by_id: dict[int, Entry] = {}
    flat: list[Entry] = []
    for node, depth in nodes:
        s = scores[node.unit.pk]
        value, maximum, level = s.metric(query.metric)
        entry = Entry(node.unit, depth, s, value, maximum, level)
        entry.previous = previous[node.unit.pk].metric(query.metric)[0]
        frozen = snapshots.get(node.unit.pk)
        if frozen is not None and frozen.get("total") is not None:
            entry.snapshot_total = float(frozen["total"])
        by_id[node.unit.pk] = entry
        flat.append(entry)
    # hierarchy: children of visible parents, in tree order
    top: list[Entry] = []
    for node, _depth in nodes:
        entry = by_id[node.unit.pk]
        parent = by_id.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else top).append(entry)
    _rank(flat)
    sections = [Section(None, top)] if top else []
    for entry in flat:
        if entry.children:
            sections.append(Section(entry, entry.children))
    return flat, sections


def previous_period(period: Period) -> Period:
    """The period just before `period`: the previous week/month/quarter/half/year, or
    for custom ranges the same number of days just before."""
    if period.kind in ("week", "month", "quarter", "half", "year", "nine_months"):
        kind = period.kind if period.kind != "nine_months" else "year"
        anchor = period.start - dt.timedelta(days=1)
        if kind == "year" and period.kind == "nine_months":
            return Period(
                period.start.replace(year=period.start.year - 1),
                period.end.replace(year=period.end.year - 1),
                "nine_months",
            )
        return period_for(kind, anchor)
    length = period.end - period.start
    end = period.start - dt.timedelta(days=1)
    return Period(end - length, end, "custom")


def _rank(entries: list[Entry]) -> None:
    """Competition ranking ("1, 2, 2, 4") among units of the same kind with data."""
    kinds: dict[str, list[Entry]] = {}
    for e in entries:
        if e.value is not None:
            kinds.setdefault(e.unit.kind, []).append(e)
    for group in kinds.values():
        group.sort(key=lambda e: -(e.value or 0.0))
        for position, e in enumerate(group, start=1):
            previous = group[position - 2] if position > 1 else None
            if previous is not None and abs((previous.value or 0) - (e.value or 0)) < 1e-9:
                e.rank = previous.rank
            else:
                e.rank = position
