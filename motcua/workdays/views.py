"""Thin views: back-office calendar (read for officers, edit for administrators),
back-office and public appointment calculators."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.org.models import OrgUnit
from motcua.org.selectors import units_visible_to
from motcua.workdays import selectors, services
from motcua.workdays.calendar import CalendarError, Explanation
from motcua.workdays.forms import CalculatorForm, ImportForm, OfficeHoursForm, OverrideForm
from motcua.workdays.models import DayOverride, OfficeHours


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    first, last = selectors.year_range()
    return year if first <= year <= last else timezone.localdate().year


def _calendar_url(year: int) -> str:
    return f"{reverse('workdays:calendar')}?year={year}"


@officer_required
def calendar(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    can_edit = services.can_administer(request.user)
    first, last = selectors.year_range()
    visible = units_visible_to(request.user)
    code = request.GET.get("unit") or ""
    unit = get_object_or_404(visible, code=code) if code else None
    context: dict[str, Any] = {
        "year": year,
        "years": range(max(first, year - 2), min(last, year + 2) + 1),
        "unit": unit,
        "units": visible,
        "exceptions": selectors.year_exceptions(year, unit),
        "overrides": selectors.overrides_for_year(year),
        "office_hours": selectors.office_hours_rows(),
        "default_hours": selectors.office_hours_for(None),
        "changes": selectors.recent_changes(20),
        "can_edit": can_edit,
    }
    if can_edit:
        context["override_form"] = OverrideForm(
            units=services.units_for_admin(request.user), initial={"date": f"{year}-01-01"}
        )
        context["import_form"] = ImportForm()
    return render(request, "workdays/calendar.html", context)


@officer_required
@require_POST
def override_add(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = OverrideForm(request.POST, units=services.units_for_admin(request.user))
    if form.is_valid():
        try:
            services.day_override_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Đã lưu ngày điều chỉnh."))
            return redirect(_calendar_url(form.cleaned_data["date"].year))
    else:
        if not services.can_administer(request.user):
            raise PermissionDenied
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(str(e) for e in errors)}")
    return redirect(_calendar_url(year))


@officer_required
@require_POST
def override_delete(request: HttpRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(DayOverride, pk=pk)
    services.day_override_delete(actor=request.user, override=override)
    messages.success(request, _("Đã xóa ngày %(date)s.") % {"date": f"{override.date:%d/%m/%Y}"})
    return redirect(_calendar_url(override.date.year))


@officer_required
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    if not services.can_administer(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES)
    year = _year(request)
    if not form.is_valid():
        messages.error(request, _("Cần chọn tệp JSON."))
        return redirect(_calendar_url(year))
    try:
        data = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
        result = services.overrides_import(
            actor=request.user, data=data, replace=form.cleaned_data["replace"]
        )
    except (ValueError, UnicodeDecodeError):
        messages.error(request, _("Tệp không phải JSON hợp lệ."))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Đã nạp %(n)s ngày, xóa %(d)s ngày cũ.")
            % {"n": result.created_or_updated, "d": result.deleted},
        )
        year = result.years[0]
    return redirect(_calendar_url(year))


@officer_required
def office_hours(request: HttpRequest) -> HttpResponse:
    """Office hours of one unit (?unit=CODE) or the default."""
    code = request.GET.get("unit") or ""
    unit = get_object_or_404(units_visible_to(request.user), code=code) if code else None
    can_edit = services.can_administer(request.user, unit)
    row = OfficeHours.objects.filter(unit=unit).first()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if request.POST.get("reset") and unit is not None:
            services.office_hours_reset(actor=request.user, unit=unit)
            messages.success(request, _("Đơn vị dùng lại giờ làm việc mặc định."))
            return redirect(reverse("workdays:calendar"))
        form = OfficeHoursForm(request.POST)
        if form.is_valid():
            try:
                services.office_hours_save(actor=request.user, unit=unit, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã lưu giờ làm việc."))
                return redirect(reverse("workdays:calendar"))
    else:
        spec = selectors.office_hours_for(unit)
        (ms, me), (as_, ae) = spec.periods[0], spec.periods[-1]
        form = OfficeHoursForm(
            initial={
                "morning_start": ms,
                "morning_end": me,
                "afternoon_start": as_,
                "afternoon_end": ae,
                "same_day_cutoff": spec.same_day_cutoff,
            }
        )
    context = {
        "form": form,
        "unit": unit,
        "own_row": row,
        "can_edit": can_edit,
        "units": units_visible_to(request.user),
    }
    return render(request, "workdays/office_hours.html", context)


def _calculate(request: HttpRequest, units: Any) -> dict[str, Any]:
    form = CalculatorForm(request.GET or None)
    form.fields["unit"].queryset = units  # type: ignore[attr-defined]
    explanation: Explanation | None = None
    if form.is_valid():
        unit: OrgUnit | None = form.cleaned_data.get("unit")
        try:
            explanation = selectors.get_calendar(unit).explain(
                form.cleaned_data["start"], form.duration()
            )
        except CalendarError as exc:
            form.add_error(None, str(exc))
    return {"form": form, "explanation": explanation}


@officer_required
def calculator(request: HttpRequest) -> HttpResponse:
    context = _calculate(request, OrgUnit.objects.all())
    return render(request, "workdays/calculator.html", context)


def public_calculator(request: HttpRequest) -> HttpResponse:
    """Citizens check an appointment date and why it falls where it does."""
    context = _calculate(request, OrgUnit.objects.all())
    return render(request, "workdays/public_calculator.html", context)
