"""Thin views of the load forecast (issue 27 point 4): the unit head's board — officers ×
the next ten working days, coloured — with the suggestions to reassign and their
"Áp dụng" button (htmx; works without JavaScript too), and the record of an officer's
absence. Supervisors read the board of the units they supervise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.dossiers.errors import DossierError
from motcua.monitoring import load as rules
from motcua.monitoring import load_store
from motcua.org.models import OrgUnit


def _unit(request: HttpRequest, raw: str | None) -> tuple[OrgUnit, list[OrgUnit]]:
    units = list(load_store.load_units(request.user))
    if not units:
        raise PermissionDenied
    if not raw:
        return units[0], units
    unit = next((u for u in units if str(u.pk) == raw), None)
    if unit is None:
        raise Http404
    return unit, units


def _int(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else 0


def _context(request: HttpRequest, unit: OrgUnit, units: list[OrgUnit]) -> dict[str, Any]:
    load = load_store.unit_load(unit)
    names = {o.id: o.name for o in load.officers.values()}
    rows = [
        {
            "officer": officer,
            "cells": [{"cell": c, "css": rules.CELL_COLOURS[c.colour]} for c in cells],
            "total": sum(c.load for c in cells),
        }
        for officer, cells in load.row_list()
    ]
    suggestions = [
        {
            "s": s,
            "from_name": names.get(s.from_officer, ""),
            "to_name": names.get(s.to_officer or 0, ""),
        }
        for s in load.forecast.suggestions
    ]
    return {
        "unit": unit,
        "units": units,
        "load": load,
        "days": load.forecast.days,
        "rows": rows,
        "totals": load.forecast.totals,
        "suggestions": suggestions,
        "can_apply": load_store.can_apply(request.user, unit),
        "staff": sorted(load.officers.values(), key=lambda o: (o.name, o.id)),
        "horizon": rules.HORIZON,
    }


def _board(request: HttpRequest, unit: OrgUnit, units: list[OrgUnit]) -> HttpResponse:
    context = _context(request, unit, units)
    context["partial"] = True
    return render(request, "monitoring/_load_board.html", context)


@officer_required
def load_view(request: HttpRequest) -> HttpResponse:
    unit, units = _unit(request, request.GET.get("unit"))
    return render(request, "monitoring/load.html", _context(request, unit, units))


def _back(request: HttpRequest, unit: OrgUnit, units: list[OrgUnit]) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return _board(request, unit, units)
    return redirect(f"{reverse('monitoring:load')}?unit={unit.pk}")


@officer_required
@require_POST
def load_apply_view(request: HttpRequest) -> HttpResponse:
    unit, units = _unit(request, request.POST.get("unit"))
    if not load_store.can_apply(request.user, unit):
        raise PermissionDenied
    try:
        dossier = load_store.load_suggestion_apply(
            actor=request.user,
            unit=unit,
            step_id=_int(request.POST.get("step")),
            to_user_id=_int(request.POST.get("to")),
            expected_version=_int(request.POST.get("version")),
        )
    except (DossierError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Đã phân công lại hồ sơ %(code)s cho %(name)s.")
            % {"code": dossier.code or dossier.pk, "name": dossier.assignee},
        )
    return _back(request, unit, units)


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


@officer_required
@require_POST
def load_absence_view(request: HttpRequest) -> HttpResponse:
    from motcua.org.services import absence_create

    unit, units = _unit(request, request.POST.get("unit"))
    if not load_store.can_apply(request.user, unit):
        raise PermissionDenied
    user = get_user_model().objects.filter(pk=_int(request.POST.get("user"))).first()
    first, last = _date(request.POST.get("valid_from")), _date(request.POST.get("valid_to"))
    if user is None or first is None or last is None:
        messages.error(request, _("Chọn cán bộ và nhập ngày bắt đầu, ngày kết thúc hợp lệ."))
        return _back(request, unit, units)
    try:
        absence_create(
            actor=request.user,
            user=user,
            unit=unit,
            valid_from=first,
            valid_to=last,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã ghi nhận lịch vắng mặt của %(name)s.") % {"name": user})
    return _back(request, unit, units)
