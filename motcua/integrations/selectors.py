"""Reads for the integration pages: dead letters, outbox overview, reconciliation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.integrations.models import OutboxMessage, OutboxStatus, Service
from motcua.integrations.snapshot import UNCODED_SYNCED
from motcua.org.models import OrgUnit


def dead_letters(units: QuerySet[OrgUnit]) -> QuerySet[OutboxMessage]:
    return (
        OutboxMessage.objects.filter(status=OutboxStatus.DEAD, unit__in=units)
        .select_related("unit")
        .order_by("-dead_at", "-pk")
    )


def outbox_counts(units: QuerySet[OrgUnit]) -> dict[str, int]:
    rows = (
        OutboxMessage.objects.filter(unit__in=units)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {s.value: 0 for s in OutboxStatus}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def dossier_messages(dossier_id: int) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(dossier_id=dossier_id).order_by("seq")


@dataclass
class ReconRow:
    unit: OrgUnit | None
    expected: int = 0  # dossiers that must be synced (reception date in the period)
    synced: int = 0  # at least one DongBoHoSoMC acknowledged (KPI 1.4 numerator)
    up_to_date: int = 0  # every message acknowledged
    pending: int = 0
    dead: int = 0
    missing: list[str] = field(default_factory=list)  # codes not acknowledged yet

    @property
    def ratio(self) -> float:
        """KPI 1.4 sync ratio in percent (law.md §4.4); 100 when nothing is due."""
        return round(100.0 * self.synced / self.expected, 2) if self.expected else 100.0


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return lo, hi


def expected_dossiers(units: QuerySet[OrgUnit], start: dt.date, end: dt.date) -> QuerySet[Dossier]:
    """Dossiers the national portal must know about, by reception date (KPI 1.4):
    every received dossier of any channel, plus those refused or withdrawn before
    reception (dated by submission)."""
    lo, hi = _bounds(start, end)
    return Dossier.objects.filter(receiving_unit__in=units).filter(
        Q(code__isnull=False, received_at__gte=lo, received_at__lt=hi)
        | Q(
            code__isnull=True,
            status__in=list(UNCODED_SYNCED),
            submitted_at__gte=lo,
            submitted_at__lt=hi,
        )
    )


def reconciliation(
    units: QuerySet[OrgUnit], start: dt.date, end: dt.date
) -> tuple[list[ReconRow], ReconRow]:
    dossiers = list(
        expected_dossiers(units, start, end)
        .select_related("receiving_unit")
        .values_list("pk", "code", "receiving_unit_id")
    )
    ids = [d[0] for d in dossiers]
    per: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for agg in (
        OutboxMessage.objects.filter(dossier_id__in=ids)
        .values("dossier_id", "service", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        per[agg["dossier_id"]][f"{agg['service']}:{agg['status']}"] += agg["n"]
        per[agg["dossier_id"]][agg["status"]] += agg["n"]
    unit_map = {u.pk: u for u in OrgUnit.objects.filter(pk__in={d[2] for d in dossiers})}
    rows: dict[int, ReconRow] = {}
    total = ReconRow(unit=None)
    for pk, code, unit_id in dossiers:
        row = rows.setdefault(unit_id, ReconRow(unit=unit_map[unit_id]))
        stats = per.get(pk, {})
        synced = stats.get(f"{Service.DOSSIER}:{OutboxStatus.DELIVERED}", 0) > 0
        pending = stats.get(OutboxStatus.PENDING, 0) > 0
        dead = stats.get(OutboxStatus.DEAD, 0) > 0
        for r in (row, total):
            r.expected += 1
            r.synced += synced
            r.up_to_date += synced and not pending and not dead
            r.pending += pending
            r.dead += dead
            if not synced:
                r.missing.append(code or f"#{pk}")
    ordered = sorted(rows.values(), key=lambda r: r.unit.code if r.unit else "")
    return ordered, total


def vneid_authenticated(dossier_id: int) -> bool:
    """TaiKhoanDuocXacThucVoiVNeID of a dossier (for dossier pages and reports)."""
    from motcua.integrations.models import DossierIdentityFlag

    return DossierIdentityFlag.objects.filter(
        dossier_id=dossier_id, vneid_authenticated=True
    ).exists()
