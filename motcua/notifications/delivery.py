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
