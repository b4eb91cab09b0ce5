"""Back-office pages of the national-portal sync: overview, dead letters (with replay),
reconciliation (KPI 1.4) and the catalogue pull. Supervisors and administrators read;
only administrators act."""

from __future__ import annotations

import datetime as dt
import json
import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.integrations import selectors, services
from motcua.integrations.models import CatalogPull, OutboxMessage
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import is_administrator, units_visible_to, user_roles

READERS = {Role.ADMINISTRATOR, Role.SUPERVISOR}
logger = logging.getLogger(__name__)


def _check_reader(request: HttpRequest) -> None:
    if not user_roles(request.user) & READERS:
        raise PermissionDenied


@officer_required
def overview(request: HttpRequest) -> HttpResponse:
    _check_reader(request)
    units = units_visible_to(request.user)
    return render(
        request,
        "integrations/overview.html",
        {
            "counts": selectors.outbox_counts(units),
            "pulls": CatalogPull.objects.all()[:5],
            "is_admin": is_administrator(request.user),
        },
    )


@officer_required
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    _check_reader(request)
    items = selectors.dead_letters(units_visible_to(request.user))[:200]
    return render(
        request,
        "integrations/dead_letters.html",
        {"items": items, "is_admin": is_administrator(request.user)},
    )


@officer_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _check_reader(request)
    msg = get_object_or_404(
        OutboxMessage.objects.select_related("unit"), pk=pk, unit__in=units_visible_to(request.user)
    )
    return render(
        request,
        "integrations/message_detail.html",
        {
            "msg": msg,
            "payload": json.dumps(msg.payload, ensure_ascii=False, indent=2),
            "siblings": selectors.dossier_messages(msg.dossier_id),
            "is_admin": is_administrator(request.user),
        },
    )


@require_POST
@officer_required
def replay(request: HttpRequest, pk: int) -> HttpResponse:
    msg = get_object_or_404(OutboxMessage, pk=pk, unit__in=units_visible_to(request.user))
    try:
        services.outbox_replay(message=msg, actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã đưa thông điệp %(m)s trở lại hàng đợi.") % {"m": str(msg)})
    return redirect("integrations:dead_letters")


class ReconForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), required=False, label=gettext_lazy("Đơn vị")
    )
    start = forms.DateField(
        label=gettext_lazy("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước ngày kết thúc."))
        return data


@officer_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    _check_reader(request)
    visible = units_visible_to(request.user)
    today = timezone.localdate()
    initial = {"start": today.replace(day=1), "end": today}
    form = ReconForm(request.GET or None, initial=initial)
    form.fields["unit"].queryset = visible.order_by("path")  # type: ignore[attr-defined]
    rows: list[selectors.ReconRow] = []
    total = None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else initial
        start: dt.date = data["start"]
        end: dt.date = data["end"]
        units = visible
        unit = data.get("unit")
        if isinstance(unit, OrgUnit):
            units = visible.filter(path__startswith=unit.path)
        rows, total = selectors.reconciliation(units, start, end)
    return render(
        request, "integrations/reconciliation.html", {"form": form, "rows": rows, "total": total}
    )


@require_POST
@officer_required
def catalogue_pull(request: HttpRequest) -> HttpResponse:
    if not is_administrator(request.user):
        raise PermissionDenied
    pull = services.catalogue_pull(actor=request.user)
    if pull.ok:
        messages.success(
            request,
            _("Đã lấy %(n)s thủ tục: %(c)s mới, %(u)s có phiên bản mới, %(k)s không đổi.")
            % {"n": pull.received, "c": pull.created, "u": pull.updated, "k": pull.unchanged},
        )
    else:
        messages.error(request, _("Không lấy được danh mục: %(e)s") % {"e": pull.error})
    return redirect("integrations:overview")


@csrf_exempt
@require_POST
def inbound_push(request: HttpRequest) -> HttpResponse:
    """The national portal pushes a dossier filed there (law.md R22a). Signed like
    Motcua's own webhooks: X-DVCQG-Signature = v1=HMAC-SHA256(secret, "<X-DVCQG-Timestamp>."
    + raw body), timestamps within 5 minutes; each record carries its own signature too.
    Answers 202 once the records are stored (the import follows in the worker), with
    `duplicate` when the portal sent them before."""
    from motcua.integrations import inbound
    from motcua.integrations.national_records import InvalidRecord
    from motcua.integrations.webhooks import verify

    key = inbound.secret()
    if not key:
        return _machine_error(503, "Inbound channel not configured")
    if not verify(
        key,
        request.headers.get("X-DVCQG-Timestamp", ""),
        request.body,
        request.headers.get("X-DVCQG-Signature", ""),
    ):
        return _machine_error(401, "Invalid signature")
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _machine_error(400, "Body is not JSON")
    records = body.get("data") if isinstance(body, dict) else None
    if not isinstance(records, list) or not records or len(records) > 50:
        return _machine_error(400, "data must be a list of 1-50 dossiers")
    created = 0
    try:
        for record in records:
            created += inbound.inbound_receive(record=record, via="push")[1]
    except inbound.BadSignature:
        return _machine_error(401, "Invalid record signature")
    except InvalidRecord as exc:
        return _machine_error(400, "Invalid record", errors=exc.errors)
    _enqueue_import()
    return JsonResponse(
        {"error_code": "0", "received": len(records), "duplicate": created == 0}, status=202
    )


def _enqueue_import() -> None:
    from motcua.integrations.tasks import import_national_dossiers

    try:
        import_national_dossiers.enqueue()
    except Exception:  # the every-minute sync imports it anyway
        logger.exception("could not enqueue the import of pushed national dossiers")


def _machine_error(status: int, message: str, **extra: object) -> JsonResponse:
    return JsonResponse(
        {"error_code": str(status), "message": message, **extra},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@officer_required
def inbound_list(request: HttpRequest) -> HttpResponse:
    """Dossiers received from the national portal (law.md R22a): supervisors see those
    of their units; administrators also those not imported yet, and may queue the
    failed ones again."""
    from motcua.integrations import inbound
    from motcua.integrations.models import InboundDossier

    _check_reader(request)
    is_admin = is_administrator(request.user)
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied
        n = inbound.inbound_retry_failed(actor=request.user)
        messages.success(request, _("Đã đưa %(n)s hồ sơ lỗi trở lại hàng đợi.") % {"n": n})
        return redirect("integrations:inbound")
    rows = InboundDossier.objects.select_related("dossier__receiving_unit").order_by("-pk")
    visible = rows.filter(dossier__receiving_unit__in=units_visible_to(request.user))
    if is_admin:
        visible = visible | rows.filter(dossier__isnull=True)
    items = list(visible[:200])
    return render(
        request,
        "integrations/inbound.html",
        {
            "items": items,
            "late": {r.pk for r in inbound.late_alerts(items)},
            "is_admin": is_admin,
        },
    )
