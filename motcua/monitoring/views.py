"""Thin views: the monitoring dashboard (supervisors, leaders, administrators) with
its CSV export, and the configuration page (administrators)."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.dossiers.constants import DelayReasonKind
from motcua.monitoring import dashboard, drilldown, selectors, services
from motcua.monitoring.forms import LevelConfigForm, ScoringPolicyForm
from motcua.monitoring.indicators import GROUP_BY_KEY, GROUPS, INDICATOR_BY_ID, ScoringPolicy
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
        "period_query": _period_query(request),
        "warnings": drilldown.warning_counts(units_visible_to(request.user))[:10],
        "map": _map(entries, request),
        "late_no_apology": _late_no_apology(entries, query),
    }
    return render(request, "monitoring/dashboard.html", context)


def _late_no_apology(entries: list[dashboard.Entry], query: dashboard.Query) -> list[Any]:
    """Units with dossiers of the period late without an apology letter (issue 27
    point 2), most first (one grouped query)."""
    from motcua.monitoring.apology import late_without_apology

    counts = late_without_apology([e.unit for e in entries], query.period.start, query.period.end)
    rows = [(e, counts.get(e.unit.pk, 0)) for e in entries if counts.get(e.unit.pk, 0)]
    rows.sort(key=lambda r: (-r[1], r[0].depth, r[0].unit.name))
    return rows[:15]


def _map(entries: list[dashboard.Entry], request: HttpRequest) -> dict[str, Any] | None:
    """The administrator's GeoJSON drawn with the tiles' colours (None without one)."""
    from motcua.monitoring import geomap
    from motcua.monitoring.models import MapLayer

    layer = MapLayer.objects.first()
    if layer is None:
        return None
    try:
        paths, width, height = geomap.svg_paths(geomap.parse(layer.geojson))
    except geomap.GeoJSONError:
        return None
    by_code = {e.unit.code: e for e in entries}
    areas = [(by_code.get(code), code, d) for code, d in paths]
    return {"layer": layer, "areas": areas, "width": round(width), "height": round(height)}


@officer_required
def map_layer_view(request: HttpRequest) -> HttpResponse:
    """Administrators load a GeoJSON of the province's units (property `code`)."""
    _check_admin(request)
    import json

    from motcua.monitoring.models import MapLayer

    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors.append(_("Vui lòng chọn tệp GeoJSON."))
        elif (upload.size or 0) > 20 * 1024 * 1024:
            errors.append(_("Tệp quá lớn (tối đa 20 MB)."))
        else:
            try:
                data = json.loads(upload.read().decode("utf-8-sig"))
                _layer, unknown = services.map_layer_create(
                    actor=request.user, name=request.POST.get("name", ""), data=data
                )
            except (UnicodeDecodeError, json.JSONDecodeError):
                errors.append(_("Tệp không phải JSON hợp lệ."))
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                if unknown:
                    messages.warning(
                        request,
                        _("Các mã không khớp đơn vị nào (tô màu xám): %(codes)s")
                        % {"codes": ", ".join(unknown)},
                    )
                messages.success(request, _("Đã nạp bản đồ."))
                return redirect("monitoring:dashboard")
    return render(
        request,
        "monitoring/map_layer.html",
        {"layers": MapLayer.objects.defer("geojson")[:10], "errors": errors},
        status=400 if errors else 200,
    )


def _period_query(request: HttpRequest) -> str:
    """The period parameters of the current page, to keep them across drill-downs."""
    q = request.GET.copy()
    for key in list(q):
        if key not in ("period", "date", "from", "to", "metric"):
            del q[key]
    return q.urlencode()


def _visible_unit(request: HttpRequest, unit_id: int) -> Any:
    unit = units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


