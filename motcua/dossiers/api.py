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
import logging
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, File, Form, Router, Schema, UploadedFile
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict, Field

from motcua.api.models import ApiClient
from motcua.api.problems import ApiError
from motcua.core import request_context
from motcua.dossiers import selectors as sel
from motcua.dossiers import services
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import NATIONAL_STATUS
from motcua.dossiers.errors import ConcurrentModification, DossierError, NotPermitted
from motcua.dossiers.supplement import FILE_ACTIONS

logger = logging.getLogger(__name__)

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


class _ActionIn(Schema):
    """Common to every action: the record version (optimistic locking). Nothing else is
    accepted unless the action's own schema says so: no `now` (time is the server's), no
    `form_answers`, no `result_files`; unknown fields are a 422."""

    model_config = ConfigDict(extra="forbid")

    expected_version: int = Field(ge=0, le=2_000_000_000)


class NoReasonIn(_ActionIn):
    pass


class ReasonIn(_ActionIn):
    reason: str = Field(min_length=1, max_length=4000)


class NoteIn(_ActionIn):
    reason: str = Field("", max_length=4000, description="Ghi chú")


class AssignIn(_ActionIn):
    assignee: int = Field(ge=1, le=2**31 - 1, description="Chuyên viên của cơ quan giải quyết")


class ReceiveIn(_ActionIn):
    # Only for immediate-result procedures: Form 01 if the applicant asks (law.md R7).
    form01_requested: bool = True


class TransferIn(ReasonIn):
    to_unit: int = Field(ge=1, le=2**31 - 1)


class ConsultIn(ReasonIn):
    consulted_units: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default_factory=list, max_length=50
    )
    # Each body's answer time in working days (law.md R16a); none: the dossier's due.
    answer_days: int | None = Field(None, ge=1, le=60)


class ExtendIn(ReasonIn):
    new_due_at: dt.datetime
    reason_kind: Literal["subjective", "objective"]


class SupplementItemIn(Schema):
    """One requested paper (law.md R12b): a component of the procedure version the
    dossier was received under (`component`, the page's ticked item), or a paper outside
    the published list (`name`, the page's "other papers"; it is reported to the head of
    the unit and to inspection). Each with its reason."""

    model_config = ConfigDict(extra="forbid")

    component: int | None = Field(None, ge=1, le=2**31 - 1)
    name: str = Field("", max_length=300)
    reason: str = Field(min_length=1, max_length=1000)


class SupplementIn(_ActionIn):
    """Form 02 after appraisal: the papers asked for, each with its reason; `reason` is
    the general guidance (alone, as older clients send it, it counts as a request
    outside the published list). `approval_reason`: the leader's, for a second request
    under the Decree 61/2018 rule set."""

    reason: str = Field("", max_length=4000)
    items: list[SupplementItemIn] = Field(default_factory=list, max_length=50)
    approval_reason: str = Field("", max_length=4000)


class IssueIn(_ActionIn):
    result_number: str = Field(min_length=1, max_length=100)
    result_summary: str = Field("", max_length=4000)


class ReturnIn(_ActionIn):
    channel: Literal["counter", "post", "online", "warehouse"]
    collected_by: str = Field("", max_length=200)


def _schema_of(action: str) -> type[_ActionIn]:
    """The input schema of an action: the fields of its page form, nothing more."""
    special: dict[str, type[_ActionIn]] = {
        "request_supplement": SupplementIn,
        "receive": ReceiveIn,
        "assign": AssignIn,
        "transfer": TransferIn,
        "start_consultation": ConsultIn,
        "extend_with_apology": ExtendIn,
        "issue_result": IssueIn,
        "return_result": ReturnIn,
        "submit_for_approval": NoteIn,
        "approve": NoteIn,
    }
    if action in special:
        return special[action]
    return ReasonIn if wf.transition(action).reason_required else NoReasonIn


ACTION_SCHEMAS: dict[str, type[_ActionIn]] = {a: _schema_of(a) for a in services.SERVICES}
# The applicant supplements and resubmits with files (the portal's dossier page, or the
# multipart operation `act_with_files`), where the files pass the documents checks; a
# JSON body cannot carry them.


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


