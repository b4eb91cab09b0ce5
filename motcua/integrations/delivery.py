"""Delivery worker: sends due outbox messages, oldest sequence first per dossier.

* Ordering per dossier: only the lowest not-yet-delivered message of a dossier may be
  sent; a message waiting for a retry, or dead, holds the later ones back.
* Claiming: a message is claimed by moving its `next_attempt_at` forward by a lease with
  a conditional UPDATE, outside any long transaction (the HTTP call never holds a
  database lock). If a worker dies mid-send the lease expires and the message is sent
  again: delivery is at-least-once, and the receiver keys messages by (MaHoSo, seq), so
  a repeat changes nothing there.
* Retries with exponential backoff; after `MOTCUA_DVCQG_MAX_ATTEMPTS` attempts, or at
  once when the portal rejects the message as invalid, it goes to the dead-letter list.
* When the portal does not answer (or answers 503) the run stops: no point in hammering
  it; the next run retries.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.integrations.connector import PortalConnector, SendResult, get_connector
from motcua.integrations.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)
PENDING = OutboxStatus.PENDING


def backoff(attempts: int, base: float, cap: float) -> dt.timedelta:
    """Delay before attempt `attempts + 1`: base · 2^(attempts-1), capped."""
    if attempts <= 0:
        return dt.timedelta(0)
    return dt.timedelta(seconds=min(cap, base * (2 ** (attempts - 1))))


def _conf() -> tuple[int, float, float, float]:
    return (
        int(getattr(settings, "MOTCUA_DVCQG_MAX_ATTEMPTS", 10)),
        float(getattr(settings, "MOTCUA_DVCQG_BACKOFF_BASE_SECONDS", 30)),
        float(getattr(settings, "MOTCUA_DVCQG_BACKOFF_MAX_SECONDS", 3600)),
        float(getattr(settings, "MOTCUA_DVCQG_LEASE_SECONDS", 120)),
    )


@dataclass
class DeliveryResult:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    held: int = 0
    portal_down: bool = False


def _head(dossier_id: int) -> OutboxMessage | None:
    return (
        OutboxMessage.objects.filter(dossier_id=dossier_id)
        .exclude(status=OutboxStatus.DELIVERED)
        .order_by("seq")
        .first()
    )


def _claim(msg: OutboxMessage, now: dt.datetime, lease: float) -> bool:
    return bool(
        OutboxMessage.objects.filter(
            pk=msg.pk, status=PENDING, next_attempt_at=msg.next_attempt_at
        ).update(next_attempt_at=now + dt.timedelta(seconds=lease))
    )


def _record(msg: OutboxMessage, res: SendResult, now: dt.datetime, result: DeliveryResult) -> None:
    max_attempts, base, cap, _ = _conf()
    msg.attempts += 1
    msg.last_http_status = res.http_status
    if res.ok:
        msg.status = OutboxStatus.DELIVERED
        msg.delivered_at = now
        msg.last_error = ""
        result.delivered += 1
    elif not res.retryable or msg.attempts >= max_attempts:
        msg.status = OutboxStatus.DEAD
        msg.dead_at = now
        msg.last_error = res.error
        result.dead += 1
    else:
        msg.next_attempt_at = now + backoff(msg.attempts, base, cap)
        msg.last_error = res.error
        result.failed += 1
    with transaction.atomic():
        msg.save(
            update_fields=[
                "attempts",
                "status",
                "delivered_at",
                "dead_at",
                "last_error",
                "last_http_status",
                "next_attempt_at",
            ]
        )


def deliver(
    *,
    now: dt.datetime | None = None,
    limit: int = 1000,
    connector: PortalConnector | None = None,
) -> DeliveryResult:
    connector = connector or get_connector()
    *_, lease = _conf()
    result = DeliveryResult()
    if not connector.configured:
        logger.warning("national portal not configured (MOTCUA_DVCQG_URL): nothing sent")
        result.portal_down = True
        return result
    clock = now
    dossier_ids = list(
        OutboxMessage.objects.filter(status=PENDING, next_attempt_at__lte=now or timezone.now())
        .order_by("dossier_id")
        .values_list("dossier_id", flat=True)
        .distinct()[:limit]
    )
    for dossier_id in dossier_ids:
        while True:
            at = clock or timezone.now()
            head = _head(dossier_id)
            if head is None:
                break
            if head.status == OutboxStatus.DEAD:
                result.held += 1
                break
            if head.next_attempt_at > at or not _claim(head, at, lease):
                break
            res = connector.send(body=head.payload, ma_ho_so=head.ma_ho_so, seq=head.seq)
            _record(head, res, clock or timezone.now(), result)
            if res.portal_down:
                result.portal_down = True
                return result
            if not res.ok:
                break
    return result
