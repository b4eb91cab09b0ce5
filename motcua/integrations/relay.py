"""Relay: DossierEvent rows → outbox messages (the "transactional outbox" of R22).

Every dossier transition appends a DossierEvent in the same transaction as the state
change, so the event table already is a durable outbox. The relay scans events it has
not relayed yet (anti-join with RelayedEvent, starting above a low watermark) and writes
the outbox rows and the RelayedEvent marker in one transaction: a crash at any point
either relays an event completely or not at all, and the next run resumes.

Ids are allocated at insert but become visible at commit, so a slow transaction can
commit an event whose id is *lower* than one already relayed. The watermark therefore
only moves up to events relayed more than `MOTCUA_DVCQG_RELAY_GRACE_SECONDS` ago; a
transaction open longer than that could be skipped (documented limit; dossier
transactions last milliseconds). SQLite serialises writers, so the gap cannot happen
there at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations import mapping, snapshot, webhooks
from motcua.integrations.models import (
    OutboxMessage,
    OutboxStatus,
    RelayCursor,
    RelayedEvent,
    Service,
    WebhookDelivery,
)

logger = logging.getLogger(__name__)
CURSOR = "dvcqg"
# One relay transaction: at most BATCH events and about BATCH_SECONDS of lock time.
BATCH = 50
BATCH_SECONDS = 0.2


@dataclass
class RelayResult:
    events: int = 0
    messages: int = 0


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "MOTCUA_DVCQG_RELAY_GRACE_SECONDS", 300))


def mapping_version() -> str:
    return getattr(settings, "MOTCUA_DVCQG_MAPPING_VERSION", mapping.CURRENT_VERSION)


def _next_seq(dossier_id: int) -> int:
    last = OutboxMessage.objects.filter(dossier_id=dossier_id).aggregate(m=Max("seq"))["m"]
    return (last or 0) + 1


def build_payload(
    service: str, dossier: Dossier, event: DossierEvent | None, *, is_updating: bool, version: str
) -> dict:
    snap: mapping.DossierSnapshot | mapping.ProgressSnapshot
    if service == Service.DOSSIER:
        snap = snapshot.dossier_snapshot(dossier, event)
    else:
        assert event is not None
        snap = snapshot.progress_snapshot(dossier, event)
    return mapping.envelope(service, is_updating, mapping.build(service, snap, version))


def messages_for_event(event: DossierEvent, now: dt.datetime) -> list[OutboxMessage]:
    """The outbox rows one event produces (not saved). A dossier without a national
    identity yet (submitted online, not received) produces none: its state is sent in
    full by the first message after it gets one."""
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure__field", "applicant", "competent_unit", "receiving_unit"
        )
        .prefetch_related("components__component", "pauses")
        .get(pk=event.dossier_id)
    )
    code = snapshot.sync_code(dossier)
    if code is None:
        return []
    version = mapping_version()
    seq = _next_seq(dossier.pk)
    already = OutboxMessage.objects.filter(dossier=dossier, service=Service.DOSSIER).exists()
    rows = []
    for service in (Service.DOSSIER, Service.PROGRESS):
        is_updating = service == Service.DOSSIER and already
        rows.append(
            OutboxMessage(
                dossier=dossier,
                unit_id=dossier.receiving_unit_id,
                ma_ho_so=code,
                service=service,
                seq=seq,
                event_id=event.pk,
                is_updating=is_updating,
                mapping_version=version,
                payload=build_payload(
                    service, dossier, event, is_updating=is_updating, version=version
                ),
                next_attempt_at=now,
            )
        )
        seq += 1
    return rows


def _unbuildable(event: DossierEvent, exc: Exception, now: dt.datetime) -> OutboxMessage:
    """A dead letter standing for an event whose message could not be built: it holds
    the dossier's later messages back (order) and is listed for the administrator,
    whose replay rebuilds it once the cause is fixed."""
    dossier = Dossier.objects.select_related("receiving_unit").get(pk=event.dossier_id)
    return OutboxMessage(
        dossier=dossier,
        unit_id=dossier.receiving_unit_id,
        ma_ho_so=dossier.code or f"#{dossier.pk}",
        service=Service.DOSSIER,
        seq=_next_seq(dossier.pk),
        event_id=event.pk,
        is_updating=OutboxMessage.objects.filter(dossier=dossier).exists(),
        mapping_version=mapping_version(),
        payload={},
        status=OutboxStatus.DEAD,
        dead_at=now,
        next_attempt_at=now,
        last_error=f"relay: {type(exc).__name__}: {exc}"[:1000],
    )


def relay(*, now: dt.datetime | None = None, limit: int = 5000) -> RelayResult:
    """Turn not-yet-relayed events into outbox messages, oldest first.

    Each transaction relays at most BATCH events and stops early once it has held the
    write lock for BATCH_SECONDS: on SQLite every page write of the site waits behind
    it, so a transaction must stay short however large the backlog (issue 18)."""
    result = RelayResult()
    while result.events < limit:
        wall = timezone.now()
        started = time.monotonic()
        done = 0
        with transaction.atomic():
            cursor, _ = RelayCursor.objects.select_for_update().get_or_create(name=CURSOR)
            events = list(
                DossierEvent.objects.filter(pk__gt=cursor.watermark)
                .exclude(pk__in=RelayedEvent.objects.values("event_id"))
                .select_related("actor", "unit", "step")
                .order_by("pk")[: min(BATCH, limit - result.events)]
            )
            for event in events:
                try:
                    with transaction.atomic():
                        rows = messages_for_event(event, now or wall)
                except Exception as exc:  # a mapping bug must not stall the relay
                    logger.exception("relay of dossier event %s failed", event.pk)
                    rows = [_unbuildable(event, exc, now or wall)]
                OutboxMessage.objects.bulk_create(rows)
                WebhookDelivery.objects.bulk_create(
                    webhooks.deliveries_for_event(event, now or wall)
                )
                RelayedEvent.objects.create(event_id=event.pk, relayed_at=wall)
                result.messages += len(rows)
                done += 1
                if time.monotonic() - started > BATCH_SECONDS:
                    break
            result.events += done
            # Advance the watermark over events relayed before the grace period and
            # drop their markers: everything at or below it is never scanned again.
            settled = RelayedEvent.objects.filter(relayed_at__lt=wall - _grace()).aggregate(
                m=Max("event_id")
            )["m"]
            if settled and settled > cursor.watermark:
                cursor.watermark = settled
                cursor.save(update_fields=["watermark", "updated_at"])
                RelayedEvent.objects.filter(event_id__lte=settled).delete()
        if done == len(events) and len(events) < BATCH:
            break
    return result
