"""Recompute policy for appointments already issued to citizens (issue 13 point 4).

Editing the calendar never changes an issued appointment by itself (law.md §9.2:
"deadlines already issued are not recomputed … unless the authority decides so").
Apps that issue appointments (dossiers, steps) register a provider; the command
`motcua workdays_recompute` lists the appointments whose due moment would change under
the current calendar, and `--apply` (an administrator's decision) writes them through
the provider, with one audit entry per change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.workdays.calendar import AppointmentChange, IssuedAppointment, changed_appointments
from motcua.workdays.selectors import get_calendar
from motcua.workdays.services import can_administer


class AppointmentProvider(Protocol):
    """What an app that issues appointments implements (see docs/workdays.md)."""

    name: str

    def issued_appointments(self) -> Iterable[IssuedAppointment]:
        """Open items with an appointment already issued (id, start, duration, pauses,
        policy, issued due, unit code)."""
        ...

    def apply_change(self, change: AppointmentChange, *, actor: Any) -> None:
        """Store `change.new_due` as the item's appointment (and notify / sync)."""
        ...


_PROVIDERS: dict[str, AppointmentProvider] = {}


def register_provider(provider: AppointmentProvider) -> None:
    _PROVIDERS[provider.name] = provider


def unregister_provider(name: str) -> None:
    _PROVIDERS.pop(name, None)


def providers() -> list[AppointmentProvider]:
    return list(_PROVIDERS.values())


@dataclass(frozen=True)
class ProviderChange:
    provider: str
    change: AppointmentChange


def appointments_check(items: Iterable[IssuedAppointment]) -> list[AppointmentChange]:
    """Which of `items` would get another due moment under today's calendar; items are
    grouped by unit so that each unit's index is fetched once."""
    by_unit: dict[str | None, list[IssuedAppointment]] = {}
    for item in items:
        by_unit.setdefault(item.unit_code or None, []).append(item)
    changes: list[AppointmentChange] = []
    for unit_code, group in by_unit.items():
        changes += changed_appointments(get_calendar(unit_code), group)
    return changes


def _iter_changes(selected: Iterable[AppointmentProvider]) -> Iterator[ProviderChange]:
    for provider in selected:
        for change in appointments_check(provider.issued_appointments()):
            yield ProviderChange(provider.name, change)


APPLY_BATCH = 100


def appointments_recompute(
    *, actor: Any = None, apply: bool = False, names: Iterable[str] | None = None
) -> list[ProviderChange]:
    """List (and with `apply`, write) the appointments the calendar now computes
    differently. Items still waiting for a supplement are not listed."""
    wanted = set(names) if names is not None else None
    selected = [p for p in providers() if wanted is None or p.name in wanted]
    changes = list(_iter_changes(selected))
    if not apply:
        return changes
    if not can_administer(actor):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được cập nhật ngày hẹn."))
    from motcua.core.audit import audit_record

    by_name = {p.name: p for p in selected}
    # Small transactions (issue 18: on SQLite no write may wait behind a long one); a
    # run stopped half-way is finished by running it again (what is done is not listed).
    for start in range(0, len(changes), APPLY_BATCH):
        with transaction.atomic():
            for item in changes[start : start + APPLY_BATCH]:
                change = item.change
                by_name[item.provider].apply_change(change, actor=actor)
                audit_record(
                    action="workdays.appointment_recompute",
                    actor=actor,
                    before={"due": change.appointment.issued_due.isoformat()},
                    after={"due": change.new_due.isoformat()},
                    unit_code=change.appointment.unit_code or "",
                    object_repr=f"{item.provider}:{change.appointment.id}",
                )
    return changes
