"""The sandbox SMS gateway's inbox (settings.MOTCUA_SANDBOXES only, never in
production): the demo's "phone". A citizen sees the messages sent to their account's
number; officers see every message, optionally for one number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.accounts.decorators import account_required
from motcua.notifications.selectors import phone_number_clean, sandbox_sms_for


@account_required
def inbox(request: HttpRequest) -> HttpResponse:
    sms, number = sandbox_sms_for(request.user, phone_number_clean(request.GET.get("so", "")))
    return render(request, "notifications/sandbox_sms.html", {"sms": sms, "number": number})
