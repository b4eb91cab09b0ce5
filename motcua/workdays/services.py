"""Writes to the working-day calendar. Each one checks that the actor administers the
calendar, writes, logs the change (DayOverrideChange + audit entry) and bumps the
calendar version so that cached indexes are rebuilt (docs/workdays.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import units_visible_to, user_roles
from motcua.workdays.models import (
    CalendarVersion,
    DayOverride,
    DayOverrideChange,
    OfficeHours,
    OverrideKind,
)

DEFAULT_DAY_OFF_REASON = "Nghỉ theo lịch nghỉ chính thức"
DEFAULT_WORKING_DAY_REASON = "Làm việc bù (hoán đổi ngày làm việc)"


def _audit(**kwargs: Any) -> None:
    from motcua.core.audit import audit_record  # lazy: keeps this module importable early

    audit_record(**kwargs)


def can_administer(actor: Any, unit: OrgUnit | None = None) -> bool:
    """Administrators edit the calendar: the national part needs an administrator role,
    a unit's local part an administrator who sees that unit. `actor=None` is the CLI."""
    if actor is None:
        return True
    if getattr(actor, "is_superuser", False):
        return True
    if Role.ADMINISTRATOR not in user_roles(actor):
        return False
    return unit is None or units_visible_to(actor).filter(pk=unit.pk).exists()


def _check(actor: Any, unit: OrgUnit | None) -> None:
    if not can_administer(actor, unit):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được sửa lịch làm việc."))


def _bump_version() -> None:
    updated = CalendarVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        CalendarVersion.objects.create(pk=1, version=1)


def _log(
    *,
    actor: Any,
    action: str,
    day: dt.date,
    unit: OrgUnit | None,
    before: dict[str, str] | None,
    after: dict[str, str] | None,
    obj: DayOverride | None,
    note: str = "",
) -> None:
    DayOverrideChange.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        date=day,
        unit_code=unit.code if unit else "",
        before=before,
        after=after,
        note=note[:255],
    )
    _audit(
        action=f"workdays.override_{action}",
        actor=actor,
        obj=obj,
        before=before,
        after=after,
        unit_code=unit.code if unit else "",
        object_repr=f"{day:%d/%m/%Y}",
    )


def _upsert(
    *,
    actor: Any,
    day: dt.date,
    kind: str,
    reason: str,
    legal_basis: str,
    unit: OrgUnit | None,
    note: str = "",
) -> DayOverride:
    if kind not in OverrideKind.values:
        raise ValidationError(_("Loại ngày không hợp lệ."))
    if not reason.strip():
        raise ValidationError(_("Cần ghi lý do."))
    existing = DayOverride.objects.filter(date=day, unit=unit).first()
    before = existing.snapshot() if existing else None
    row = existing or DayOverride(date=day, unit=unit)
    row.kind, row.reason, row.legal_basis = kind, reason.strip(), legal_basis.strip()
    row.save()
    after = row.snapshot()
    if before != after:
        action = DayOverrideChange.Action.UPDATE if existing else DayOverrideChange.Action.CREATE
        _log(
            actor=actor,
            action=action,
            day=day,
            unit=unit,
            before=before,
            after=after,
            obj=row,
            note=note,
        )
    return row


@transaction.atomic
def day_override_save(
    *,
    actor: Any,
    date: dt.date,
    kind: str,
    reason: str,
    legal_basis: str = "",
    unit: OrgUnit | None = None,
) -> DayOverride:
    """Add (or change) one day of the official calendar."""
    _check(actor, unit)
    row = _upsert(
        actor=actor, day=date, kind=kind, reason=reason, legal_basis=legal_basis, unit=unit
    )
    _bump_version()
    return row


@transaction.atomic
def day_override_delete(*, actor: Any, override: DayOverride) -> None:
    _check(actor, override.unit)
    before = override.snapshot()
    _log(
        actor=actor,
        action=DayOverrideChange.Action.DELETE,
        day=override.date,
        unit=override.unit,
        before=before,
        after=None,
        obj=override,
    )
    override.delete()
    _bump_version()


@dataclass(frozen=True)
class ImportEntry:
    date: dt.date
    kind: str
    reason: str


@dataclass(frozen=True)
class ImportResult:
    years: tuple[int, ...]
    created_or_updated: int
    deleted: int


def _parse_entries(data: Mapping[str, Any], key: str, kind: str, default: str) -> list[ImportEntry]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise ValidationError(_("'%(key)s' phải là một danh sách.") % {"key": key})
    reasons = data.get("reasons") or {}
    entries = []
    for item in raw:
        reason = default
        if isinstance(item, Mapping):
            text, reason = str(item.get("date", "")), str(item.get("reason") or default)
        else:
            text = str(item)
            reason = str(reasons.get(text) or default)
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise ValidationError(
                _("Ngày không hợp lệ: %(value)s (cần dạng YYYY-MM-DD).") % {"value": text}
            ) from exc
        entries.append(ImportEntry(day, kind, reason))
    return entries


