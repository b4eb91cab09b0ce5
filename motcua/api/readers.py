"""Read operations that mirror the UI: catalogue, organisation units, working-day
calendar, monitoring scores, and the dossier list for machine clients.

Thin adapters over each app's selectors (no business rule here). Lists share one shape:
`limit` (1–200, default 50) and `offset`, answer `{"count": total, "items": [...]}`.
Unit scope: session officers see `org.selectors.units_visible_to`; API clients need the
scope of the operation and, when bound to units, see those units and their subtrees
(`motcua.api.services.client_units`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from motcua.api.models import ApiClient
from motcua.api.problems import ApiError
from motcua.api.services import client_units
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import unit_tree, unit_valid_on, units_visible_to, user_roles

MAX_LIMIT = 200


class Page(Schema):
    limit: int = Field(50, description="Số phần tử mỗi trang (1–200)")
    offset: int = Field(0, description="Vị trí bắt đầu (từ 0)")


def paginate(items: QuerySet[Any] | Sequence[Any], page: Page) -> tuple[int, list[Any]]:
    """Clamped like the feedback list (schemathesis found negative/overflowing offsets)."""
    limit = max(1, min(page.limit, MAX_LIMIT))
    offset = max(0, min(page.offset, 10**9))
    count = items.count() if isinstance(items, QuerySet) else len(items)
    return count, list(items[offset : offset + limit])


def _client(request: HttpRequest) -> ApiClient | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiClient) else None


def need_scope(client: ApiClient, scope: str) -> None:
    if not client.has_scope(scope):
        raise ApiError(
            403, _("Mã truy cập thiếu phạm vi “%(scope)s”.") % {"scope": scope}, "missing_scope"
        )


def scoped_units(
    request: HttpRequest, *, scope: str, roles: frozenset[str] | None = None
) -> QuerySet[OrgUnit]:
    """Units the caller may read data of, for an operation needing `scope` (clients) or
    one of `roles` (session officers; None = any officer)."""
    client = _client(request)
    if client is not None:
        need_scope(client, scope)
        bound = client_units(client)
        return OrgUnit.objects.all() if bound is None else bound
    user = request.user
    if not getattr(user, "is_officer", False):
        raise ApiError(
            403, _("Chỉ cán bộ hoặc ứng dụng được cấp quyền mới xem được."), "officers_only"
        )
    if roles is not None and not user_roles(user) & roles:
        raise ApiError(403, _("Bạn không có quyền thực hiện thao tác này."), "permission_denied")
    return units_visible_to(user)


def _unit_by_code(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise ApiError(404, _("Không có đơn vị mã “%(code)s”.") % {"code": code}, "unit_not_found")
    return unit


# --- catalogue (public) ---------------------------------------------------------------

catalogue = Router(tags=["catalogue"])


class ProcedureOut(Schema):
    code: str
    name: str
    field_code: str
    field_name: str
    level: str
    online_mode: str
    version: int
    processing_time_value: Decimal
    processing_time_unit: str


class ProcedureList(Schema):
    count: int
    items: list[ProcedureOut]


class VersionOut(Schema):
    number: int
    status: str
    name: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    published_at: dt.datetime | None
    change_note: str


class CaseOut(Schema):
    code: str
    name: str
    is_default: bool
    processing_time_value: Decimal
    processing_time_unit: str


class FeeOut(Schema):
    code: str
    name: str
    kind: str
    amount: int
    basis: str
    cap: int | None
    online_discount_percent: int
    exemption_note: str
    case_code: str | None


class UnitRefOut(Schema):
    code: str
    name: str


class ProcedureDetailOut(ProcedureOut):
    processing_time_note: str
    result_name: str
    requirements: str
    legal_basis: list[Any]
    cases: list[CaseOut]
    fees: list[FeeOut]
    versions: list[VersionOut]
    competent_units: list[UnitRefOut]
    reception_points: list[UnitRefOut]


class ProcedureFilters(Schema):
    q: str = Field("", description="Tìm theo tên hoặc mã, không dấu cũng được")
    field: str = Field("", description="Mã lĩnh vực")
    level: str = Field("", description="Cấp thực hiện")
    unit: str = Field("", description="Mã đơn vị có thẩm quyền")
    online_mode: str = Field("", description="full, partial hoặc none")


def _procedure(p: Any, v: Any) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": v.name or p.name,
        "field_code": p.field.code,
        "field_name": p.field.name,
        "level": p.level,
        "online_mode": v.online_mode,
        "version": v.number,
        "processing_time_value": v.processing_time_value,
        "processing_time_unit": v.processing_time_unit,
    }


@catalogue.get(
    "/procedures",
    response=ProcedureList,
    auth=None,
    url_name="catalogue_procedures",
    summary="Danh mục thủ tục hành chính đang áp dụng",
)
def catalogue_procedures(
    request: HttpRequest, filters: Query[ProcedureFilters], page: Query[Page]
) -> dict[str, Any]:
    """Published procedures with their version in force, the same search as /thu-tuc/."""
    from motcua.catalog.selectors import SearchFilters, search_procedures

    hits = search_procedures(
        SearchFilters(
            query=filters.q[:200],
            field=filters.field,
            level=filters.level,
            unit=filters.unit,
            online_mode=filters.online_mode,
        )
    )
    count, rows = paginate(hits, page)
    return {"count": count, "items": [_procedure(h.procedure, h.version) for h in rows]}


@catalogue.get(
    "/procedures/{code}",
    response=ProcedureDetailOut,
    auth=None,
    url_name="catalogue_procedure",
    summary="Một thủ tục: phiên bản, trường hợp, thời hạn, phí và lệ phí",
)
def catalogue_procedure(request: HttpRequest, code: str) -> dict[str, Any]:
    from motcua.catalog import selectors as cat
    from motcua.catalog.constants import VersionStatus
    from motcua.catalog.models import Procedure

    try:
        procedure, version = cat.public_procedure(code)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc
    data = _procedure(procedure, version)
    data.update(
        processing_time_note=version.processing_time_note,
        result_name=version.result_name,
        requirements=version.requirements,
        legal_basis=list(version.legal_basis or []),
        cases=[
            {
                "code": c.code,
                "name": c.name,
                "is_default": c.is_default,
                "processing_time_value": cat.processing_time(version, c.code)[0],
                "processing_time_unit": cat.processing_time(version, c.code)[1],
            }
            for c in version.cases.all()
        ],
        fees=[
            {
                "code": f.code,
                "name": f.name,
                "kind": f.kind,
                "amount": f.amount,
                "basis": f.basis,
                "cap": f.cap,
                "online_discount_percent": f.online_discount_percent,
                "exemption_note": f.exemption_note,
                "case_code": f.case_code,
            }
            for f in cat.fee_specs(version)
        ],
        versions=[
            {
                "number": v.number,
                "status": v.status,
                "name": v.name,
                "effective_from": v.effective_from,
                "effective_to": v.effective_to,
                "published_at": v.published_at,
                "change_note": v.change_note,
            }
            for v in cat.versions_of(procedure).exclude(status=VersionStatus.DRAFT)
        ],
        competent_units=[{"code": u.code, "name": u.name} for u in cat.competent_units(procedure)],
        reception_points=[
            {"code": u.code, "name": u.name} for u in cat.reception_points(procedure)
        ],
    )
    return data


# --- organisation units ---------------------------------------------------------------

units = Router(tags=["org"])


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str | None
    depth: int
    admin_area_code: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class UnitList(Schema):
    count: int
    items: list[UnitOut]


class UnitNodeOut(Schema):
    code: str
    name: str
    kind: str
    valid: bool
    children: list[UnitNodeOut] = []


UnitNodeOut.model_rebuild()


class UnitFilters(Schema):
    q: str = Field("", description="Tìm trong mã hoặc tên")
    kind: str = Field("", description="Loại đơn vị")
    parent: str = Field("", description="Mã đơn vị cha: chỉ các đơn vị con trực tiếp")
    include_expired: bool = Field(False, description="Gồm cả đơn vị đã hết hiệu lực")


def _unit(u: OrgUnit) -> dict[str, Any]:
    return {
        "code": u.code,
        "name": u.name,
        "short_name": u.short_name,
        "kind": u.kind,
        "parent_code": u.parent.code if u.parent_id and u.parent else None,
        "depth": u.depth,
        "admin_area_code": u.admin_area_code,
        "valid_from": u.valid_from,
        "valid_to": u.valid_to,
    }


def _org_units(request: HttpRequest) -> QuerySet[OrgUnit]:
    client = _client(request)
    if client is not None:
        return scoped_units(request, scope="org:read")
    if not getattr(request.user, "is_officer", False):
        raise ApiError(
            403, _("Chỉ cán bộ hoặc ứng dụng được cấp quyền mới xem được."), "officers_only"
        )
    # Officers read the whole organisation, as on the back-office unit list.
    return OrgUnit.objects.all()


@units.get("/", response=UnitList, url_name="org_units", summary="Danh sách đơn vị (phẳng, có lọc)")
def org_units(
    request: HttpRequest, filters: Query[UnitFilters], page: Query[Page]
) -> dict[str, Any]:
    qs = _org_units(request).select_related("parent").order_by("path", "code")
    if not filters.include_expired:
        qs = qs.filter(unit_valid_on(timezone.localdate()))
    if filters.q:
        qs = qs.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent:
        qs = qs.filter(parent__code=filters.parent)
    count, rows = paginate(qs, page)
    return {"count": count, "items": [_unit(u) for u in rows]}


def _node(node: Any) -> dict[str, Any]:
    return {
        "code": node.unit.code,
        "name": node.unit.name,
        "kind": node.unit.kind,
        "valid": node.valid,
        "children": [_node(c) for c in node.children],
    }


@units.get(
    "/tree", response=list[UnitNodeOut], url_name="org_tree", summary="Cây đơn vị đang hiệu lực"
)
def org_tree(request: HttpRequest) -> list[dict[str, Any]]:
    return [_node(n) for n in unit_tree(within=_org_units(request))]


# --- working-day calendar (public, like the appointment calculator) -----------------

workdays = Router(tags=["workdays"])


class DayOut(Schema):
    date: dt.date
    working: bool
    reason: str
    source: str
    legal_basis: str


class YearOut(Schema):
    year: int
    unit: str | None
    working_days: int
    days: list[DayOut]


class DueLineOut(Schema):
    date: dt.date
    counted: bool
    reason: str


class DueOut(Schema):
    start: dt.datetime
    days: int
    unit: str | None
    due: dt.datetime
    notes: list[str]
    lines: list[DueLineOut]


class DueParams(Schema):
    start: dt.datetime = Field(..., description="Thời điểm tiếp nhận (ISO 8601)")
    days: int = Field(..., ge=0, le=365, description="Số ngày làm việc")
    unit: str = Field("", description="Mã đơn vị (lịch riêng của đơn vị)")


def _calendar_unit(code: str) -> OrgUnit | None:
    return _unit_by_code(code) if code else None


@workdays.get(
    "/{int:year}",
    response=YearOut,
    auth=None,
    url_name="workdays_year",
    summary="Lịch làm việc một năm: ngày nghỉ lễ, ngày làm bù",
)
def workdays_year(request: HttpRequest, year: int, unit: str = "") -> dict[str, Any]:
    """Days that differ from Monday–Friday (holidays, swaps, Saturday reception), with
    their reason and legal basis; `unit` applies that unit's calendar."""
    from motcua.workdays import selectors as wd

    first, last = wd.year_range()
    if not first <= year <= last:
        raise ApiError(
            400,
            _("Lịch làm việc chỉ có cho các năm %(first)s–%(last)s.")
            % {"first": first, "last": last},
            "year_out_of_range",
        )
    calendar_unit = _calendar_unit(unit)
    calendar = wd.get_calendar(calendar_unit)
    days = wd.year_exceptions(year, calendar_unit)
    working = calendar.working_days_between(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return {
        "year": year,
        "unit": calendar_unit.code if calendar_unit else None,
        "working_days": working,
        "days": [
            {
                "date": d.day,
                "working": d.working,
                "reason": d.reason,
                "source": d.source,
                "legal_basis": d.basis,
            }
            for d in days
        ],
    }


@workdays.get(
    "/due",
    response=DueOut,
    auth=None,
    url_name="workdays_due",
    summary="Cộng N ngày làm việc từ một thời điểm (ngày hẹn trả)",
)
def workdays_due(request: HttpRequest, params: Query[DueParams]) -> dict[str, Any]:
    """The same calculation and day-by-day explanation as the public calculator
    (office hours, 15:00 cut-off, holidays); a naive `start` is Vietnam time."""
    from motcua.workdays import selectors as wd
    from motcua.workdays.calendar import CalendarError, Duration

    calendar_unit = _calendar_unit(params.unit)
    days = params.days
    try:
        explanation = wd.get_calendar(calendar_unit).explain(params.start, Duration.days(days))
    except (CalendarError, ValueError, OverflowError) as exc:
        raise ApiError(400, str(exc) or _("Yêu cầu không hợp lệ."), "calendar_error") from exc
    return {
        "start": explanation.start,
        "days": days,
        "unit": calendar_unit.code if calendar_unit else None,
        "due": explanation.due,
        "notes": [str(n) for n in explanation.notes],
        "lines": [
            {"date": line.day, "counted": line.counted, "reason": str(line.reason)}
            for line in explanation.lines
        ],
    }


# --- monitoring scores ----------------------------------------------------------------

monitoring = Router(tags=["monitoring"])
MONITOR_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR})


