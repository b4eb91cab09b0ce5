"""Signed webhooks for dossier events.

Rows are created by the relay (relay.py) in the same transaction that marks the
DossierEvent as relayed, so webhooks share the outbox guarantee: nothing is lost,
delivery is at-least-once (receivers de-duplicate on `X-Motcua-Event-Id`).

Signature (Stripe/GitHub style): headers
  X-Motcua-Timestamp: <unix seconds>
  X-Motcua-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
Receivers recompute it, compare in constant time and reject timestamps older than five
minutes (replay protection). `verify()` below is the reference implementation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from typing import Any

from django.conf import settings
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations import http
from motcua.integrations.delivery import backoff
from motcua.integrations.models import OutboxStatus, WebhookDelivery, WebhookEndpoint
from motcua.integrations.snapshot import national_status

TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float | None = None
) -> bool:
    if not timestamp.isdigit():
        return False
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


def event_payload(event: DossierEvent, dossier: Dossier) -> dict[str, Any]:
    return {
        "id": event.pk,
        "type": f"dossier.{event.action}",
        "occurred_at": event.at.isoformat(),
        "dossier": {
            "id": dossier.pk,
            "code": dossier.code,
            "procedure_code": dossier.procedure_version.procedure.code,
            "receiving_unit": dossier.receiving_unit.code,
            "competent_unit": dossier.competent_unit.code,
            "status": dossier.status,
            "national_status": national_status(dossier.status),
            "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        },
        "from_status": event.from_status,
        "to_status": event.to_status,
    }


def deliveries_for_event(event: DossierEvent, now: dt.datetime) -> list[WebhookDelivery]:
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True).prefetch_related("units"))
    if not endpoints:
        return []
    dossier = Dossier.objects.select_related(
        "procedure_version__procedure", "receiving_unit", "competent_unit"
    ).get(pk=event.dossier_id)
    payload = event_payload(event, dossier)
    rows = []
    for ep in endpoints:
        if ep.actions and event.action not in ep.actions:
            continue
        unit_paths = [u.path for u in ep.units.all()]
        if unit_paths and not any(
            dossier.receiving_unit.path.startswith(p) or dossier.competent_unit.path.startswith(p)
            for p in unit_paths
        ):
            continue
        rows.append(
            WebhookDelivery(endpoint=ep, event_id=event.pk, payload=payload, next_attempt_at=now)
        )
    return rows


def deliver_webhooks(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    max_attempts = int(getattr(settings, "MOTCUA_WEBHOOK_MAX_ATTEMPTS", 8))
    out = {"delivered": 0, "failed": 0, "dead": 0}
    due = list(
        WebhookDelivery.objects.filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=now or timezone.now()
        )
        .select_related("endpoint")
        .order_by("pk")[:limit]
    )
    for d in due:
        at = now or timezone.now()
        if not WebhookDelivery.objects.filter(
            pk=d.pk, status=OutboxStatus.PENDING, next_attempt_at=d.next_attempt_at
        ).update(next_attempt_at=at + dt.timedelta(minutes=2)):
            continue  # another worker has it
        body = json.dumps(d.payload, ensure_ascii=False, separators=(",", ":")).encode()
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Motcua-Event-Id": str(d.event_id),
            "X-Motcua-Delivery": str(d.pk),
            "X-Motcua-Timestamp": str(ts),
            "X-Motcua-Signature": sign(d.endpoint.secret, ts, body),
        }
        d.attempts += 1
        try:
            resp = http.request("POST", d.endpoint.url, body=body, headers=headers, timeout=10)
            ok, status, error = (
                200 <= resp.status < 300,
                resp.status,
                resp.body[:500].decode("utf-8", "replace"),
            )
        except http.TransportError as exc:
            ok, status, error = False, None, str(exc)[:500]
        d.last_http_status = status
        if ok:
            d.status, d.delivered_at, d.last_error = OutboxStatus.DELIVERED, at, ""
            out["delivered"] += 1
        elif d.attempts >= max_attempts:
            d.status, d.last_error = OutboxStatus.DEAD, error
            out["dead"] += 1
        else:
            d.next_attempt_at = at + backoff(d.attempts, 30, 3600)
            d.last_error = error
            out["failed"] += 1
        d.save()
    return out
