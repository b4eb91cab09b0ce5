"""Send due deliveries, record each attempt, retry with exponential backoff
(MOTCUA_NOTIFY_MAX_ATTEMPTS, default 5; 60 s, 120 s, 240 s …, at most 1 h)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from motcua.notifications.channels import ChannelError, send_email, sms_gateway
from motcua.notifications.models import Channel, Delivery, DeliveryAttempt, DeliveryStatus

LEASE = dt.timedelta(minutes=5)


@dataclass
class Result:
    sent: int = 0
    retry: int = 0
    failed: int = 0


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 60 * 2 ** max(0, attempts - 1)))


def _send(d: Delivery) -> str:
    n = d.notification
    if d.channel == Channel.EMAIL:
        return send_email(to=d.address, subject=n.subject, body=n.body)
    return sms_gateway().send(to=d.address, text=n.sms_text)


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> Result:
    result = Result()
    max_attempts = int(getattr(settings, "MOTCUA_NOTIFY_MAX_ATTEMPTS", 5))
    due = list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now or timezone.now()
        )
        .select_related("notification")
        .order_by("next_attempt_at", "pk")[:limit]
    )
    for d in due:
        at = now or timezone.now()
        claimed = Delivery.objects.filter(
            pk=d.pk, status=DeliveryStatus.PENDING, next_attempt_at=d.next_attempt_at
        ).update(next_attempt_at=at + LEASE)
        if not claimed:
            continue
        d.attempts += 1
        try:
            d.provider_ref = _send(d)[:100]
        except ChannelError as exc:
            DeliveryAttempt.objects.create(delivery=d, ok=False, error=str(exc)[:1000])
            d.last_error = str(exc)[:1000]
            if not exc.retryable or d.attempts >= max_attempts:
                d.status = DeliveryStatus.FAILED
                result.failed += 1
            else:
                d.next_attempt_at = at + backoff(d.attempts)
                result.retry += 1
        else:
            DeliveryAttempt.objects.create(delivery=d, ok=True)
            d.status = DeliveryStatus.SENT
            d.sent_at = at
            d.last_error = ""
            result.sent += 1
        d.save(
            update_fields=[
                "attempts",
                "status",
                "next_attempt_at",
                "last_error",
                "provider_ref",
                "sent_at",
            ]
        )
    return result


def delivery_report_receive(
    *, provider_ref: str, delivered: bool = True, now: dt.datetime | None = None
) -> bool:
    """The SMS provider's delivery report for a message it accepted earlier (arrives
    later, asynchronously: the HTTP callback in views.sms_report, or the sandbox's
    handset). Recorded at server time; the first report counts. A delivered supplement
    notice starts the dossier's pause (law.md R12c). Returns whether a delivery matched."""
    from django.db import transaction

    now = now or timezone.now()
    ref = (provider_ref or "").strip()[:100]
    if not ref:
        return False
    with transaction.atomic():
        d = (
            Delivery.objects.select_for_update()
            .select_related("notification")
            .filter(provider_ref=ref, channel=Channel.SMS)
            .first()
        )
        if d is None:
            return False
        if not delivered or d.delivered_at is not None:
            return True
        d.delivered_at = now
        d.save(update_fields=["delivered_at"])
        n = d.notification
        if n.event == "dossier_supplement_requested" and n.dossier_id:
            from motcua.dossiers.models import SupplementNotice
            from motcua.dossiers.services.notice import Evidence, supplement_notice_delivered

            # Only the notice this message announced (not a later one).
            if SupplementNotice.objects.filter(
                dossier_id=n.dossier_id, delivered_at__isnull=True, written_at__lte=n.created_at
            ).exists():
                supplement_notice_delivered(
                    dossier=n.dossier_id, channel=Evidence.SMS, evidence=f"sms:{ref}", now=now
                )
    return True