class GroupScoreOut(Schema):
    key: str
    score: float | None
    max: float


class UnitScoreOut(Schema):
    unit_code: str
    unit_name: str
    kind: str
    has_data: bool
    total: float | None
    max: float
    band: str
    band_label: str
    colour: str
    colour_label: str
    groups: list[GroupScoreOut]


class ScoreList(Schema):
    start: dt.date
    end: dt.date
    count: int
    items: list[UnitScoreOut]


class ScoreFilters(Schema):
    start: dt.date = Field(..., description="Ngày đầu kỳ (YYYY-MM-DD)")
    end: dt.date = Field(..., description="Ngày cuối kỳ (YYYY-MM-DD)")
    unit: str = Field("", description="Mã đơn vị: đơn vị đó và các đơn vị con trực tiếp")
    kind: str = Field("", description="Loại đơn vị")


def _score(s: Any) -> dict[str, Any]:
    total, maximum, _level = s.metric("total")
    return {
        "unit_code": s.unit.code,
        "unit_name": s.unit.name,
        "kind": s.unit.kind,
        "has_data": s.has_data,
        "total": None if total is None else round(total, 2),
        "max": maximum,
        "band": s.band.key,
        "band_label": str(s.band.label),
        "colour": s.colour.key,
        "colour_label": str(s.colour.label),
        "groups": [
            {
                "key": key,
                "score": s.metric(f"group:{key}")[0],
                "max": s.metric(f"group:{key}")[1],
            }
            for key in s.card.groups
        ],
    }


