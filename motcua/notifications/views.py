"""Notification centre (any logged-in account) and preferences."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import account_required
from motcua.notifications import services
from motcua.notifications.models import Notification, Preference


def _base(request: HttpRequest) -> str:
    return (
        "backoffice/base.html" if getattr(request.user, "is_officer", False) else "portal/base.html"
    )


@account_required
def centre(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = (
        Notification.objects.filter(recipient_id=user.pk)
        .prefetch_related("deliveries")
        .order_by("-created_at", "-pk")
    )
    if request.GET.get("chua-doc"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 20).get_page(request.GET.get("trang"))
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
    return render(
        request,
        "notifications/centre.html",
        {"page": page, "unread": unread, "base_template": _base(request)},
    )


@require_POST
@account_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    n = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(notification=n, user=request.user)
    if n.url and url_has_allowed_host_and_scheme(n.url, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(n.url)
    return redirect("notifications:centre")


@require_POST
@account_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    messages.success(request, _("Đã đánh dấu tất cả thông báo là đã đọc."))
    return redirect("notifications:centre")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email_enabled", "sms_enabled", "language", "daily_digest"]


@account_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = services.preference_for(request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if not getattr(request.user, "is_officer", False):
        form.fields.pop("daily_digest")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.preference_update(
            user=request.user,
            email_enabled=data["email_enabled"],
            sms_enabled=data["sms_enabled"],
            language=data["language"],
            daily_digest=data.get("daily_digest", pref.daily_digest),
        )
        messages.success(request, _("Đã lưu tùy chọn thông báo."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "base_template": _base(request)},
    )


@csrf_exempt
@require_POST
def sms_report(request: HttpRequest) -> HttpResponse:
    """The SMS provider's delivery report (machine to machine, bearer token
    MOTCUA_SMS_REPORT_TOKEN): JSON {"id": <the message id it returned>, "status":
    "delivered" | "failed"}. Recorded at our server time, never the provider's
    (law.md R12c)."""
    import hmac
    import json

    from django.conf import settings
    from django.http import Http404, JsonResponse

    from motcua.notifications.delivery import delivery_report_receive

    token = getattr(settings, "MOTCUA_SMS_REPORT_TOKEN", "")
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return JsonResponse({"error": "unauthorized"}, status=401)
    try:
        data = json.loads(request.body or b"{}")
        ref = str(data["id"])
        status = str(data.get("status", "delivered"))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "invalid"}, status=400)
    found = delivery_report_receive(provider_ref=ref, delivered=status == "delivered")
    return JsonResponse({"ok": found}, status=200 if found else 404)
