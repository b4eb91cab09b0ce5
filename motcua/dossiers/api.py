"""REST endpoints for dossiers (django-ninja Router). Mount in motcua/api/v1.py with:
    from motcua.dossiers.api import router as dossiers_router
    api.add_router("/dossiers/", dossiers_router)
Thin adapters over selectors and services, same permission rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from motcua.dossiers import selectors as sel
from motcua.dossiers import services
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import NATIONAL_STATUS
from motcua.dossiers.errors import ConcurrentModification, DossierError, NotPermitted

router = Router(tags=["dossiers"])


class DossierOut(Schema):
    id: int
    code: str | None
    procedure: str
    status: str
    status_label: str
    national_status: int | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    version: int
    time_flag: str
    actions: list[str]


class ActionIn(Schema):
    expected_version: int
    reason: str = ""
    params: dict[str, Any] = {}


def _out(request: HttpRequest, d: Any) -> DossierOut:
    user = request.user
    if getattr(user, "is_officer", False):
        actions = [t.action for t in sel.available_actions(user, d)]
    else:
        actions = [t.action for t in wf.actions_for(d.status, {"applicant"})]
    return DossierOut(
        id=d.pk,
        code=d.code,
        procedure=d.procedure_version.name,
        status=d.status,
        status_label=str(d.get_status_display()),
        national_status=NATIONAL_STATUS.get(d.status),
        received_at=d.received_at,
        due_at=d.due_at,
        version=d.version,
        time_flag=sel.time_state_of(d).flag,
        actions=actions,
    )


def _load(request: HttpRequest, pk: int) -> Any:
    user = request.user
    if getattr(user, "is_officer", False):
        return sel.dossier_for_officer(user, pk)
    if getattr(user, "is_citizen", False):
        return sel.dossier_for_applicant(user, pk)
    raise Http404


def _resolve(params: dict[str, Any]) -> dict[str, Any]:
    """Ids and ISO strings in `params` become the objects the services expect."""
    from django.utils.dateparse import parse_datetime

    from motcua.accounts.models import User
    from motcua.org.models import OrgUnit

    kwargs = dict(params)
    try:
        if "assignee" in kwargs:
            kwargs["assignee"] = User.objects.get(pk=int(kwargs["assignee"]))
        if "to_unit" in kwargs:
            kwargs["to_unit"] = OrgUnit.objects.get(pk=int(kwargs["to_unit"]))
    except (User.DoesNotExist, OrgUnit.DoesNotExist, TypeError, ValueError) as exc:
        raise HttpError(400, "Tham số không hợp lệ cho thao tác này.") from exc
    if "new_due_at" in kwargs:
        moment = parse_datetime(str(kwargs["new_due_at"]))
        if moment is None:
            raise HttpError(400, "Ngày hẹn mới không hợp lệ.")
        kwargs["new_due_at"] = moment
    return kwargs


@router.get("/mine", response=list[DossierOut], summary="Hồ sơ của tôi (công dân)")
def mine(request: HttpRequest) -> list[DossierOut]:
    # An API client (token) is not a citizen: it has no dossiers of its own.
    from motcua.accounts.models import User

    if not isinstance(request.user, User):
        raise HttpError(403, "Chỉ công dân, tổ chức có danh sách hồ sơ của mình.")
    return [_out(request, d) for d in sel.my_dossiers(request.user)[:100]]


@router.get("/{pk}", response=DossierOut, summary="Một hồ sơ")
def detail(request: HttpRequest, pk: int) -> DossierOut:
    return _out(request, _load(request, pk))


@router.post("/{pk}/actions/{action}", response=DossierOut, summary="Thực hiện thao tác")
def act(request: HttpRequest, pk: int, action: str, payload: ActionIn) -> DossierOut:
    d = _load(request, pk)
    service = services.SERVICES.get(action)
    if service is None:
        raise Http404
    kwargs = _resolve(payload.params)
    if wf.transition(action).reason_required or payload.reason:
        kwargs["reason"] = payload.reason
    try:
        service(dossier=d, actor=request.user, expected_version=payload.expected_version, **kwargs)
    except ConcurrentModification as exc:
        raise HttpError(409, str(exc)) from exc
    except NotPermitted as exc:
        raise HttpError(403, str(exc)) from exc
    except DossierError as exc:
        raise HttpError(400, str(exc)) from exc
    except TypeError as exc:  # unknown parameter for this action
        raise HttpError(400, "Tham số không hợp lệ cho thao tác này.") from exc
    return _out(request, _load(request, pk))