@monitoring.get(
    "/scores",
    response=ScoreList,
    url_name="monitoring_scores",
    summary="Điểm đánh giá, xếp loại của các đơn vị trong kỳ (Quyết định 766)",
)
def monitoring_scores(
    request: HttpRequest, filters: Query[ScoreFilters], page: Query[Page]
) -> dict[str, Any]:
    """Each unit's score over its whole subtree, computed by the monitoring selectors
    (the dashboard's numbers)."""
    from motcua.monitoring.selectors import scores_for_units

    visible = scoped_units(request, scope="monitoring:read", roles=MONITOR_ROLES)
    if filters.end < filters.start or (filters.end - filters.start).days > 366:
        raise ApiError(
            400,
            _("Kỳ đánh giá không hợp lệ (tối đa một năm, ngày cuối sau ngày đầu)."),
            "invalid_period",
        )
    qs = visible.filter(unit_valid_on(filters.end)).order_by("path", "code")
    if filters.unit:
        root = qs.filter(code=filters.unit).first()
        qs = qs.filter(Q(pk=root.pk) | Q(parent_id=root.pk)) if root is not None else qs.none()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    count, rows = paginate(qs, page)
    scores = scores_for_units(rows, filters.start, filters.end)
    return {
        "start": filters.start,
        "end": filters.end,
        "count": count,
        "items": [_score(scores[u.pk]) for u in rows if u.pk in scores],
    }


