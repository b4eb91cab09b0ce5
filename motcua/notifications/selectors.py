"""Read-side queries of the notifications app."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.notifications.models import SandboxSms

SANDBOX_INBOX_SIZE = 50


def phone_number_clean(raw: str) -> str:
    """Digits and '+' only, at most 20 characters (a number typed into a query string)."""
    return "".join(c for c in raw if c.isdigit() or c == "+")[:20]


def sandbox_sms_for(user: object, number: str = "") -> tuple[QuerySet[SandboxSms], str]:
    """The sandbox SMS inbox a person may read, newest first, and the number shown:
    an officer reads every message (or one number's); a citizen only their own number's."""
    if getattr(user, "is_officer", False):
        qs = SandboxSms.objects.filter(to=number) if number else SandboxSms.objects.all()
    else:
        number = (getattr(user, "phone", "") or "").strip()
        qs = SandboxSms.objects.filter(to=number) if number else SandboxSms.objects.none()
    return qs.order_by("-pk")[:SANDBOX_INBOX_SIZE], number