def dossier_out(request: HttpRequest, d: Any) -> DossierOut:
    user = request.user
    client = _client(request)
    if client is not None:
        actions = _client_actions(client, d)
    elif getattr(user, "is_officer", False):
        actions = [t.action for t in sel.available_actions(user, d)]
    else:
        actions = [
            t.action for t in wf.actions_for(d.status, {"applicant"}, d.rules.disabled_in(d.status))
        ]
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


def api_read_note(request: HttpRequest, d: Any, **what: str) -> None:
    """The read log (law.md R32a): an officer's read through the API."""
    from motcua.privacy.readlog import api_read_note as note

    note(request, d, **what)


def dossier_load(request: HttpRequest, pk: int) -> Any:
    client = _client(request)
    if client is not None:
        return _load_for_client(client, pk)
    user = request.user
    if getattr(user, "is_officer", False):
        return sel.dossier_for_officer(user, pk)
    if getattr(user, "is_citizen", False):
        return sel.dossier_for_applicant(user, pk)
    raise Http404


def _kwargs(action: str, d: Any, body: _ActionIn) -> dict[str, Any]:
    """The service's keyword arguments from a validated body; ids must be what the page
    would offer (a specialist of the competent authority, an existing unit)."""
    from motcua.org.models import OrgUnit

    kwargs = body.model_dump(exclude={"expected_version"})
    if action in {"submit_for_approval", "approve"}:
        kwargs["note"] = kwargs.pop("reason", "")
    if isinstance(body, AssignIn):
        chosen = [u for u in sel.specialists_of(d.competent_unit_id) if u.pk == body.assignee]
        if not chosen:
            raise _invalid("assignee", _("Người được chọn không phải chuyên viên của cơ quan."))
        kwargs["assignee"] = chosen[0]
    if isinstance(body, TransferIn):
        unit = OrgUnit.objects.filter(pk=body.to_unit).first()
        if unit is None:
            raise _invalid("to_unit", _("Không tìm thấy cơ quan nhận."))
        kwargs["to_unit"] = unit
    if isinstance(body, ConsultIn):
        wanted = set(body.consulted_units)
        units = list(OrgUnit.objects.filter(pk__in=wanted))
        if len(units) != len(wanted):
            raise _invalid("consulted_units", _("Không tìm thấy cơ quan được lấy ý kiến."))
        kwargs["consulted_units"] = units
    if isinstance(body, SupplementIn):
        from motcua.dossiers.supplement_items import SupplementItem

        for index, item in enumerate(body.items):
            if (item.component is None) == (not item.name.strip()):
                raise _invalid(
                    f"items.{index}",
                    _("Mỗi mục: chọn một thành phần hồ sơ hoặc nhập tên giấy tờ, không cả hai."),
                )
        kwargs["items"] = [
            SupplementItem(reason=i.reason, component_id=i.component, name=i.name.strip())
            for i in body.items
        ] or None
    if isinstance(body, ExtendIn) and timezone.is_naive(body.new_due_at):
        kwargs["new_due_at"] = timezone.make_aware(body.new_due_at)
    return kwargs


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422,
        _("Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra các trường được liệt kê."),
        "validation_error",
        errors=[{"loc": f"body.{field}", "type": "value_error", "msg": message}],
    )


def _parse(action: str, raw: Any) -> _ActionIn:
    from pydantic import ValidationError as PydanticError

    try:
        return ACTION_SCHEMAS[action].model_validate(raw)
    except PydanticError as exc:
        errors = [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]
        raise NinjaValidationError(errors) from exc


def _action_body_doc() -> dict[str, Any]:
    """OpenAPI: the body is the schema of the action named in the path (oneOf)."""
    classes = sorted(set(ACTION_SCHEMAS.values()), key=lambda cls: cls.__name__)
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"oneOf": [cls.model_json_schema() for cls in classes]}
                }
            },
        },
        "x-action-schemas": {a: cls.__name__ for a, cls in sorted(ACTION_SCHEMAS.items())},
    }


@router.get("/mine", response=list[DossierOut], summary="Hồ sơ của tôi (công dân)")
def mine(request: HttpRequest) -> list[DossierOut]:
    # An API client (token) is not a citizen: it has no dossiers of its own.
    from motcua.accounts.models import User

    if not isinstance(request.user, User):
        raise ApiError(
            403, _("Chỉ công dân, tổ chức có danh sách hồ sơ của mình."), "not_an_applicant"
        )
    return [dossier_out(request, d) for d in sel.my_dossiers(request.user)[:100]]