class ForecastDossierOut(Schema):
    code: str
    flips_on: dt.date | None


class ForecastStepOut(Schema):
    day: dt.date
    colour_before: str
    colour_after: str
    dossiers: list[ForecastDossierOut]


class ForecastTargetOut(Schema):
    day: dt.date
    colour: str
    colour_label: str
    total: float | None
    steps: list[ForecastStepOut]


class UnitForecastOut(Schema):
    unit_code: str
    unit_name: str
    colour: str
    total: float | None
    friday: ForecastTargetOut
    month_end: ForecastTargetOut


class ForecastList(Schema):
    today: dt.date
    count: int
    items: list[UnitForecastOut]


class ForecastFilters(Schema):
    unit: str = Field("", description="Mã đơn vị: đơn vị đó và các đơn vị con trực tiếp")
    kind: str = Field("", description="Loại đơn vị")


def _target(t: Any) -> dict[str, Any]:
    return {
        "day": t.day,
        "colour": t.level.key,
        "colour_label": str(t.level.label),
        "total": None if t.total is None else round(t.total, 2),
        "steps": [
            {
                "day": s.day,
                "colour_before": s.before.key,
                "colour_after": s.after.key,
                "dossiers": [{"code": d.code, "flips_on": d.flips_on} for d in s.dossiers],
            }
            for s in t.steps
        ],
    }


