"""The sandbox SMS gateway's inbox (settings.MOTCUA_SANDBOXES only, never in
production): the demo's "phone". A citizen sees the messages sent to their account's
number; officers see every message, optionally for one number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.accounts.decorators import account_required
from motcua.notifications.models import SandboxSms


@account_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    number = "".join(c for c in request.GET.get("so", "") if c.isdigit() or c == "+")[:20]
    if getattr(user, "is_officer", False):
        qs = SandboxSms.objects.filter(to=number) if number else SandboxSms.objects.all()
    else:
        number = (getattr(user, "phone", "") or "").strip()
        qs = SandboxSms.objects.filter(to=number) if number else SandboxSms.objects.none()
    return render(
        request,
        "notifications/sandbox_sms.html",
        {"sms": qs.order_by("-pk")[:50], "number": number},
    )
