"""Processing-time arithmetic for the catalogue (no ORM): legal time units and the
check that an internal process (quy trình nội bộ, Circular 01/2018/TT-VPCP Art. 8;
Decree 118/2025 Art. 12(3)) allocates exactly the legal time (law.md R3) and fits
inside the shortest time the law leaves (law.md R3a).

Sequential steps add up; steps sharing a parallel group (electronic inter-agency
work, all bodies at once) take the longest of the group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
DAYS = "days"
MONTHS = "months"
SAME_DAY = "same_day"
# Hours of the default office day (07:30-11:30, 13:00-17:00; the state agencies'
# 40-hour week, Decision 188/1999/QĐ-TTg, law.md R9). No one-stop decree fixes it.
HOURS_PER_WORKING_DAY = Decimal(8)
# What a same-day dossier received just before the 15:00 cut-off has left: 15:00-17:00
# of the default office day (law.md R10, R3a); callers pass their calendar's figure.
SAME_DAY_WINDOW_HOURS = Decimal(2)


@dataclass(frozen=True)
class StepTime:
    value: Decimal
    unit: str
    parallel_group: int | None = None


def to_working_hours(value: Decimal, unit: str) -> Decimal | None:
    """Working-hour equivalent for units that convert; None for calendar units."""
    if unit == WORKING_HOURS:
        return Decimal(value)
    if unit == WORKING_DAYS:
        return Decimal(value) * HOURS_PER_WORKING_DAY
    if unit == SAME_DAY:
        return HOURS_PER_WORKING_DAY
    return None


def _in_unit(value: Decimal, unit: str, target: str) -> Decimal | None:
    if unit == target:
        return Decimal(value)
    hours = to_working_hours(value, unit)
    target_hours = to_working_hours(Decimal(1), target)
    if hours is None or target_hours is None or target == SAME_DAY:
        return None
    return hours / target_hours


def process_total(steps: Iterable[StepTime], unit: str) -> Decimal | None:
    """Total time of the steps expressed in `unit` (None if some unit cannot convert)."""
    target = WORKING_HOURS if unit == SAME_DAY else unit
    sequential = Decimal(0)
    groups: dict[int, Decimal] = {}
    for step in steps:
        value = _in_unit(step.value, step.unit, target)
        if value is None:
            return None
        if step.parallel_group is None:
            sequential += value
        else:
            groups[step.parallel_group] = max(groups.get(step.parallel_group, Decimal(0)), value)
    return sequential + sum(groups.values(), Decimal(0))


def validate_process(
    steps: list[StepTime],
    legal_value: Decimal,
    legal_unit: str,
    *,
    same_day_hours: Decimal = SAME_DAY_WINDOW_HOURS,
) -> list[str]:
    """Vietnamese messages; empty when the steps allocate exactly the legal time. A
    same-day procedure's steps must fit in `same_day_hours`, the time from the cut-off
    to the close, or a dossier received just before 15:00 could not be settled that
    day (law.md R3a, R10)."""
    if not steps:
        return []
    total = process_total(steps, legal_unit)
    if total is None:
        return [
            "Không thể quy đổi thời gian các bước sang đơn vị của thời hạn giải quyết; "
            "hãy dùng cùng đơn vị."
        ]
    if legal_unit == SAME_DAY:
        if total > same_day_hours:
            return [
                f"Tổng thời gian các bước ({total.normalize():f} giờ) vượt quá "
                f"{Decimal(same_day_hours).normalize():f} giờ: hồ sơ tiếp nhận ngay trước "
                "giờ chốt 15 giờ phải được giải quyết xong trong ngày."
            ]
        return []
    if total != Decimal(legal_value):
        return [
            f"Tổng thời gian các bước ({total.normalize():f}) khác thời hạn giải quyết "
            f"theo quy định ({Decimal(legal_value).normalize():f})."
        ]
    return []
