"""Thin views: the monitoring dashboard (supervisors, leaders, administrators) with
its CSV export, and the configuration page (administrators)."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.monitoring import dashboard, selectors, services
from motcua.monitoring.forms import LevelConfigForm, ScoringPolicyForm
from motcua.monitoring.indicators import GROUPS, ScoringPolicy
from motcua.org.constants import Role, UnitKind
from motcua.org.selectors import units_visible_to, user_roles

DASHBOARD_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR})


def _check_dashboard(request: HttpRequest) -> None:
    if not user_roles(request.user) & DASHBOARD_ROLES:
        raise PermissionDenied


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@officer_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    _check_dashboard(request)
    today = timezone.localdate()
    query = dashboard.parse_query(request.GET, today)
    entries, sections = dashboard.build(units_visible_to(request.user), query, today)
    if request.GET.get("format") == "csv":
        return _csv(entries, query)
    export = request.GET.copy()
    export["format"] = "csv"
    context: dict[str, Any] = {
        "query": query,
        "entries": entries,
        "sections": sections,
        "any_data": any(e.has_data for e in entries),
        "period_choices": dashboard.PERIOD_CHOICES,
        "metric_choices": dashboard.metric_choices(),
        "groups": GROUPS,
        "kind_labels": dict(UnitKind.choices),
        "export_query": export.urlencode(),
        "can_configure": services.can_configure(request.user),
    }
    return render(request, "monitoring/dashboard.html", context)


def _csv(entries: list[dashboard.Entry], query: dashboard.Query) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"giam-sat_{query.period.start:%Y%m%d}_{query.period.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # BOM so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Mã đơn vị"),
            _("Tên đơn vị"),
            _("Loại"),
            _("Cấp"),
            _("Từ ngày"),
            _("Đến ngày"),
            _("Chỉ tiêu"),
            _("Điểm"),
            _("Tối đa"),
            _("Mức màu"),
            _("Hạng"),
            _("Tổng điểm"),
            _("Xếp loại"),
            *[f"{g.label} ({g.max:g})" for g in GROUPS],
        ]
    )
    for e in entries:
        card = e.scores.card
        writer.writerow(
            [
                e.unit.code,
                e.unit.name,
                e.unit.get_kind_display(),
                e.depth,
                query.period.start.isoformat(),
                query.period.end.isoformat(),
                query.metric,
                _fmt(e.value),
                f"{e.maximum:g}",
                str(e.level.label),
                e.rank or "",
                _fmt(card.total if e.has_data else None),
                str(e.scores.band.label),
                *[_fmt(card.groups[g.key].score if e.has_data else None) for g in GROUPS],
            ]
        )
    return response


# --- configuration --------------------------------------------------------------------


def _check_admin(request: HttpRequest) -> None:
    if not services.can_configure(request.user):
        raise PermissionDenied


def _config_page(
    request: HttpRequest,
    level_form: LevelConfigForm | None = None,
    policy_form: ScoringPolicyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    current_levels = selectors.level_policy_on(today)
    current_policy = selectors.scoring_policy_on(today)
    initial_policy = current_policy.as_options()
    initial_policy["payment_35_cap"] = str(initial_policy["payment_35_cap"])
    labels = ScoringPolicyForm.base_fields
    policy_rows = []
    for name, value in current_policy.as_options().items():
        field = labels[name]
        choices = {str(k): v for k, v in getattr(field, "choices", [])}
        policy_rows.append((field.label, choices.get(str(value), value)))
    context = {
        "policy_rows": policy_rows,
        "level_configs": selectors.level_configs(),
        "scoring_configs": selectors.scoring_configs(),
        "current_levels": current_levels.to_config(),
        "current_policy": current_policy.as_options(),
        "level_form": level_form or LevelConfigForm(initial={"effective_from": today}),
        "policy_form": policy_form
        or ScoringPolicyForm(initial={"effective_from": today, **initial_policy}),
        "default_policy": ScoringPolicy().as_options(),
    }
    return render(request, "monitoring/config.html", context, status=status)


@officer_required
def config_view(request: HttpRequest) -> HttpResponse:
    _check_admin(request)
    return _config_page(request)


@officer_required
@require_POST
def level_config_add(request: HttpRequest) -> HttpResponse:
    _check_admin(request)
    form = LevelConfigForm(request.POST)
    if form.is_valid():
        try:
            services.level_config_create(
                actor=request.user,
                effective_from=form.cleaned_data["effective_from"],
                thresholds=form.cleaned_data["thresholds"],
                legal_basis=form.cleaned_data["legal_basis"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Đã lưu cấu hình mức đánh giá."))
            return redirect("monitoring:config")
    return _config_page(request, level_form=form, status=400)


@officer_required
@require_POST
def scoring_config_add(request: HttpRequest) -> HttpResponse:
    _check_admin(request)
    form = ScoringPolicyForm(request.POST)
    if form.is_valid():
        try:
            services.scoring_policy_config_create(
                actor=request.user,
                effective_from=form.cleaned_data["effective_from"],
                options=form.options(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Đã lưu cấu hình cách tính điểm."))
            return redirect("monitoring:config")
    return _config_page(request, policy_form=form, status=400)
