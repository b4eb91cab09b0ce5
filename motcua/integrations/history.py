"""History that predates the national-portal sync (issue 18).

A province that switches Motcua on with a year of dossiers already behind it (the demo
province's generated history, an import of the old system) must not make the relay
work through tens of thousands of old events: on SQLite that held the write lock for
minutes. `outbox_history_mark` records that history once, in small transactions:

* each dossier of the history that the old system had synced gets one outbox row with
  status "delivered" (payload `{"historical": true}`, never sent again), so the
  monitoring of indicator 1.4 reads the same fact from the outbox as for live dossiers;
  a dossier that was never synced gets no row (its first change sends it in full);
* the relay cursor moves past the last event of the history, so the relay starts from
  what is new.

Runs once: when the relay cursor exists (the relay already ran, or the history was
already marked) nothing is done.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations.models import (
    OutboxMessage,
    OutboxStatus,
    RelayCursor,
    RelayedEvent,
    Service,
)
from motcua.integrations.relay import CURSOR, mapping_version

BATCH = 500
HISTORICAL_PAYLOAD = {"historical": True}


@dataclass(frozen=True)
class HistoryResult:
    marked: bool
    delivered: int = 0
    watermark: int = 0


def was_synced(dossier: Any) -> bool:
    """Whether the old system had synced this dossier: the imported/generated fact when
    there is one; for generated demo history without it, a draw by the unit's quality
    seeded by the dossier's code (stable across reloads); else yes."""
    answers = dossier.form_answers if isinstance(dossier.form_answers, dict) else {}
    sync = answers.get("_sync")
    if isinstance(sync, dict) and "synced" in sync:
        return bool(sync["synced"])
    if "demo_history" not in answers:  # a dossier handled in this system: it was sent
        return True
    from motcua.core.generator import unit_quality

    unit = getattr(dossier, "competent_unit", None) or getattr(dossier, "receiving_unit", None)
    quality = unit_quality(unit.code) if unit is not None else 1.0
    return random.Random(f"sync:{dossier.code}").random() < 0.4 + 0.6 * quality  # noqa: S311


def _rows(chunk: list[int], last: dict[int, tuple[int, dt.datetime]]) -> list[OutboxMessage]:
    rows = []
    version = mapping_version()
    dossiers = (
        Dossier.objects.filter(pk__in=chunk)
        .exclude(code__isnull=True)
        .exclude(code="")
        .exclude(receiving_unit__isnull=True)
        .select_related("competent_unit", "receiving_unit")
        .only(
            "pk",
            "code",
            "form_answers",
            "receiving_unit_id",
            "competent_unit__code",
            "receiving_unit__code",
        )
    )
    for d in dossiers:
        if d.pk not in last or not was_synced(d):
            continue
        event_id, at = last[d.pk]
        rows.append(
            OutboxMessage(
                dossier_id=d.pk,
                unit_id=d.receiving_unit_id,
                ma_ho_so=d.code or "",
                service=Service.DOSSIER,
                seq=1,
                event_id=event_id,
                mapping_version=version,
                payload=HISTORICAL_PAYLOAD,
                status=OutboxStatus.DELIVERED,
                attempts=0,
                next_attempt_at=at,
                delivered_at=at,
            )
        )
    return rows


def outbox_history_mark(*, now: dt.datetime | None = None) -> HistoryResult:
    """Mark every dossier event up to now as history (see the module docstring)."""
    if RelayCursor.objects.filter(name=CURSOR).exists():
        return HistoryResult(marked=False)
    watermark = DossierEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    already = set(OutboxMessage.objects.values_list("dossier_id", flat=True).distinct())
    last: dict[int, tuple[int, dt.datetime]] = {}
    for dossier_id, event_id, at in (
        DossierEvent.objects.filter(pk__lte=watermark)
        .order_by("pk")
        .values_list("dossier_id", "pk", "at")
        .iterator(chunk_size=5000)
    ):
        if dossier_id not in already:
            last[dossier_id] = (event_id, at or now or timezone.now())
    ids = sorted(last)
    delivered = 0
    for i in range(0, len(ids), BATCH):
        rows = _rows(ids[i : i + BATCH], last)
        with transaction.atomic():  # one short transaction per batch (no long write lock)
            OutboxMessage.objects.bulk_create(rows)
        delivered += len(rows)
    with transaction.atomic():
        cursor, created = RelayCursor.objects.select_for_update().get_or_create(name=CURSOR)
        if not created:  # the relay started meanwhile: it owns the cursor
            return HistoryResult(marked=False, delivered=delivered)
        cursor.watermark = watermark
        cursor.save(update_fields=["watermark", "updated_at"])
        RelayedEvent.objects.filter(event_id__lte=watermark).delete()
    return HistoryResult(marked=True, delivered=delivered, watermark=watermark)