@router.get("/{pk}", response=DossierOut, summary="Một hồ sơ")
def detail(request: HttpRequest, pk: int) -> DossierOut:
    """API clients need scope `dossiers:read`; the dossier must be within their units."""
    client = _client(request)
    if client is not None:
        from motcua.api.readers import need_scope

        need_scope(client, "dossiers:read")
    d = dossier_load(request, pk)
    api_read_note(request, d)
    return dossier_out(request, d)


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


@router.post(
    "/{pk}/actions/{action}",
    response=DossierOut,
    summary="Thực hiện thao tác",
    openapi_extra=_action_body_doc(),
)
def act(request: HttpRequest, pk: int, action: str, payload: Body[dict[str, Any]]) -> DossierOut:
    """API clients need scope `dossiers:write`, the dossier within their units and an
    acting account; the transition runs as that account, audited `via` the client.
    The body follows the action's own schema (`x-action-schemas`): only the fields of
    the action's page form; the time is always the server's."""
    client = _client(request)
    if client is not None:
        from motcua.api.readers import need_scope

        need_scope(client, "dossiers:write")
    d = dossier_load(request, pk)
    service = services.SERVICES.get(action)
    if service is None:
        raise Http404
    body = _parse(action, payload)
    actor: Any = request.user
    via = ""
    if client is not None:
        actor = _client_actor(client, d)
        via = f"API: {client.name}"
    if action in FILE_ACTIONS and d.applicant_id == getattr(actor, "pk", None):
        raise ApiError(
            422,
            _("Giấy tờ bổ sung phải gửi kèm tệp: dùng POST /dossiers/{id}/files/{action}."),
            "files_required",
        )
    kwargs = _kwargs(action, d, body)

    def call() -> None:
        service(dossier=d, actor=actor, expected_version=body.expected_version, **kwargs)

    if via:
        with request_context.acting_via(via):
            _run(call)
    else:
        _run(call)
    # The form the action issues is kept (and signed by the head where the law says
    # so, law.md R14, R20) exactly as on the dossier page; a failure never undoes it.
    from motcua.dossiers.forms_pdf import issued_form_keep

    warning = issued_form_keep(
        dossier_load(request, pk), action, actor=actor, base_url=request.build_absolute_uri("/")
    )
    if warning:
        logger.warning("dossier %s, action %s: %s", pk, action, warning)
    return dossier_out(request, dossier_load(request, pk))


def _run(call: Any) -> None:
    """A service call with its refusals as problem answers."""
    from motcua.documents.inspection import UploadRejected

    try:
        call()
    except ConcurrentModification as exc:
        raise ApiError(409, str(exc), "version_conflict") from exc
    except NotPermitted as exc:
        raise ApiError(403, str(exc), "not_permitted") from exc
    except DossierError as exc:
        raise ApiError(400, str(exc), "dossier_error") from exc
    except UploadRejected as exc:
        raise ApiError(422, exc.message, "upload_rejected") from exc


@router.post(
    "/{pk}/files/{action}",
    response=DossierOut,
    summary="Bổ sung, nộp lại hồ sơ kèm tệp (người nộp)",
)
def act_with_files(
    request: HttpRequest,
    pk: int,
    action: Literal["supplement_provided", "resubmit"],
    expected_version: Form[int | None] = None,
    files: File[list[UploadedFile] | None] = None,
    note: Form[str] = "",
) -> DossierOut:
    """The applicant's supplement or resubmission (multipart: `expected_version`,
    `files`, optional `note`), exactly as on the portal's dossier page: the files pass
    the documents checks and become one "Giấy tờ bổ sung" component."""
    from motcua.dossiers.supplement import applicant_files_send

    if _client(request) is not None or not getattr(request.user, "is_citizen", False):
        raise ApiError(
            403, _("Chỉ người nộp hồ sơ gửi giấy tờ bổ sung kèm tệp."), "not_an_applicant"
        )
    d = dossier_load(request, pk)
    # Checked after the caller's right to the dossier (a refusal is never a 422).
    if expected_version is None:
        raise _invalid("expected_version", _("Thiếu phiên bản hồ sơ (expected_version)."))
    version = expected_version
    _run(
        lambda: applicant_files_send(
            dossier=d,
            actor=request.user,
            action=action,
            expected_version=version,
            uploads=files or [],
            note=note[:300],
        )
    )
    return dossier_out(request, dossier_load(request, pk))
