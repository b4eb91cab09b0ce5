"""Form II.06a/VPCP/KSTT "Tình hình, kết quả giải quyết TTHC" (law.md §13.2): the 13
columns per field of procedures, with its invariants. Pure module (no ORM).

Columns (numbers as in the form):
 3 received = 4 online + 5 in person/postal + 6 carried over from the previous period
 7 resolved in the period = 8 early + 9 on time + 10 late
11 still in progress at the end of the period = 12 within time + 13 overdue
and 3 = 7 + 11.

Choices where the template is silent (documented in docs/monitoring.md):
- "resolved" = processing ended in the period: processed, returned, refused/stopped or
  withdrawn (one implementation counts withdrawn dossiers in col 9, "on time");
  refusals and withdrawals are counted on time (col 9) — they are not late results;
- early/on time/late compare calendar days (Circular 01/2018 Art. 13(1)) between the end
  of processing and the first appointment (an extension with apology stays late);
- a dossier awaiting a supplement at the period end is "within time" (col 12, as the
  template's note says).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from motcua.monitoring.periods import Period

COLUMNS = (
    "received",  # 3
    "online",  # 4
    "in_person",  # 5
    "carried_over",  # 6
    "resolved",  # 7
    "early",  # 8
    "on_time",  # 9
    "late",  # 10
    "in_progress",  # 11
    "within",  # 12
    "overdue",  # 13
)


@dataclass(frozen=True)
class Form06aInput:
    group: str  # column 2: field of procedures (lĩnh vực)
    online: bool
    received_at: dt.datetime
    ended_at: dt.datetime | None  # end of processing (any terminal status)
    ended_late_ok: bool  # refused / withdrawn: never "late"
    due_at: dt.datetime | None
    paused: bool  # awaiting a supplement / financial obligation at the period end


@dataclass
class Form06aRow:
    number: int
    group: str
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    def __getitem__(self, key: str) -> int:
        return self.values[key]

    def cells(self) -> list[int]:
        return [self.values[c] for c in COLUMNS]


def vi_key(text: str) -> tuple[str, str]:
    """Sort key close to Vietnamese alphabetical order (Đ after D, marks ignored first)."""
    base = unicodedata.normalize("NFD", text.lower().replace("đ", "d\uffff"))
    return "".join(ch for ch in base if not unicodedata.combining(ch)), text


def _local_date(moment: dt.datetime, tz: dt.tzinfo | None) -> dt.date:
    return moment.astimezone(tz).date() if tz else moment.date()


def compute(
    items: Iterable[Form06aInput], period: Period, tz: dt.tzinfo | None = None
) -> tuple[list[Form06aRow], Form06aRow]:
    """Rows per group (sorted by name) and the total row."""
    end_instant = dt.datetime.combine(period.end, dt.time.max, tzinfo=tz)
    groups: dict[str, Form06aRow] = {}
    for item in items:
        received_day = _local_date(item.received_at, tz)
        if received_day > period.end:
            continue
        ended_day = _local_date(item.ended_at, tz) if item.ended_at else None
        if ended_day is not None and ended_day < period.start:
            continue  # finished before the period: not in this report
        row = groups.setdefault(item.group, Form06aRow(0, item.group))
        v = row.values
        v["received"] += 1
        if received_day < period.start:
            v["carried_over"] += 1
        elif item.online:
            v["online"] += 1
        else:
            v["in_person"] += 1
        if ended_day is not None and ended_day <= period.end:
            v["resolved"] += 1
            due_day = _local_date(item.due_at, tz) if item.due_at else None
            if item.ended_late_ok or due_day is None:
                v["on_time"] += 1
            elif ended_day < due_day:
                v["early"] += 1
            elif ended_day == due_day:
                v["on_time"] += 1
            else:
                v["late"] += 1
        else:
            v["in_progress"] += 1
            if item.paused or item.due_at is None or item.due_at >= end_instant:
                v["within"] += 1
            else:
                v["overdue"] += 1
    rows = sorted(groups.values(), key=lambda r: vi_key(r.group))
    total = Form06aRow(0, "Tổng cộng")
    for i, row in enumerate(rows, start=1):
        row.number = i
        for c in COLUMNS:
            total.values[c] += row.values[c]
    return rows, total


def invariant_errors(row: Form06aRow) -> list[str]:
    """The form's invariants (law.md §13.2); empty when the row is consistent."""
    v = row.values
    errors = []
    if v["received"] != v["online"] + v["in_person"] + v["carried_over"]:
        errors.append("(3) ≠ (4) + (5) + (6)")
    if v["received"] != v["resolved"] + v["in_progress"]:
        errors.append("(3) ≠ (7) + (11)")
    if v["resolved"] != v["early"] + v["on_time"] + v["late"]:
        errors.append("(7) ≠ (8) + (9) + (10)")
    if v["in_progress"] != v["within"] + v["overdue"]:
        errors.append("(11) ≠ (12) + (13)")
    return errors
