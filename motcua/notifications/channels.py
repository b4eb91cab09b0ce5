"""Delivery channels. E-mail goes through Django's mailers (settings.MAILERS, SMTP in
production). SMS goes through a gateway plugin: `HttpSmsGateway` posts JSON to a
provider's HTTP API; `SandboxSmsGateway` speaks the same interface and keeps the
messages in the database (dev/test/demo), and can be told to fail."""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


class ChannelError(Exception):
    """Sending failed; `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


def send_email(*, to: str, subject: str, body: str) -> str:
    try:
        EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
        ).send()
    except (OSError, ValueError) as exc:
        raise ChannelError(str(exc)) from exc
    return ""


class SmsGateway(ABC):
    @abstractmethod
    def send(self, *, to: str, text: str) -> str:
        """Send one SMS; return the provider's message id or raise ChannelError."""


class HttpSmsGateway(SmsGateway):
    """POST {to, text, ref} as JSON with a bearer token to MOTCUA_SMS_URL; 2xx with
    {"id": ...} is success, 4xx is permanent, anything else is retried."""

    def send(self, *, to: str, text: str) -> str:
        from motcua.integrations import http

        url = getattr(settings, "MOTCUA_SMS_URL", "")
        if not url:
            raise ChannelError("MOTCUA_SMS_URL is not set", retryable=False)
        ref = secrets.token_hex(8)
        try:
            resp = http.post_json(
                url,
                {"to": to, "text": text, "ref": ref},
                headers={"Authorization": f"Bearer {getattr(settings, 'MOTCUA_SMS_TOKEN', '')}"},
                timeout=10,
            )
        except http.TransportError as exc:
            raise ChannelError(str(exc)) from exc
        if 200 <= resp.status < 300:
            data = resp.json() if resp.body else {}
            return str(data.get("id", ref)) if isinstance(data, dict) else ref
        raise ChannelError(
            f"HTTP {resp.status}", retryable=resp.status >= 500 or resp.status == 429
        )


class SandboxSmsGateway(SmsGateway):
    fail = False  # tests flip this to simulate an outage

    def send(self, *, to: str, text: str) -> str:
        from motcua.notifications.models import SandboxSms

        if self.fail or getattr(settings, "MOTCUA_SMS_SANDBOX_FAIL", False):
            raise ChannelError("sandbox SMS gateway is down")
        ref = secrets.token_hex(8)
        SandboxSms.objects.create(to=to, text=text, ref=ref)
        return ref

    @staticmethod
    def report_due(*, now: Any = None) -> int:
        """The sandbox handset's delivery reports: like a real provider, a report comes
        later than the send (MOTCUA_SMS_SANDBOX_REPORT_SECONDS, default 30) and only for
        reachable numbers (MOTCUA_SMS_SANDBOX_UNREACHABLE: numbers never reached)."""
        import datetime as dt

        from django.utils import timezone

        from motcua.notifications.delivery import delivery_report_receive
        from motcua.notifications.models import SandboxSms

        now = now or timezone.now()
        delay = dt.timedelta(
            seconds=float(getattr(settings, "MOTCUA_SMS_SANDBOX_REPORT_SECONDS", 30))
        )
        unreachable = set(getattr(settings, "MOTCUA_SMS_SANDBOX_UNREACHABLE", ()) or ())
        count = 0
        due = SandboxSms.objects.filter(reported_at__isnull=True, received_at__lte=now - delay)
        for sms in due.exclude(to__in=unreachable).order_by("pk")[:500]:
            if SandboxSms.objects.filter(pk=sms.pk, reported_at__isnull=True).update(
                reported_at=now
            ):
                delivery_report_receive(provider_ref=sms.ref, now=now)
                count += 1
        return count


@lru_cache(maxsize=1)
def sms_gateway() -> SmsGateway:
    default = (
        "motcua.notifications.channels.SandboxSmsGateway"
        if getattr(settings, "MOTCUA_SANDBOXES", False)
        else "motcua.notifications.channels.HttpSmsGateway"
    )
    gateway: SmsGateway = import_string(getattr(settings, "MOTCUA_SMS_GATEWAY", "") or default)()
    return gateway


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("MOTCUA_SMS") or setting == "MOTCUA_SANDBOXES":
        sms_gateway.cache_clear()
