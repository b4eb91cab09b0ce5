"""A small cron-like schedule language and slot arithmetic (pure logic, no ORM).

Specs (case-insensitive, an optional IANA time zone at the end, default TIME_ZONE):

    every 15 minutes            slots aligned to the Unix epoch (…:00, :15, :30, :45)
    every 2 hours
    daily at 02:30
    weekly on friday at 16:00 Asia/Ho_Chi_Minh

A *slot* is the scheduled start instant of one run. `latest_slot(spec, now)` is the
most recent slot at or before `now`; the scheduler enqueues that slot once (the
(job, slot) pair is unique in the database), so a restart neither skips the current
slot nor runs it twice. Slots missed while the scheduler was down are coalesced into
the latest one: periodic tasks work on the current state, so one late run suffices.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}

_EVERY = re.compile(r"^every\s+(\d+)\s+(minute|minutes|hour|hours)$")
_DAILY = re.compile(r"^daily\s+at\s+(\d{1,2}):(\d{2})$")
_WEEKLY = re.compile(r"^weekly\s+on\s+([a-z]+)\s+at\s+(\d{1,2}):(\d{2})$")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    """Parsed spec. kind is "every", "daily" or "weekly"."""

    kind: str
    tz: ZoneInfo
    interval: dt.timedelta | None = None
    at: dt.time | None = None
    weekday: int | None = None
    spec: str = ""

    def __str__(self) -> str:
        return self.spec


def parse_schedule(spec: str, default_tz: str = "Asia/Ho_Chi_Minh") -> Schedule:
    text = " ".join(spec.strip().split())
    tz_name = default_tz
    parts = text.split(" ")
    if "/" in parts[-1] or parts[-1].upper() == "UTC":
        tz_name = parts[-1]
        text = " ".join(parts[:-1])
    try:
        tz = ZoneInfo(tz_name)
    except Exception as exc:
        raise ScheduleError(f"Unknown time zone in schedule {spec!r}") from exc
    lowered = text.lower()

    if match := _EVERY.match(lowered):
        amount = int(match.group(1))
        if amount <= 0:
            raise ScheduleError(f"Interval must be positive in {spec!r}")
        unit = match.group(2)
        interval = (
            dt.timedelta(minutes=amount)
            if unit.startswith("minute")
            else dt.timedelta(hours=amount)
        )
        return Schedule(kind="every", tz=tz, interval=interval, spec=spec)
    if match := _DAILY.match(lowered):
        return Schedule(
            kind="daily", tz=tz, at=_time(match.group(1), match.group(2), spec), spec=spec
        )
    if match := _WEEKLY.match(lowered):
        day = match.group(1)
        if day not in WEEKDAYS:
            raise ScheduleError(f"Unknown weekday {day!r} in {spec!r}")
        return Schedule(
            kind="weekly",
            tz=tz,
            at=_time(match.group(2), match.group(3), spec),
            weekday=WEEKDAYS[day],
            spec=spec,
        )
    raise ScheduleError(
        f"Cannot parse schedule {spec!r}; use 'every N minutes|hours', "
        "'daily at HH:MM' or 'weekly on <weekday> at HH:MM' (optional time zone)"
    )


def _time(hours: str, minutes: str, spec: str) -> dt.time:
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ScheduleError(f"Invalid time in {spec!r}")
    return dt.time(h, m)


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")


def _local_at(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=tz)


def latest_slot(schedule: Schedule, now: dt.datetime) -> dt.datetime:
    """The most recent slot start at or before `now`, as an aware UTC datetime."""
    _require_aware(now)
    now_utc = now.astimezone(dt.UTC)
    if schedule.kind == "every":
        assert schedule.interval is not None
        step = schedule.interval
        periods = (now_utc - _EPOCH) // step
        return _EPOCH + periods * step
    assert schedule.at is not None
    local_now = now_utc.astimezone(schedule.tz)
    day = local_now.date()
    if schedule.kind == "daily":
        candidate = _local_at(day, schedule.at, schedule.tz)
        if candidate > local_now:
            candidate = _local_at(day - dt.timedelta(days=1), schedule.at, schedule.tz)
        return candidate.astimezone(dt.UTC)
    assert schedule.weekday is not None
    back = (day.weekday() - schedule.weekday) % 7
    candidate = _local_at(day - dt.timedelta(days=back), schedule.at, schedule.tz)
    if candidate > local_now:
        candidate = _local_at(day - dt.timedelta(days=back + 7), schedule.at, schedule.tz)
    return candidate.astimezone(dt.UTC)


def next_slot(schedule: Schedule, now: dt.datetime) -> dt.datetime:
    """The first slot strictly after `now` (UTC)."""
    _require_aware(now)
    latest = latest_slot(schedule, now)
    if schedule.kind == "every":
        assert schedule.interval is not None
        return latest + schedule.interval
    days = 1 if schedule.kind == "daily" else 7
    local = latest.astimezone(schedule.tz)
    assert schedule.at is not None
    following = _local_at(local.date() + dt.timedelta(days=days), schedule.at, schedule.tz)
    return following.astimezone(dt.UTC)


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Schedule
    task_path: str


def parse_jobs(
    declarations: list[tuple[str, str, str]], default_tz: str = "Asia/Ho_Chi_Minh"
) -> list[Job]:
    """Validate (name, spec, task path) declarations: unique names, parseable specs."""
    jobs: list[Job] = []
    seen: set[str] = set()
    for name, spec, task_path in declarations:
        if name in seen:
            raise ScheduleError(f"Duplicate job name {name!r}")
        seen.add(name)
        jobs.append(Job(name=name, schedule=parse_schedule(spec, default_tz), task_path=task_path))
    return jobs