@monitoring.get(
    "/forecast",
    response=ForecastList,
    url_name="monitoring_forecast",
    summary="Dự báo mức màu tháng của các đơn vị vào thứ Sáu và cuối tháng",
)
def monitoring_forecast(
    request: HttpRequest, filters: Query[ForecastFilters], page: Query[Page]
) -> dict[str, Any]:
    """The dashboard's colour forecast (issue 27 point 1): each unit's month-to-date
    colour on Friday and at the month end if nothing changes, with the dossiers that
    decide each change."""
    from motcua.monitoring.forecast_data import unit_forecasts

    visible = scoped_units(request, scope="monitoring:read", roles=MONITOR_ROLES)
    today = timezone.localdate()
    qs = visible.filter(unit_valid_on(today)).order_by("path", "code")
    if filters.unit:
        root = qs.filter(code=filters.unit).first()
        qs = qs.filter(Q(pk=root.pk) | Q(parent_id=root.pk)) if root is not None else qs.none()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    count, rows = paginate(qs, page)
    result = unit_forecasts(rows)
    items = []
    for u in rows:
        f = result.forecasts.get(u.pk)
        if f is None:
            continue
        items.append(
            {
                "unit_code": u.code,
                "unit_name": u.name,
                "colour": f.level.key,
                "total": None if f.total is None else round(f.total, 2),
                "friday": _target(f.targets["friday"]),
                "month_end": _target(f.targets["month_end"]),
            }
        )
    return {"today": today, "count": count, "items": items}


# --- dossiers for machine clients and officers ------------------------------------------

dossier_list = Router(tags=["dossiers"])


