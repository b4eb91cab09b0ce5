"""Reads of the working-day calendar and the cached per-unit index.

`get_calendar(unit)` returns a `WorkCalendar` (pure, O(1) deadline maths) built from:
weekday rule + statutory holidays (`statutory.py`) + national `DayOverride` rows + the
local overrides of the unit and its ancestors (nearest unit wins) + its office hours
(own row, else nearest ancestor's, else the default row, else 07:30–11:30/13:00–17:00).
Each process caches one index per unit and rebuilds it when `CalendarVersion` moved.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from motcua.org.models import OrgUnit
from motcua.workdays.calendar import OfficeHours as OfficeHoursSpec
from motcua.workdays.calendar import WorkCalendar
from motcua.workdays.models import (
    CalendarVersion,
    DayOverride,
    DayOverrideChange,
    OfficeHours,
    OverrideKind,
)
from motcua.workdays.statutory import statutory_year

_lock = threading.Lock()
_cache: dict[tuple[int | None, bool], WorkCalendar] = {}


def year_range() -> tuple[int, int]:
    """Years covered by the index (settings MOTCUA_WORKDAYS_YEARS, default 2015–2035)."""
    first, last = getattr(settings, "MOTCUA_WORKDAYS_YEARS", (2015, 2035))
    return int(first), int(last)


def calendar_version() -> int:
    row = CalendarVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def unit_by_code(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def _ancestor_ids(unit: OrgUnit) -> list[int]:
    """Ids from the root down to the unit itself, from the materialised path."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return ids if ids and ids[-1] == unit.pk else [*ids, unit.pk]


def office_hours_for(
    unit: OrgUnit | None, rows: dict[int | None, OfficeHours] | None = None
) -> OfficeHoursSpec:
    if rows is None:
        rows = {row.unit_id: row for row in OfficeHours.objects.all()}
    chain: list[int | None] = [None]
    if unit is not None:  # the unit itself, then its ancestors upwards, then the default
        chain = [*reversed(_ancestor_ids(unit)), None]
    for key in chain:
        row = rows.get(key)
        if row is not None:
            return OfficeHoursSpec(
                periods=(
                    (row.morning_start, row.morning_end),
                    (row.afternoon_start, row.afternoon_end),
                ),
                same_day_cutoff=row.same_day_cutoff,
            )
    return OfficeHoursSpec()


def _overrides(first: int, last: int, unit_ids: Iterable[int]) -> list[DayOverride]:
    return list(
        DayOverride.objects.filter(year__gte=first, year__lte=last).filter(
            Q(unit__isnull=True) | Q(unit_id__in=list(unit_ids))
        )
    )


def _build(
    unit: OrgUnit | None,
    version: int,
    *,
    overrides: list[DayOverride] | None = None,
    hours: dict[int | None, OfficeHours] | None = None,
) -> WorkCalendar:
    first, last = year_range()
    days_off: dict[dt.date, str] = {}
    working: dict[dt.date, str] = {}
    bases: dict[dt.date, str] = {}
    for year in range(first, last + 1):
        statutory = statutory_year(year)
        days_off.update(statutory.days_off)
        working.update(statutory.working_days)
        bases.update(statutory.legal_bases)
    scopes: list[int | None] = [None]
    if unit is not None:
        scopes += _ancestor_ids(unit)  # root first: the unit's own decision is applied last
    if overrides is None:
        overrides = _overrides(first, last, [s for s in scopes if s is not None])
    by_scope: dict[int | None, list[DayOverride]] = {}
    for row in overrides:
        by_scope.setdefault(row.unit_id, []).append(row)
    for scope in scopes:
        for row in by_scope.get(scope, []):
            bases[row.date] = row.legal_basis
            if row.kind == OverrideKind.DAY_OFF:
                working.pop(row.date, None)
                days_off[row.date] = row.reason
            else:
                days_off.pop(row.date, None)
                working[row.date] = row.reason
    return WorkCalendar(
        first_year=first,
        last_year=last,
        days_off=days_off,
        working_days=working,
        legal_bases={day: text for day, text in bases.items() if text},
        office_hours=office_hours_for(unit, hours),
        receives_on_saturday=bool(unit and unit.receives_on_saturday),
        version=version,
    )


def civil_end_of_day() -> bool:
    """Whether calendar-day and month limits end at the close of their last day rather
    than at the reception's clock time (law.md §15 Q4; setting MOTCUA_CIVIL_LIMIT_END,
    "same_time" by default — the earlier moment — or "end_of_day")."""
    value = getattr(settings, "MOTCUA_CIVIL_LIMIT_END", "same_time")
    if value not in ("same_time", "end_of_day"):
        raise ImproperlyConfigured("MOTCUA_CIVIL_LIMIT_END: same_time | end_of_day")
    return value == "end_of_day"


