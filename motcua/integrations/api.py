"""REST endpoints of the national-portal sync (django-ninja Router). Mount in
motcua/api/v1.py with:
    from motcua.integrations.api import router as integrations_router
    api.add_router("/sync/", integrations_router)
Session users must be supervisors or administrators (their units); API clients need
the `reports:read` scope and see their units (all units when not bound to any)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from motcua.integrations import selectors
from motcua.integrations.models import OutboxMessage
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import units_visible_to, user_roles


def _units(request: HttpRequest) -> QuerySet[OrgUnit]:
    from motcua.api.models import ApiClient
    from motcua.api.v1 import require_scope

    require_scope(request, "reports:read")
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiClient):
        from motcua.api.services import client_units

        bound = client_units(auth)
        return OrgUnit.objects.all() if bound is None else bound
    if not user_roles(request.user) & {Role.SUPERVISOR, Role.ADMINISTRATOR}:
        raise PermissionDenied
    return units_visible_to(request.user)


class ReconRowOut(Schema):
    unit_code: str | None
    unit_name: str | None
    expected: int
    synced: int
    up_to_date: int
    pending: int
    dead: int
    ratio: float
    missing: list[str]


class ReconOut(Schema):
    start: dt.date
    end: dt.date
    total: ReconRowOut
    units: list[ReconRowOut]


def _row(r: selectors.ReconRow) -> dict[str, Any]:
    return {
        "unit_code": r.unit.code if r.unit else None,
        "unit_name": r.unit.name if r.unit else None,
        "expected": r.expected,
        "synced": r.synced,
        "up_to_date": r.up_to_date,
        "pending": r.pending,
        "dead": r.dead,
        "ratio": r.ratio,
        "missing": r.missing[:100],
    }


class MessageOut(Schema):
    id: int
    ma_ho_so: str
    service: str
    seq: int
    status: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None


EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
MAX_SPAN_DAYS = 366


def build_router() -> Router:
    """A new Router each call (a ninja Router attaches to one API only; tests mount
    their own)."""
    router = Router(tags=["sync"])

    @router.get(
        "/reconciliation", response=ReconOut, summary="Đối soát đồng bộ DVCQG (chỉ tiêu 1.4)"
    )
    def reconciliation(
        request: HttpRequest, start: dt.date, end: dt.date, unit: str = ""
    ) -> dict[str, Any]:
        from motcua.api.problems import ApiError

        if not (EARLIEST <= start <= end <= LATEST) or (end - start).days > MAX_SPAN_DAYS:
            raise ApiError(
                400,
                _("Khoảng ngày không hợp lệ: từ ngày không sau đến ngày, tối đa 366 ngày.")
                + " "
                + _("Ngày trong khoảng 2000–2100."),
                "invalid_period",
            )
        units = _units(request)
        if unit:
            root = units.filter(code=unit).first()
            units = units.filter(path__startswith=root.path) if root else units.none()
        rows, total = selectors.reconciliation(units, start, end)
        return {"start": start, "end": end, "total": _row(total), "units": [_row(r) for r in rows]}

    @router.get("/messages", response=list[MessageOut], summary="Thông điệp đồng bộ")
    def messages(
        request: HttpRequest,
        ma_ho_so: str = "",
        status: str = "",
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> QuerySet[OutboxMessage]:
        """Filter by dossier code and/or status (pending, delivered, dead); newest first."""
        qs = OutboxMessage.objects.filter(unit__in=_units(request)).order_by("-pk")
        if ma_ho_so:
            qs = qs.filter(ma_ho_so=ma_ho_so)
        if status:
            qs = qs.filter(status=status)
        limit = max(1, min(limit, 200))
        offset = max(0, offset)
        return qs[offset : offset + limit]

    return router


router = build_router()