class DossierRowOut(Schema):
    id: int
    code: str | None
    procedure_code: str
    procedure: str
    status: str
    status_label: str
    national_status: int | None
    receiving_unit: str
    competent_unit: str
    channel: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    returned_at: dt.datetime | None


class DossierList(Schema):
    count: int
    items: list[DossierRowOut]


class DossierFilters(Schema):
    status: str = Field("", description="Trạng thái hồ sơ")
    unit: str = Field("", description="Mã đơn vị tiếp nhận hoặc giải quyết (gồm đơn vị con)")
    procedure: str = Field("", description="Mã thủ tục")
    code: str = Field("", description="Mã hồ sơ (đầu mã)")
    received_from: dt.date | None = Field(None, description="Tiếp nhận từ ngày")
    received_to: dt.date | None = Field(None, description="Tiếp nhận đến ngày")


def _row(d: Any) -> dict[str, Any]:
    from motcua.dossiers.constants import NATIONAL_STATUS

    return {
        "id": d.pk,
        "code": d.code,
        "procedure_code": d.procedure_version.procedure.code,
        "procedure": d.procedure_version.name,
        "status": d.status,
        "status_label": str(d.get_status_display()),
        "national_status": NATIONAL_STATUS.get(d.status),
        "receiving_unit": d.receiving_unit.code,
        "competent_unit": d.competent_unit.code,
        "channel": d.channel,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "completed_at": d.completed_at,
        "returned_at": d.returned_at,
    }


def dossiers_for(request: HttpRequest) -> QuerySet[Any]:
    """Clients: `dossiers:read`, dossiers received or handled by their units; officers:
    the worklist "all" tab (units_visible_to); citizens use /dossiers/mine."""
    from motcua.dossiers import selectors as sel

    client = _client(request)
    if client is None:
        if not getattr(request.user, "is_officer", False):
            raise ApiError(
                403,
                _("Công dân xem hồ sơ của mình tại /api/v1/dossiers/mine."),
                "officers_only",
            )
        return sel.worklist(request.user, "all")
    need_scope(client, "dossiers:read")
    return client_dossiers(client)


def client_dossiers(client: ApiClient) -> QuerySet[Any]:
    """Dossiers received or handled within the client's units (all when it is not bound
    to units); the caller checks the scope."""
    from motcua.dossiers.models import Dossier

    qs = Dossier.objects.select_related(
        "procedure_version__procedure", "receiving_unit", "competent_unit"
    )
    bound = client_units(client)
    if bound is None:
        return qs
    visible = list(bound.values_list("pk", flat=True))
    return qs.filter(Q(receiving_unit_id__in=visible) | Q(competent_unit_id__in=visible))


@dossier_list.get(
    "/",
    response=DossierList,
    url_name="dossier_list",
    summary="Danh sách hồ sơ trong phạm vi (lọc, phân trang)",
)
def dossier_list_view(
    request: HttpRequest, filters: Query[DossierFilters], page: Query[Page]
) -> dict[str, Any]:
    qs = dossiers_for(request).exclude(status="draft")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.unit:
        root = _unit_by_code(filters.unit)
        qs = qs.filter(
            Q(receiving_unit__path__startswith=root.path)
            | Q(competent_unit__path__startswith=root.path)
        )
    if filters.procedure:
        qs = qs.filter(procedure_version__procedure__code=filters.procedure)
    if filters.code:
        qs = qs.filter(code__startswith=filters.code)
    if filters.received_from:
        qs = qs.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        qs = qs.filter(received_at__date__lte=filters.received_to)
    count, rows = paginate(qs.order_by("-created_at", "-pk"), page)
    return {"count": count, "items": [_row(d) for d in rows]}


def client_may_write(client: ApiClient, dossier: Any) -> bool:
    """`dossiers:write` and the dossier is received or handled within the client's
    units (for status writes by machine clients)."""
    if not client.has_scope("dossiers:write"):
        return False
    bound = client_units(client)
    if bound is None:
        return True
    return bound.filter(pk__in=[dossier.receiving_unit_id, dossier.competent_unit_id]).exists()
