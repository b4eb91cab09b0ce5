"""Recompute provider for issued dossier appointments (issue 13, point 4).

Editing the working-day calendar never changes an appointment already given to a
citizen by itself (law.md §9.2). `motcua workdays_recompute` asks this provider for
the open dossiers' appointments, lists those the current calendar computes differently,
and — on an administrator's decision (`--apply`) — writes the new appointment here, with
a dossier event; motcua.workdays.recompute writes the audit entry.

Left out on purpose: dossiers extended with an apology (Form 04 fixed a new date with
the citizen, Decree 61/2018 Art. 19(9)), dossiers with a financial-obligation pause
(its subtraction rule is the dossier app's own), and processing times in calendar days
or months (the working-day calendar does not change them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from motcua.catalog.constants import TimeUnit
from motcua.dossiers import deadlines
from motcua.dossiers.constants import PauseKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import OPEN
from motcua.workdays import calendar as wd

WORKING_UNITS = {TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS, TimeUnit.SAME_DAY}


class DossierAppointments:
    name = "dossiers"

    def issued_appointments(self) -> Iterator[wd.IssuedAppointment]:
        dossiers = (
            Dossier.objects.filter(status__in=OPEN, due_at__isnull=False, received_at__isnull=False)
            .filter(extended_at__isnull=True)
            .exclude(pauses__kind=PauseKind.FINANCIAL)
            .select_related("procedure_version", "case", "receiving_unit")
            .prefetch_related("pauses")
            .order_by("pk")
        )
        policy = deadlines.pause_policy()
        for dossier in dossiers.iterator(chunk_size=2000):
            span = deadlines.span_of(dossier.procedure_version, dossier.case)
            if span.unit not in WORKING_UNITS or span.is_zero:
                continue
            duration = deadlines.working_duration(
                span, deadlines.calendar_for(dossier.receiving_unit)
            )
            if duration is None:
                continue
            assert dossier.received_at is not None and dossier.due_at is not None
            yield wd.IssuedAppointment(
                id=str(dossier.pk),
                start=dossier.received_at,
                duration=duration,
                issued_due=dossier.due_at,
                pauses=tuple(wd.Pause(p.started_at, p.ended_at) for p in dossier.pauses.all()),
                policy=policy,
                unit_code=dossier.receiving_unit.code,
                label=dossier.code or "",
            )

    def apply_change(self, change: wd.AppointmentChange, *, actor: Any) -> None:
        """Store the new appointment with an event; a dossier edited meanwhile (its due
        moment no longer the one listed) is left alone rather than overwritten."""
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().get(pk=int(change.appointment.id))
            if dossier.due_at != change.appointment.issued_due:
                return
            Dossier.objects.filter(pk=dossier.pk, version=dossier.version).update(
                due_at=change.new_due, version=F("version") + 1
            )
            DossierEvent.objects.create(
                dossier=dossier,
                at=timezone.now(),
                actor=actor if getattr(actor, "pk", None) else None,
                unit=dossier.receiving_unit,
                action="reschedule",
                from_status=dossier.status,
                to_status=dossier.status,
                reason="Điều chỉnh ngày hẹn trả do thay đổi lịch làm việc",
                payload={
                    "old_due": change.appointment.issued_due.isoformat(),
                    "new_due": change.new_due.isoformat(),
                },
            )
