"""REST endpoints for dossiers (django-ninja Router). Mount in motcua/api/v1.py with:
    from motcua.dossiers.api import router as dossiers_router
    api.add_router("/dossiers/", dossiers_router)
Thin adapters over selectors and services, same permission rules as the pages.

Callers: session officers and citizens, and API clients (bearer token). A client reads a
dossier with scope `dossiers:read` and changes its status with `dossiers:write`, only
for dossiers received or handled within its units (anything else is 404, so ids cannot
be probed). A client acts through its acting account (`ApiClient.acting_user`): the
services check that account's roles exactly as for a person, and the audit entry
records `via: "API: <client name>"`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from motcua.api.models import ApiClient
from motcua.api.problems import ApiError
from motcua.core import request_context
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


def _client(request: HttpRequest) -> ApiClient | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiClient) else None


def _client_acting_user(client: ApiClient) -> Any:
    """The client's acting account when it may act now (an active officer), else None."""
    user = client.acting_user
    if user is None or not user.is_active or not getattr(user, "is_officer", False):
        return None
    return user


def _client_actions(client: ApiClient, d: Any) -> list[str]:
    from motcua.api.readers import client_may_write

    user = _client_acting_user(client)
    if user is None or not client_may_write(client, d):
        return []
    return [t.action for t in sel.available_actions(user, d)]


def _out(request: HttpRequest, d: Any) -> DossierOut:
    user = request.user
    client = _client(request)
    if client is not None:
        actions = _client_actions(client, d)
    elif getattr(user, "is_officer", False):
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


def _load_for_client(client: ApiClient, pk: int) -> Any:
    """A dossier of the client's units (drafts are never shown), else 404."""
    from motcua.api.readers import client_dossiers

    d = client_dossiers(client).exclude(status="draft").filter(pk=pk).first()
    if d is None:
        raise Http404
    return d


def _load(request: HttpRequest, pk: int) -> Any:
    client = _client(request)
    if client is not None:
        return _load_for_client(client, pk)
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
        raise ApiError(400, _("Tham số không hợp lệ cho thao tác này."), "invalid_params") from exc
    if "new_due_at" in kwargs:
        moment = parse_datetime(str(kwargs["new_due_at"]))
        if moment is None:
            raise ApiError(400, _("Ngày hẹn mới không hợp lệ."), "invalid_params")
        kwargs["new_due_at"] = moment
    return kwargs


@router.get("/mine", response=list[DossierOut], summary="Hồ sơ của tôi (công dân)")
def mine(request: HttpRequest) -> list[DossierOut]:
    # An API client (token) is not a citizen: it has no dossiers of its own.
    from motcua.accounts.models import User

    if not isinstance(request.user, User):
        raise ApiError(
            403, _("Chỉ công dân, tổ chức có danh sách hồ sơ của mình."), "not_an_applicant"
        )
    return [_out(request, d) for d in sel.my_dossiers(request.user)[:100]]


@router.get("/{pk}", response=DossierOut, summary="Một hồ sơ")
def detail(request: HttpRequest, pk: int) -> DossierOut:
    """API clients need scope `dossiers:read`; the dossier must be within their units."""
    client = _client(request)
    if client is not None:
        from motcua.api.readers import need_scope

        need_scope(client, "dossiers:read")
    return _out(request, _load(request, pk))


def _client_actor(client: ApiClient, d: Any) -> Any:
    """Checks for a client's write: scope, units (404: no probing), acting account."""
    from motcua.api.readers import client_may_write, need_scope

    need_scope(client, "dossiers:write")
    if not client_may_write(client, d):
        raise Http404
    user = _client_acting_user(client)
    if user is None:
        raise ApiError(
            403,
            _("Ứng dụng chưa được gán tài khoản nghiệp vụ nên không thể cập nhật hồ sơ."),
            "no_acting_account",
        )
    return user


@router.post("/{pk}/actions/{action}", response=DossierOut, summary="Thực hiện thao tác")
def act(request: HttpRequest, pk: int, action: str, payload: ActionIn) -> DossierOut:
    """API clients need scope `dossiers:write`, the dossier within their units and an
    acting account; the transition runs as that account, audited `via` the client."""
    client = _client(request)
    if client is not None:
        from motcua.api.readers import need_scope

        need_scope(client, "dossiers:write")
    d = _load(request, pk)
    service = services.SERVICES.get(action)
    if service is None:
        raise Http404
    actor: Any = request.user
    via = ""
    if client is not None:
        actor = _client_actor(client, d)
        via = f"API: {client.name}"
    kwargs = _resolve(payload.params)
    if wf.transition(action).reason_required or payload.reason:
        kwargs["reason"] = payload.reason
    try:
        if via:
            with request_context.acting_via(via):
                service(dossier=d, actor=actor, expected_version=payload.expected_version, **kwargs)
        else:
            service(dossier=d, actor=actor, expected_version=payload.expected_version, **kwargs)
    except ConcurrentModification as exc:
        raise ApiError(409, str(exc), "version_conflict") from exc
    except NotPermitted as exc:
        raise ApiError(403, str(exc), "not_permitted") from exc
    except DossierError as exc:
        raise ApiError(400, str(exc), "dossier_error") from exc
    except TypeError as exc:  # unknown parameter for this action
        raise ApiError(400, _("Tham số không hợp lệ cho thao tác này."), "invalid_params") from exc
    return _out(request, _load(request, pk))
