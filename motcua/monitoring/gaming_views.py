"""Thin views of the gaming signals (law.md R28b): the list for supervision /
inspection with filters, the evidence of one signal, and the confirm / dismiss form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.monitoring import gaming, gaming_store
from motcua.monitoring.models import GamingSignal, GamingStatus
from motcua.org.selectors import units_visible_to


def _check(request: HttpRequest) -> None:
    if not gaming_store.can_see_gaming(request.user):
        raise PermissionDenied


def _visible(request: HttpRequest) -> Any:
    units = units_visible_to(request.user)
    return gaming_store.gaming_signals().filter(unit__in=units)


def _signal(request: HttpRequest, pk: int) -> GamingSignal:
    row = _visible(request).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


@officer_required
def gaming_list_view(request: HttpRequest) -> HttpResponse:
    _check(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in gaming.KINDS else ""
    status = request.GET.get("status", "")
    status = status if status in GamingStatus.values else ""
    unit_raw = request.GET.get("unit", "")
    unit_id = int(unit_raw) if unit_raw.isdigit() else None
    qs = _visible(request)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "kind": kind,
        "status": status,
        "unit_id": unit_id,
        "units": units_visible_to(request.user).filter(
            pk__in=GamingSignal.objects.values("unit_id")
        ),
        "kinds": [
            (k, gaming_store.KIND_LABELS[k], gaming_store.MEASURED_PRECISION.get(k))
            for k in gaming.KINDS
        ],
        "statuses": GamingStatus.choices,
        "kind_labels": gaming_store.KIND_LABELS,
        "query": query.urlencode(),
    }
    return render(request, "monitoring/gaming_list.html", context)


@officer_required
def gaming_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    row = _signal(request, pk)
    context = {
        "signal": row,
        "kind_label": gaming_store.KIND_LABELS.get(row.kind, row.kind),
        "precision": gaming_store.MEASURED_PRECISION.get(row.kind),
        "dossiers": list(row.dossiers.order_by("pk").only("pk", "code")),
        "evidence": sorted(row.evidence.items()),
        "statuses": [
            (GamingStatus.CONFIRMED.value, _("Xác nhận")),
            (GamingStatus.DISMISSED.value, _("Bác bỏ")),
        ],
    }
    return render(request, "monitoring/gaming_detail.html", context)


@officer_required
@require_POST
def gaming_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    row = _signal(request, pk)
    try:
        gaming_store.gaming_signal_decide(
            signal=row,
            actor=request.user,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã ghi nhận quyết định."))
    return redirect("monitoring:gaming_detail", pk=row.pk)
