"""API of the load forecast (issue 27 point 4): read a unit's board (scope
`monitoring:read`) and apply one of its suggestions (scope `dossiers:write`, as the
client's acting account, who must be the unit's head) — the same selector and service
as the back-office page (monitoring/load_store.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from motcua.api.models import ApiClient
from motcua.api.problems import ApiError
from motcua.core import request_context
from motcua.dossiers.errors import DossierError, NotPermitted
from motcua.monitoring import load_store
from motcua.org.models import OrgUnit

router = Router(tags=["monitoring"])


class CellOut(Schema):
    day: dt.date
    load: int
    capacity: float
    away: bool
    late: int
    covered: int
    colour: str


class OfficerLoadOut(Schema):
    officer_id: int | None
    name: str
    roles: list[str]
    pace: float | None
    cells: list[CellOut]


class SuggestionOut(Schema):
    key: str
    kind: str
    dossier_id: int
    dossier_code: str
    expected_version: int
    step_id: int
    step_name: str
    due: dt.date
    from_officer: int
    to_officer: int | None
    reason: str


class LoadOut(Schema):
    unit_code: str
    unit_name: str
    days: list[dt.date]
    totals: list[int]
    officers: list[OfficerLoadOut]
    suggestions: list[SuggestionOut]


class LoadFilters(Schema):
    unit: str = Field(..., description="Mã đơn vị")


class ApplyIn(Schema):
    unit: str = Field(..., description="Mã đơn vị")
    step_id: int
    to_officer: int
    expected_version: int


class ApplyOut(Schema):
    dossier_id: int
    dossier_code: str | None
    version: int
    assignee: int | None


def _client(request: HttpRequest) -> ApiClient | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiClient) else None


def _unit(request: HttpRequest, code: str, scope: str) -> OrgUnit:
    """The unit if the caller may use its board (404 otherwise: codes are not probed)."""
    from motcua.api.readers import need_scope
    from motcua.api.services import client_units

    client = _client(request)
    if client is not None:
        need_scope(client, scope)
        bound = client_units(client)
        qs = OrgUnit.objects.all() if bound is None else bound
    else:
        if not getattr(request.user, "is_officer", False):
            raise ApiError(
                403, _("Chỉ cán bộ hoặc ứng dụng được cấp quyền mới xem được."), "officers_only"
            )
        qs = load_store.load_units(request.user)
    unit = qs.filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


@router.get(
    "/load",
    response=LoadOut,
    url_name="monitoring_load",
    summary="Dự báo tải xử lý của đơn vị trong 10 ngày làm việc tới và đề xuất phân công lại",
)
def load_read(request: HttpRequest, filters: Query[LoadFilters]) -> dict[str, Any]:
    """Each officer's due-load per working day (pace, absences, delegations) and the
    suggestions to reassign before a step is late (docs/monitoring.md)."""
    unit = _unit(request, filters.unit, "monitoring:read")
    load = load_store.unit_load(unit)
    days = load.forecast.days
    officers = []
    for officer, cells in load.row_list():
        officers.append(
            {
                "officer_id": officer.id if officer else None,
                "name": officer.name if officer else _("Chưa phân công hoặc cán bộ ngoài đơn vị"),
                "roles": sorted(officer.roles) if officer else [],
                "pace": round(officer.pace, 2) if officer else None,
                "cells": [
                    {
                        "day": day,
                        "load": c.load,
                        "capacity": round(c.capacity, 2),
                        "away": c.away,
                        "late": c.late,
                        "covered": c.covered,
                        "colour": c.colour,
                    }
                    for day, c in zip(days, cells, strict=True)
                ],
            }
        )
    return {
        "unit_code": unit.code,
        "unit_name": unit.name,
        "days": days,
        "totals": load.forecast.totals,
        "officers": officers,
        "suggestions": [
            {
                "key": s.key,
                "kind": s.kind,
                "dossier_id": s.step.dossier_id,
                "dossier_code": s.step.dossier_code,
                "expected_version": s.step.version,
                "step_id": s.step.id,
                "step_name": s.step.name,
                "due": s.step.due,
                "from_officer": s.from_officer,
                "to_officer": s.to_officer,
                "reason": s.reason,
            }
            for s in load.forecast.suggestions
        ],
    }


@router.post(
    "/load/apply",
    response=ApplyOut,
    url_name="monitoring_load_apply",
    summary="Áp dụng một đề xuất phân công lại (người đứng đầu đơn vị)",
)
def load_apply(request: HttpRequest, payload: ApplyIn) -> dict[str, Any]:
    """As the page's «Áp dụng»: the head's `assign`, audited; a client acts as its
    acting account (which must be the unit's head). A suggestion no longer current is
    409 `stale_suggestion`: read the board again."""
    unit = _unit(request, payload.unit, "dossiers:write")
    client = _client(request)
    actor: Any = request.user
    via = ""
    if client is not None:
        actor = client.acting_user
        if actor is None or not actor.is_active:
            raise ApiError(
                403,
                _("Ứng dụng chưa được gán tài khoản nghiệp vụ nên không thể cập nhật hồ sơ."),
                "no_acting_account",
            )
        via = f"API: {client.name}"

    def call() -> Any:
        return load_store.load_suggestion_apply(
            actor=actor,
            unit=unit,
            step_id=payload.step_id,
            to_user_id=payload.to_officer,
            expected_version=payload.expected_version,
        )

    try:
        if via:
            with request_context.acting_via(via):
                d = call()
        else:
            d = call()
    except load_store.StaleSuggestion as exc:
        raise ApiError(409, str(exc), "stale_suggestion") from exc
    except (PermissionDenied, NotPermitted) as exc:
        raise ApiError(403, str(exc) or _("Bạn không có quyền."), "not_permitted") from exc
    except DossierError as exc:
        raise ApiError(400, str(exc), "dossier_error") from exc
    return {
        "dossier_id": d.pk,
        "dossier_code": d.code,
        "version": d.version,
        "assignee": d.assignee_id,
    }