def get_calendar(unit: OrgUnit | str | None = None) -> WorkCalendar:
    """The working-day calendar of `unit` (an OrgUnit, a unit code, or None = default)."""
    if isinstance(unit, str):
        unit = unit_by_code(unit)
    version = calendar_version()
    key = (unit.pk if unit else None, bool(unit and unit.receives_on_saturday))
    cached = _cache.get(key)
    if cached is not None and cached.version == version:
        return cached
    calendar = _build(unit, version)
    with _lock:
        _cache[key] = calendar
    return calendar


def get_calendars(units: Iterable[OrgUnit]) -> dict[int, WorkCalendar]:
    """Calendars of several units at once (list pages): one version check and, for the
    units not cached yet, one query for their day overrides and one for office hours."""
    version = calendar_version()
    out: dict[int, WorkCalendar] = {}
    missing: dict[int, OrgUnit] = {}
    for unit in units:
        if unit.pk in out or unit.pk in missing:
            continue
        cached = _cache.get((unit.pk, bool(unit.receives_on_saturday)))
        if cached is not None and cached.version == version:
            out[unit.pk] = cached
        else:
            missing[unit.pk] = unit
    if missing:
        first, last = year_range()
        ancestors = {pk: _ancestor_ids(unit) for pk, unit in missing.items()}
        overrides = _overrides(first, last, {i for ids in ancestors.values() for i in ids})
        hours = {row.unit_id: row for row in OfficeHours.objects.all()}
        for pk, unit in missing.items():
            scope = {None, *ancestors[pk]}
            own = [row for row in overrides if row.unit_id in scope]
            calendar = _build(unit, version, overrides=own, hours=hours)
            with _lock:
                _cache[(pk, bool(unit.receives_on_saturday))] = calendar
            out[pk] = calendar
    return out


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def overrides_for_year(year: int, unit: OrgUnit | None = None) -> QuerySet[DayOverride]:
    qs = DayOverride.objects.filter(year=year).select_related("unit")
    return qs.filter(unit=unit) if unit is not None else qs


def recent_changes(limit: int = 50) -> QuerySet[DayOverrideChange]:
    return DayOverrideChange.objects.select_related("actor")[:limit]


@dataclass(frozen=True)
class YearDay:
    day: dt.date
    working: bool
    reason: str
    source: str  # "statutory" or "override"
    basis: str = ""


def year_exceptions(year: int, unit: OrgUnit | None = None) -> list[YearDay]:
    """Days of `year` that differ from Monday–Friday, with their reason and source."""
    calendar = get_calendar(unit)
    scopes = {None, *(_ancestor_ids(unit) if unit is not None else [])}
    overridden = {row.date for row in overrides_for_year(year) if row.unit_id in scopes}
    days: list[YearDay] = []
    day = dt.date(year, 1, 1)
    first, last = calendar.first_year, calendar.last_year
    if not first <= year <= last:
        return []
    while day.year == year:
        working = calendar.is_working_day(day)
        if working == (day.weekday() < 5):
            day += dt.timedelta(days=1)
            continue
        source = "override" if day in overridden else "statutory"
        days.append(YearDay(day, working, calendar.reason(day), source, calendar.legal_basis(day)))
        day += dt.timedelta(days=1)
    return days


def office_hours_rows() -> QuerySet[OfficeHours]:
    return OfficeHours.objects.select_related("unit").order_by("unit__code")


@dataclass(frozen=True)
class DeadlineStatus:
    status: str
    label: str
    level: str
    remaining_seconds: int | None


def deadline_status(
    *,
    due: dt.datetime | None,
    now: dt.datetime | None = None,
    unit: OrgUnit | str | None = None,
    paused: bool = False,
    calendar: WorkCalendar | None = None,
) -> DeadlineStatus:
    """Status of a dossier or step (within time / due within 1 working day / overdue /
    paused) with its label and colour, for worklists and dossier pages (R16). Lists
    pass the unit's `calendar` (get_calendars) instead of looking it up per row."""
    from django.utils import timezone

    from motcua.workdays.constants import status_label, status_level

    calendar = calendar if calendar is not None else get_calendar(unit)
    now = now or timezone.now()
    status = calendar.status(now, due, paused=paused)
    remaining = None if due is None or paused else calendar.remaining_seconds(now, due)
    return DeadlineStatus(status, str(status_label(status)), status_level(status), remaining)
