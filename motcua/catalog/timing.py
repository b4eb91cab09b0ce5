"""Processing-time arithmetic for the catalogue (no ORM): legal time units and the
check that an internal process (quy trình nội bộ, Circular 01/2018/TT-VPCP Art. 8)
allocates exactly the legal time (domain.md R3).

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
HOURS_PER_WORKING_DAY = Decimal(8)  # Decree 61/2018: working hours per working day


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


def validate_process(steps: list[StepTime], legal_value: Decimal, legal_unit: str) -> list[str]:
    """Vietnamese messages; empty when the steps allocate exactly the legal time
    (for same-day procedures: at most one working day of 8 hours)."""
    if not steps:
        return []
    total = process_total(steps, legal_unit)
    if total is None:
        return [
            "Không thể quy đổi thời gian các bước sang đơn vị của thời hạn giải quyết; "
            "hãy dùng cùng đơn vị."
        ]
    if legal_unit == SAME_DAY:
        if total > HOURS_PER_WORKING_DAY:
            return [f"Tổng thời gian các bước ({total:g} giờ) vượt quá một ngày làm việc."]
        return []
    if total != Decimal(legal_value):
        return [
            f"Tổng thời gian các bước ({total.normalize():f}) khác thời hạn giải quyết "
            f"theo quy định ({Decimal(legal_value).normalize():f})."
        ]
    return []