def parse_import(data: Any) -> tuple[list[ImportEntry], str, set[int]]:
    """Validate an import document (format in docs/workdays.md) without writing."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("Tệp phải là một đối tượng JSON."))
    unknown = set(data) - {"days_off", "working_days", "basis", "year", "reasons"}
    if unknown:
        raise ValidationError(
            _("Khóa không được hỗ trợ: %(keys)s") % {"keys": ", ".join(sorted(unknown))}
        )
    entries = _parse_entries(data, "days_off", OverrideKind.DAY_OFF, DEFAULT_DAY_OFF_REASON)
    entries += _parse_entries(
        data, "working_days", OverrideKind.WORKING_DAY, DEFAULT_WORKING_DAY_REASON
    )
    dates = [e.date for e in entries]
    if len(dates) != len(set(dates)):
        raise ValidationError(_("Một ngày xuất hiện nhiều lần trong tệp."))
    years = {d.year for d in dates}
    if data.get("year") is not None:
        try:
            year = int(data["year"])
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("Năm không hợp lệ.")) from exc
        if years - {year}:
            raise ValidationError(_("Có ngày không thuộc năm %(year)s.") % {"year": year})
        years = {year}
    if not years:
        raise ValidationError(_("Tệp không có ngày nào."))
    return entries, str(data.get("basis") or ""), years


@transaction.atomic
def overrides_import(
    *, actor: Any, data: Any, unit: OrgUnit | None = None, replace: bool = False
) -> ImportResult:
    """Load `{"days_off": [...], "working_days": [...], "basis": "..."}`. With
    `replace`, the overrides of the years in the file (same scope) are deleted first,
    so that a corrected official calendar for a year replaces the old one."""
    _check(actor, unit)
    entries, basis, years = parse_import(data)
    deleted = 0
    new_dates = {e.date for e in entries}
    if replace:
        for row in DayOverride.objects.filter(year__in=years, unit=unit):
            if row.date in new_dates:
                continue  # updated in place below, logged as an update
            _log(
                actor=actor,
                action=DayOverrideChange.Action.DELETE,
                day=row.date,
                unit=unit,
                before=row.snapshot(),
                after=None,
                obj=row,
                note="import --replace",
            )
            row.delete()
            deleted += 1
    for entry in entries:
        _upsert(
            actor=actor,
            day=entry.date,
            kind=entry.kind,
            reason=entry.reason,
            legal_basis=basis,
            unit=unit,
            note="import",
        )
    _bump_version()
    return ImportResult(tuple(sorted(years)), len(entries), deleted)


@transaction.atomic
def office_hours_save(
    *,
    actor: Any,
    unit: OrgUnit | None,
    morning_start: dt.time,
    morning_end: dt.time,
    afternoon_start: dt.time,
    afternoon_end: dt.time,
    same_day_cutoff: dt.time,
) -> OfficeHours:
    """Set the office hours of a unit (or the default when `unit` is None)."""
    _check(actor, unit)
    if not (morning_start < morning_end <= afternoon_start < afternoon_end):
        raise ValidationError(_("Giờ làm việc phải theo thứ tự sáng trước, chiều sau."))
    if not (morning_start <= same_day_cutoff <= afternoon_end):
        raise ValidationError(_("Giờ chốt phải nằm trong giờ làm việc."))
    row = OfficeHours.objects.filter(unit=unit).first() or OfficeHours(unit=unit)
    before = row.snapshot() if row.pk else None
    row.morning_start, row.morning_end = morning_start, morning_end
    row.afternoon_start, row.afternoon_end = afternoon_start, afternoon_end
    row.same_day_cutoff = same_day_cutoff
    row.save()
    _audit(
        action="workdays.office_hours_save",
        actor=actor,
        obj=row,
        before=before,
        after=row.snapshot(),
        unit_code=unit.code if unit else "",
    )
    _bump_version()
    return row


@transaction.atomic
def office_hours_reset(*, actor: Any, unit: OrgUnit) -> None:
    """Drop a unit's own hours so it follows its parent's or the default again."""
    _check(actor, unit)
    row = OfficeHours.objects.filter(unit=unit).first()
    if row is None:
        return
    _audit(
        action="workdays.office_hours_reset",
        actor=actor,
        obj=row,
        before=row.snapshot(),
        after=None,
        unit_code=unit.code,
    )
    row.delete()
    _bump_version()


def units_for_admin(actor: Any) -> Iterable[OrgUnit]:
    if actor is None or getattr(actor, "is_superuser", False):
        return OrgUnit.objects.all()
    return units_visible_to(actor)