@officer_required
def unit_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Unit page: scorecard with colours, procedures, officers, trend, early warning."""
    _check_dashboard(request)
    unit = _visible_unit(request, unit_id)
    today = timezone.localdate()
    query = dashboard.parse_query(request.GET, today)
    period = query.period
    scores = selectors.scores_for(unit, period.start, period.end)
    colours = scores.colours()
    indicator_rows = []
    for ind in scores.card.indicators.values():
        late = int(ind.denominator - ind.numerator) if ind.id == "2.1" else 0
        label = INDICATOR_BY_ID[ind.id].label
        indicator_rows.append((ind, colours[ind.id], label, late))
    group_rows = [
        (g, colours[f"group:{g.key}"], GROUP_BY_KEY[g.key].label)
        for g in scores.card.groups.values()
    ]
    procedure = request.GET.get("procedure", "")
    trend = drilldown.monthly_trend(unit, period.end)
    children = units_visible_to(request.user).filter(parent=unit).order_by("code")
    child_scores = selectors.scores_for_units(children, period.start, period.end)
    context: dict[str, Any] = {
        "unit": unit,
        "query": query,
        "scores": scores,
        "total_colour": colours["total"],
        "indicator_rows": indicator_rows,
        "group_rows": group_rows,
        "procedures": drilldown.procedure_rows(unit, period),
        "officers": drilldown.officer_rows(unit, period, procedure),
        "procedure": procedure,
        "trend": trend,
        "trend_points": drilldown.trend_svg_points(trend),
        "children": [child_scores[c.pk] for c in children],
        "warnings": drilldown.warning_counts(
            units_visible_to(request.user).filter(path__startswith=unit.path)
        ),
        "period_query": _period_query(request),
        "kinds": drilldown.KINDS,
    }
    if request.GET.get("format") == "csv":
        return _trend_csv(unit, trend)
    return render(request, "monitoring/unit.html", context)


def _trend_csv(unit: Any, trend: list[drilldown.TrendPoint]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="xu-huong_{unit.code}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Tháng"), _("Tổng điểm"), _("Xếp loại"), *[str(g.label) for g in GROUPS]])
    for p in trend:
        has = p.scores.has_data
        writer.writerow(
            [
                p.label,
                _fmt(p.scores.card.total if has else None),
                str(p.scores.band.label),
                *[_fmt(p.scores.card.groups[g.key].score if has else None) for g in GROUPS],
            ]
        )
    return response


@officer_required
def unit_dossiers_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The dossiers behind a number of the unit page (e.g. the late ones, with the
    responsible step and officer and the late reason kind)."""
    _check_dashboard(request)
    unit = _visible_unit(request, unit_id)
    today = timezone.localdate()
    query = dashboard.parse_query(request.GET, today)
    kind = request.GET.get("kind", "late")
    if kind not in drilldown.KIND_BY_KEY:
        kind = "late"
    procedure = request.GET.get("procedure", "")
    officer_raw = request.GET.get("officer", "")
    officer = int(officer_raw) if officer_raw.isdigit() else None
    filters: dict[str, Any] = {"procedure_code": procedure, "officer_id": officer}
    qs = drilldown.contributions(unit, query.period, kind, viewer=request.user, **filters)
    hidden = 0
    if kind == "unsatisfied" and not procedure and officer is None:
        # Only at unit level: per officer or procedure the count would point at someone.
        hidden = drilldown.hidden_behaviour(unit, query.period, request.user)
    page = Paginator(drilldown.prefetch_for_rows(qs), 50).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "query": query,
        "kind": drilldown.KIND_BY_KEY[kind],
        "kinds": drilldown.KINDS,
        "page": page,
        "rows": drilldown.late_rows(page.object_list),
        "total": page.paginator.count,
        "hidden_behaviour": hidden,
        "procedure": procedure,
        "officer": officer_raw,
        "period_query": _period_query(request),
    }
    return render(request, "monitoring/unit_dossiers.html", context)


@officer_required
def warnings_view(request: HttpRequest) -> HttpResponse:
    """Early warning: dossiers overdue or due within 1 working day, per unit."""
    _check_dashboard(request)
    units = units_visible_to(request.user)
    unit_raw = request.GET.get("unit", "")
    if unit_raw.isdigit():
        units = units.filter(path__startswith=_visible_unit(request, int(unit_raw)).path)
    now = timezone.now()
    from motcua.dossiers.selectors import with_time

    dossiers = list(drilldown.warning_dossiers(units, now)[:300])
    context = {
        "counts": drilldown.warning_counts(units, now),
        "rows": with_time(dossiers, now),
        "now": now,
    }
    return render(request, "monitoring/warnings.html", context)


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
    initial_policy["circular01_internal"] = str(initial_policy["circular01_internal"])
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


# --- reports ---------------------------------------------------------------------------


