"""Statistic periods (law.md §4.7): week, month, quarter, six/nine months, year, custom.
Pure date arithmetic, no ORM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


class PeriodError(ValueError):
    pass


PERIOD_KINDS = ("week", "month", "quarter", "half", "nine_months", "year", "custom")


@dataclass(frozen=True)
class Period:
    """Inclusive range of calendar days [start, end]."""

    start: dt.date
    end: dt.date
    kind: str = "custom"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError("end before start")

    def __contains__(self, day: object) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def period_for(kind: str, anchor: dt.date) -> Period:
    """The period of `kind` that contains `anchor` (weeks start on Monday)."""
    if kind == "week":
        start = anchor - dt.timedelta(days=anchor.weekday())
        return Period(start, start + dt.timedelta(days=6), kind)
    if kind == "month":
        return Period(anchor.replace(day=1), _month_end(anchor.year, anchor.month), kind)
    if kind == "quarter":
        first = 3 * ((anchor.month - 1) // 3) + 1
        return Period(dt.date(anchor.year, first, 1), _month_end(anchor.year, first + 2), kind)
    if kind == "half":
        first = 1 if anchor.month <= 6 else 7
        return Period(dt.date(anchor.year, first, 1), _month_end(anchor.year, first + 5), kind)
    if kind == "nine_months":
        return Period(dt.date(anchor.year, 1, 1), dt.date(anchor.year, 9, 30), kind)
    if kind == "year":
        return Period(dt.date(anchor.year, 1, 1), dt.date(anchor.year, 12, 31), kind)
    raise PeriodError(f"unknown period kind: {kind}")
