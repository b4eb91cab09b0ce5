"""The ONE adapter between dossiers and the working-day calendar (motcua.workdays).

Every deadline computation of this app goes through here, so changes in workdays
stay local. Units of the catalogue (TimeUnit) are mapped onto the calendar's
durations; calendar days and months go through the calendar's civil rule
(law.md R10a: counted from the effective start, moved off days off).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from motcua.catalog.constants import TimeUnit
from motcua.dossiers.constants import TIME_COLOUR, TIME_LABEL
from motcua.workdays import calendar as wd
from motcua.workdays.selectors import civil_end_of_day, get_calendar, get_calendars

logger = logging.getLogger(__name__)

Pause = wd.Pause
PausePolicy = wd.PausePolicy
CalendarError = wd.CalendarError
ExtensionError = wd.ExtensionError


@dataclass(frozen=True)
class Span:
    """A processing time as the catalogue states it (value + TimeUnit)."""

    value: Decimal
    unit: str

    @property
    def is_zero(self) -> bool:
        return self.value <= 0 and self.unit != TimeUnit.SAME_DAY


def calendar_for(unit: Any) -> wd.WorkCalendar:
    return get_calendar(unit)


def calendars_for(units: Any) -> dict[int, wd.WorkCalendar]:
    """Calendars of many units in a few queries (list pages), keyed by unit id."""
    return get_calendars(units)


def pause_policy() -> wd.PausePolicy:
    """Supplement clock rule (R12): "restart" (Decree 61/2018 Art. 19(4), default) or
    "subtract" (Decision 766/QĐ-TTg), setting MOTCUA_SUPPLEMENT_CLOCK_POLICY."""
    value = getattr(settings, "MOTCUA_SUPPLEMENT_CLOCK_POLICY", "restart")
    return wd.PausePolicy(value)


def span_of(version: Any, case: Any = None) -> Span:
    """Processing time pinned on the dossier: the case's own time, else the version's."""
    if case is not None and case.processing_time_value is not None:
        unit = case.processing_time_unit or version.processing_time_unit
        return Span(Decimal(case.processing_time_value), unit)
    return Span(Decimal(version.processing_time_value), version.processing_time_unit)


def working_duration(span: Span, cal: wd.WorkCalendar) -> wd.Duration | None:
    """Calendar duration for working units; None for civil units (days, months)."""
    if span.unit == TimeUnit.SAME_DAY:
        return wd.Duration.same_day()
    if span.unit == TimeUnit.WORKING_DAYS:
        if span.value == span.value.to_integral_value():
            return wd.Duration.days(int(span.value))
        # Half days (e.g. 0.5 day for a reception step) in working minutes.
        return wd.Duration.minutes(math.ceil(span.value * cal.day_seconds / 60))
    if span.unit == TimeUnit.WORKING_HOURS:
        if span.value == span.value.to_integral_value():
            return wd.Duration.hours(int(span.value))
        return wd.Duration.minutes(math.ceil(span.value * 60))
    return None


def _civil_add(start: dt.datetime, span: Span, cal: wd.WorkCalendar) -> dt.datetime:
    """Calendar days and months (law.md R10a): from the effective start, ending on the
    next working day when the last day is a day off."""
    if span.unit == TimeUnit.MONTHS:
        return cal.add_months(start, int(span.value), end_of_day=civil_end_of_day())
    return cal.add_calendar_days(start, math.ceil(span.value), end_of_day=civil_end_of_day())


def add(unit: Any, start: dt.datetime, span: Span) -> dt.datetime:
    cal = calendar_for(unit)
    duration = working_duration(span, cal)
    if duration is None:
        return _civil_add(start, span, cal)
    return cal.add(start, duration)


def due_at(
    unit: Any, start: dt.datetime, span: Span, pauses: Sequence[wd.Pause] = ()
) -> dt.datetime | None:
    """Due moment from the reception `start`, with pauses per policy; None while paused."""
    cal = calendar_for(unit)
    duration = working_duration(span, cal)
    policy = pause_policy()
    if duration is None:
        if any(p.end is None for p in pauses):
            return None
        if pauses and policy == wd.PausePolicy.RESTART:
            return _civil_add(max(p.end for p in pauses if p.end), span, cal)
        # Subtract: the waiting time moves the start (then the day-off rule applies).
        extra = sum(((p.end - p.start) for p in pauses if p.end), dt.timedelta())
        return _civil_add(wd.to_local(start) + extra, span, cal)
    return cal.due(start, duration, pauses, policy)


def step_dues(
    unit: Any,
    start: dt.datetime,
    spans: Sequence[tuple[Span, int | None]],
    *,
    within: dt.datetime | None = None,
) -> list[dt.datetime]:
    """Due moment of each step, following each other from `start`; steps of the same
    parallel group start together and share their group's due moment (R3).

    With `within` (the dossier's legal due moment), a plan that would end later is
    scaled onto the working time from `start` to `within`, each step keeping its share,
    so no internal step is ever due after the dossier (law.md R3a): a same-day dossier
    received Mon 14:00, due Mon 17:00, gets its steps inside 14:00-17:00."""
    dues: list[dt.datetime] = []
    current = start
    group_start: dict[int, dt.datetime] = {}
    previous_group: int | None = None
    previous_due = start
    for span, group in spans:
        if group is not None and group == previous_group:
            begin = group_start[group]
        else:
            begin = previous_due if dues else current
            if group is not None:
                group_start[group] = begin
        due = add(unit, begin, span)
        if group is not None and group == previous_group:
            previous_due = max(previous_due, due)
        else:
            previous_due = due
        previous_group = group
        dues.append(due)
    if within is None or not dues or max(dues) <= within:
        return dues
    return _scaled(calendar_for(unit), start, dues, within)


def _scaled(
    cal: wd.WorkCalendar, start: dt.datetime, dues: list[dt.datetime], within: dt.datetime
) -> list[dt.datetime]:
    origin = cal.position(start)
    window = cal.position(within) - origin
    planned = max(cal.position(d) for d in dues) - origin
    if window <= 0 or planned <= 0:
        return [within for _ in dues]
    out = []
    for due in dues:
        offset = (cal.position(due) - origin) * window // planned
        offset -= offset % 60  # whole minutes
        out.append(within if offset >= window else cal.moment(origin + offset))
    return out


# Unit kinds by level of government (org.constants.UnitKind values); other kinds (one-stop
# units, people's committees) take the level of their nearest parent that has one.
_LEVEL_OF_KIND = {
    "province": "province",
    "department": "province",
    "service_center": "province",
    "vertical": "province",
    "district": "district",
    "district_office": "district",
    "commune": "commune",
}
DECREE_118_FROM = dt.date(2025, 7, 1)


def unit_level(unit: Any) -> str:
    seen = 0
    while unit is not None and seen < 20:
        level = _LEVEL_OF_KIND.get(getattr(unit, "kind", ""))
        if level:
            return level
        unit, seen = getattr(unit, "parent", None), seen + 1
    return ""


def paper_transfer_due(d: Any, to_unit: Any = None) -> dt.datetime | None:
    """When the paper of a dossier received at the counter or by post must reach the
    competent body (law.md R10b): the same working day, or the start of the next one when
    received at or after 15:00 (Decree 61/2018 Art. 18(2)-(3); Decree 118/2025 Art.
    18(2)); to a body of another level within 1 working day under Decree 118/2025
    (Art. 20(1)(a)). `to_unit`: the body it is being transferred to (default: the
    competent body). None for online dossiers, or when the receiving unit settles."""
    from motcua.dossiers.constants import Channel

    target = to_unit or d.competent_unit
    if d.received_at is None or d.channel == Channel.ONLINE:
        return None
    if to_unit is None and d.receiving_unit_id == d.competent_unit_id:
        return None
    from motcua.dossiers import rulesets

    rules = rulesets.ruleset_for(getattr(d, "rule_set", ""), d.received_at, None)
    across = rules.effective_from >= DECREE_118_FROM and unit_level(d.receiving_unit) != unit_level(
        target
    )
    return calendar_for(d.receiving_unit).paper_transfer_due(d.received_at, across_levels=across)


def working_days_between(
    unit: Any, start: dt.datetime, end: dt.datetime, *, cal: wd.WorkCalendar | None = None
) -> float:
    """Working days from `start` to `end` on `unit`'s calendar (`cal` when the caller
    already holds it, e.g. a list page that looked up its units' calendars at once)."""
    cal = cal or calendar_for(unit)
    return (cal.position(end) - cal.position(start)) / cal.day_seconds


@dataclass(frozen=True)
class TimeState:
    flag: str  # within / due_soon / overdue / paused / none
    remaining_seconds: int | None
    colour: str
    label: str

    @property
    def remaining_text(self) -> str:
        if self.remaining_seconds is None:
            return ""
        text = wd.format_seconds(abs(self.remaining_seconds))
        return f"quá {text}" if self.remaining_seconds < 0 else f"còn {text}"


def time_state(
    unit: Any,
    due: dt.datetime | None,
    *,
    paused: bool = False,
    now: dt.datetime | None = None,
    cal: wd.WorkCalendar | None = None,
) -> TimeState:
    """Derived flag + remaining working time + colour of a dossier or step (R16)."""
    if due is None and not paused:
        return TimeState("none", None, TIME_COLOUR["none"], str(TIME_LABEL["none"]))
    now = now or timezone.now()
    cal = cal or calendar_for(unit)
    try:
        flag = str(cal.status(now, due, paused=paused))
        remaining = None if (paused or due is None) else cal.remaining_seconds(now, due)
    except wd.CalendarError:
        flag, remaining = "none", None
    return TimeState(flag, remaining, TIME_COLOUR[flag], str(TIME_LABEL[flag]))


def check_extension(
    unit: Any,
    *,
    original_due: dt.datetime,
    new_due: dt.datetime,
    requested_at: dt.datetime,
    already_extended: bool,
) -> dt.datetime:
    """Decree 61/2018 Art. 19(9) checks; raises ExtensionError."""
    return calendar_for(unit).extend(
        original_due=original_due,
        new_due=new_due,
        requested_at=requested_at,
        already_extended=already_extended,
    )


def explain(unit: Any, start: dt.datetime, span: Span, pauses: Sequence[wd.Pause] = ()) -> Any:
    """The calendar's explanation of a due moment, or None when it cannot explain it
    (civil units, a pause still open, outside the calendar's years)."""
    cal = calendar_for(unit)
    duration = working_duration(span, cal)
    if duration is None:
        return None
    try:
        return cal.explain(start, duration, pauses, pause_policy())
    except wd.CalendarError:
        return None
    except Exception:  # an explanation must never break a dossier page
        logger.exception("workdays explanation failed")
        return None


def format_moment(moment: dt.datetime | None) -> str:
    return wd.format_moment(moment) if moment else ""