@officer_required
def weekly_reports_view(request: HttpRequest) -> HttpResponse:
    """Archive of the Friday weekly reports (back office)."""
    roles = user_roles(request.user)
    if not roles & DASHBOARD_ROLES:
        raise PermissionDenied
    from motcua.monitoring.models import WeeklyReport

    if request.method == "POST":
        if not services.can_configure(request.user):
            raise PermissionDenied
        from motcua.monitoring.periods import PeriodError
        from motcua.monitoring.reports import iso_week, week_of, weekly_report_generate

        week = request.POST.get("week") or week_of(timezone.localdate())
        try:
            iso_week(week)
        except PeriodError:
            messages.error(request, _("Tuần không hợp lệ (ví dụ: 2026-W48)."))
        else:
            weekly_report_generate(week=week, actor=request.user, send=False)
            messages.success(request, _("Đã lập báo cáo tuần %(week)s.") % {"week": week})
        return redirect("monitoring:weekly_reports")
    reports = WeeklyReport.objects.defer("xlsx", "pdf").order_by("-start")
    return render(
        request,
        "monitoring/weekly_reports.html",
        {
            "reports": reports,
            "can_generate": services.can_configure(request.user),
            "can_verify": bool(roles & VERIFY_ROLES),
        },
    )


@officer_required
def weekly_report_file(request: HttpRequest, week: str, fmt: str) -> HttpResponse:
    _check_dashboard(request)
    from motcua.monitoring.models import WeeklyReport

    report = WeeklyReport.objects.filter(week=week).first()
    if report is None or fmt not in ("pdf", "xlsx"):
        raise Http404
    content_type = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(bytes(getattr(report, fmt)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-tuan-{week}.{fmt}"'
    return response


VERIFY_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


@officer_required
@require_POST
def weekly_report_verify(request: HttpRequest, week: str) -> HttpResponse:
    """Verify the frozen versions of a week (issue 27 point 5, law.md R28a):
    signature, hashes, chain to the previous snapshot, anchor in the audit chain."""
    if not user_roles(request.user) & VERIFY_ROLES:
        raise PermissionDenied
    from motcua.monitoring.snapshots import snapshots_verify

    checks = snapshots_verify(week)
    if not checks:
        raise Http404
    from django.db import transaction

    from motcua.core.audit import audit_record

    with transaction.atomic():
        audit_record(
            action="monitoring.weekly_snapshot_verify",
            after={"week": week, "ok": all(c.ok for c in checks)},
            role="supervisor",
        )
    return render(
        request,
        "monitoring/weekly_verify.html",
        {"week": week, "checks": checks, "ok": all(c.ok for c in checks)},
    )


@officer_required
def form06a_view(request: HttpRequest, unit_id: int, fmt: str) -> HttpResponse:
    """Form II.06a of a unit (with its subtree) for the chosen period, XLSX or PDF."""
    _check_dashboard(request)
    unit = _visible_unit(request, unit_id)
    query = dashboard.parse_query(request.GET, timezone.localdate())
    from motcua.monitoring import reports

    rows, total = reports.form06a_for(unit, query.period)
    if fmt == "xlsx":
        data = reports.render_06a_xlsx(unit, query.period, rows, total)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        data = reports.render_06a_pdf(unit, query.period, rows, total)
        content_type = "application/pdf"
    else:
        raise Http404
    response = HttpResponse(data, content_type=content_type)
    name = f"bieu-06a_{unit.code}_{query.period.start:%Y%m%d}_{query.period.end:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- disputes of attributed late dossiers (law.md R28a) --------------------------------


@officer_required
def disputes_view(request: HttpRequest) -> HttpResponse:
    """Unit heads: the late dossiers attributed to their units in the current frozen
    reports, with the dispute form; supervisors: the disputes to decide."""
    from motcua.monitoring import disputes
    from motcua.monitoring.models import AttributionDispute
    from motcua.org.models import OrgUnit

    heads = disputes.headed_units(request.user)
    decider = bool(user_roles(request.user) & disputes.DECIDERS)
    if not heads and not decider:
        raise PermissionDenied
    visible = units_visible_to(request.user) if decider else OrgUnit.objects.none()
    rows = AttributionDispute.objects.select_related(
        "snapshot", "unit", "raised_by", "decided_by"
    ).defer("snapshot__pdf", "snapshot__xlsx", "snapshot__data_json", "snapshot__manifest_json")
    pending = (
        list(rows.filter(status=AttributionDispute.Status.PENDING, unit__in=visible))
        if decider
        else []
    )
    decided = (
        list(rows.exclude(status=AttributionDispute.Status.PENDING).filter(unit__in=visible)[:50])
        if decider
        else list(rows.filter(unit__in=heads)[:50])
    )
    return render(
        request,
        "monitoring/disputes.html",
        {
            "disputable": disputes.disputable_for(request.user) if heads else [],
            "pending": pending,
            "decided": decided,
            "decider": decider,
            "days": disputes.dispute_days(),
        },
    )


@officer_required
@require_POST
def dispute_create_view(request: HttpRequest) -> HttpResponse:
    from motcua.monitoring import disputes
    from motcua.monitoring.models import WeeklySnapshot

    if not disputes.headed_units(request.user):
        raise PermissionDenied
    snapshot_id = request.POST.get("snapshot", "")
    snapshot = (
        WeeklySnapshot.objects.filter(pk=int(snapshot_id)).first()
        if snapshot_id.isdigit()
        else None
    )
    if snapshot is None:
        messages.error(request, _("Không tìm thấy báo cáo tuần đã chốt."))
        return redirect("monitoring:disputes")
    try:
        disputes.dispute_create(
            snapshot=snapshot,
            dossier_code=request.POST.get("code", "")[:64],
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã gửi khiếu nại tới cán bộ giám sát."))
    return redirect("monitoring:disputes")


@officer_required
@require_POST
def dispute_decide_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    from motcua.monitoring import disputes
    from motcua.monitoring.models import AttributionDispute

    if not user_roles(request.user) & disputes.DECIDERS:
        raise PermissionDenied
    decision = request.POST.get("decision", "")
    if decision not in ("accept", "reject"):
        messages.error(request, _("Vui lòng chọn chấp nhận hoặc không chấp nhận."))
        return redirect("monitoring:disputes")
    try:
        disputes.dispute_decide(
            dispute_id=dispute_id,
            accept=decision == "accept",
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except AttributionDispute.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Đã ghi nhận quyết định; kết quả sẽ có trong báo cáo tuần tới.")
        )
    return redirect("monitoring:disputes")


@officer_required
def forecast_view(request: HttpRequest) -> HttpResponse:
    """Colour forecast panel (issue 27 point 1), loaded by htmx into the dashboard
    (every visible unit) and the unit page (`?unit=`: the unit and its children)."""
    from motcua.monitoring.forecast_data import unit_forecasts
    from motcua.org.selectors import unit_valid_on

    _check_dashboard(request)
    today = timezone.localdate()
    visible = units_visible_to(request.user).filter(unit_valid_on(today))
    raw = request.GET.get("unit", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        unit = _visible_unit(request, int(raw))
        units = list(visible.filter(Q(pk=unit.pk) | Q(parent_id=unit.pk)))
    else:
        units = list(visible)
    result = unit_forecasts(units)
    rows = [
        (unit, f, f.targets["friday"], f.targets["month_end"])
        for unit, f in result.rows()
        if f.level.key != "none" or f.targets["month_end"].level.key != "none"
    ]
    template = "_forecast.html" if request.headers.get("HX-Request") else "forecast.html"
    return render(request, f"monitoring/{template}", {"result": result, "rows": rows})


@officer_required
def apologies_view(request: HttpRequest) -> HttpResponse:
    """Draft Form 04 (pre-emptive apology, issue 27 point 2, R14) for the dossiers
    predicted late: a head of unit sees those of the units they head, a supervisor
    those of the units they see. Signing posts to the dossier's `extend_with_apology`
    action (signed Form 04, the applicant notified)."""
    from motcua.monitoring.apology import apology_drafts, headed_units
    from motcua.org.selectors import unit_valid_on

    _check_dashboard(request)
    today = timezone.localdate()
    visible = units_visible_to(request.user).filter(unit_valid_on(today))
    headed = [u for u in headed_units(request.user, today) if visible.filter(pk=u.pk).exists()]
    units = headed or list(visible)
    drafts = apology_drafts(units)
    return render(
        request,
        "monitoring/apologies.html",
        {"drafts": drafts, "headed": headed, "reason_kinds": DelayReasonKind.choices},
    )
