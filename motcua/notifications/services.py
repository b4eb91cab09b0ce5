"""Writes: create notifications (with their deliveries), mark them read, preferences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.notifications.messages import render
from motcua.notifications.models import Channel, Delivery, Notification, Preference


def _audit(**kwargs: Any) -> None:
    from motcua.core.audit import audit_record

    audit_record(**kwargs)


def preference_for(user: Any) -> Preference:
    pref = Preference.objects.filter(user=user).first()
    return pref or Preference(user=user)


def language_for(user: Any, pref: Preference) -> str:
    return pref.language or getattr(user, "preferred_language", "") or "vi"


def site_url(path: str) -> str:
    base = getattr(settings, "MOTCUA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{path}" if path else base


def notify(
    *,
    recipient: Any,
    event: str,
    context: dict[str, Any],
    dossier: Any = None,
    url: str = "",
    dedup_key: str | None = None,
    now: dt.datetime | None = None,
) -> Notification | None:
    """Create the in-app notification and one delivery per channel the recipient
    accepts. Returns None when `dedup_key` was used already (sent once only)."""
    pref = preference_for(recipient)
    language = language_for(recipient, pref)
    ctx = {
        "name": recipient.full_name or recipient.get_username(),
        "site": getattr(settings, "MOTCUA_SITE_NAME", "Motcua"),
        "url": site_url(url),
        **context,
    }
    msg = render(event, language, ctx)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            n = Notification.objects.create(
                recipient=recipient,
                event=event,
                dossier=dossier,
                language=language,
                subject=msg.subject,
                body=msg.body,
                sms_text=msg.sms,
                url=url,
                dedup_key=dedup_key,
            )
            deliveries = []
            if pref.email_enabled and recipient.email:
                deliveries.append(Delivery(channel=Channel.EMAIL, address=recipient.email))
            if pref.sms_enabled and msg.sms and getattr(recipient, "phone", None):
                deliveries.append(Delivery(channel=Channel.SMS, address=recipient.phone))
            for d in deliveries:
                d.notification = n
                d.next_attempt_at = now
            Delivery.objects.bulk_create(deliveries)
    except IntegrityError:
        if dedup_key and Notification.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    if deliveries:
        transaction.on_commit(_kick)
    return n


def _kick() -> None:
    from motcua.notifications.tasks import deliver_notifications

    deliver_notifications.enqueue()


def notification_mark_read(*, notification: Notification, user: Any) -> None:
    if notification.recipient_id != user.pk:
        raise PermissionError
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def notification_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_update(
    *, user: Any, email_enabled: bool, sms_enabled: bool, language: str, daily_digest: bool
) -> Preference:
    with transaction.atomic():
        pref, _ = Preference.objects.select_for_update().get_or_create(user=user)
        before = {
            "email": pref.email_enabled,
            "sms": pref.sms_enabled,
            "language": pref.language,
            "digest": pref.daily_digest,
        }
        pref.email_enabled = email_enabled
        pref.sms_enabled = sms_enabled
        pref.language = language
        pref.daily_digest = daily_digest
        pref.save()
        _audit(
            action="notifications.preference_update",
            actor=user,
            obj=pref,
            before=before,
            after={
                "email": email_enabled,
                "sms": sms_enabled,
                "language": language,
                "digest": daily_digest,
            },
        )
    return pref
