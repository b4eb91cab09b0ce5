"""Small builders for monitoring tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from motcua.monitoring.indicators import DossierFacts, UnitCounts
from motcua.monitoring.models import UnitDayStats
from motcua.monitoring.services import month_stats_refresh

TZ = dt.timezone(dt.timedelta(hours=7))


def at(day: int, hour: int = 9, month: int = 3, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def codes(n: int, prefix: str = "P") -> frozenset[str]:
    return frozenset(f"{prefix}{i}" for i in range(n))


def dossier(**kwargs) -> DossierFacts:
    base: dict[str, Any] = {
        "procedure_code": "1.000001",
        "received_at": at(2),
        "due_at": at(10, 17),
    }
    base.update(kwargs)
    return DossierFacts(**base)


def insert_rows(unit, code: str, day: dt.date, counts: UnitCounts) -> UnitDayStats:
    row = UnitDayStats.objects.create(
        unit=unit,
        procedure_code=code,
        day=day,
        **counts.counters(),
        **counts.catalogue_flags(code),
    )
    month_stats_refresh(unit=unit, procedure_code=code, day=day)  # keep the roll-up equal
    return row


def insert_parts(unit, day: dt.date, parts: dict[str, UnitCounts]) -> None:
    for code, counts in parts.items():
        insert_rows(unit, code, day, counts)


def insert_counters(unit, day: dt.date, code: str = "P1", **counters: int) -> UnitDayStats:
    row = UnitDayStats.objects.create(unit=unit, procedure_code=code, day=day, **counters)
    month_stats_refresh(unit=unit, procedure_code=code, day=day)
    return row


def all_days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def catalogue_reference(unit: Any, start: dt.date, end: dt.date) -> dict[str, frozenset[str]]:
    """Brute force of the per-unit catalogue state (`catalogue_state`): the state flags
    of every procedure in the competence of `unit`'s subtree on some day of [start,
    end], read with the catalogue's own selectors (`competences_on`, `version_in_force`)
    on every day where a version or a competence starts or ends."""
    from motcua.catalog.models import Competence, Procedure, ProcedureVersion
    from motcua.catalog.selectors import competences_on, version_in_force
    from motcua.monitoring.catalogue_state import STATE_FLAGS, version_flags

    days = {start}
    for a, b in [
        *ProcedureVersion.objects.values_list("effective_from", "effective_to"),
        *Competence.objects.values_list("valid_from", "valid_to"),
    ]:
        days |= {d for d in (a, b and b + dt.timedelta(days=1)) if d and start <= d <= end}
    out: dict[str, set[str]] = {name: set() for name in STATE_FLAGS}
    for procedure in Procedure.objects.all():
        for day in sorted(days):
            competent = [
                c
                for c in competences_on(procedure, day)
                if c.is_competent and c.unit.path.startswith(unit.path)
            ]
            version = version_in_force(procedure, day)
            if not competent or version is None:
                continue
            for _pk, code, _n, flags in version_flags(
                ProcedureVersion.objects.filter(pk=version.pk)
            ):
                for name in STATE_FLAGS:
                    if flags[name]:
                        out[name].add(code)
    return {name: frozenset(found) for name, found in out.items()}
