"""Online applications through the API: the portal wizard's second door.

An application is the portal's server-side draft (dossiers.DossierDraft) and goes
through the same services as the wizard (dossiers.services.drafts): the e-form answers
are validated by the procedure's e-form (catalog.eforms, exactly as the wizard's form
step), the components needed follow from the answers (applying.plan_components), each
attachment passes the documents checks (store_citizen_files: sniffing, inspection,
size limits), and submission is `draft_submit` -> `dossier_submit_online` (Decree
61/2018 Art. 16(3)), then the fees due at submission are requested as on the portal.

Callers: a citizen or business by their session (their own applications; a citizen's
open draft of the same procedure is the same application in both doors), or an API
client with scope `dossiers:create` on a citizen's behalf (the applicant named by their
personal identification number, the reception point within the client's units). A
client sees only the applications it opened; its writes are audited `via` the client.
Every create (`POST /applications/`, `POST /applications/{id}/submit`) needs an
`Idempotency-Key` (motcua/api/idempotency.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.http import Http404, HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict, Field

from motcua.api.idempotency import HEADER_DOC, idempotent_create
from motcua.api.models import ApiClient, ClientApplication
from motcua.api.problems import ApiError
from motcua.core import request_context
from motcua.dossiers.api import DossierOut, dossier_out
from motcua.dossiers.api import _invalid as invalid_field

router = Router(tags=["applications"])

PREFIX = "eform"


class ApplicationIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "procedure_version": 12,
                    "receiving_unit": 3,
                    "case": None,
                    "answers": {"ho_ten": "Nguyễn Văn An", "so_ban_sao": 2},
                    "applicant_personal_id": "001090000001",
                }
            ]
        },
    )

    procedure_version: int = Field(ge=1, le=2**31 - 1, description="Phiên bản thủ tục")
    receiving_unit: int = Field(ge=1, le=2**31 - 1, description="Nơi tiếp nhận hồ sơ")
    case: str | None = Field(None, max_length=50, description="Mã trường hợp (nếu có)")
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Nội dung tờ khai điện tử theo lược đồ của thủ tục"
    )
    applicant_personal_id: str | None = Field(
        None,
        min_length=9,
        max_length=12,
        pattern=r"^\d+$",
        description="Chỉ ứng dụng (token): số định danh của công dân được nộp thay",
    )


class ComponentOut(Schema):
    code: str
    name: str
    mode: str  # uploaded, warehouse, national, eform, missing, optional
    requested: bool
    attached: str | None = None  # file name


class ApplicationOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "procedure_version": 12,
                    "case": "TH1",
                    "receiving_unit": 3,
                    "form_valid": True,
                    "components": [
                        {
                            "code": "TK",
                            "name": "Tờ khai đăng ký khai sinh",
                            "mode": "eform",
                            "requested": False,
                            "attached": None,
                        },
                        {
                            "code": "GCS",
                            "name": "Giấy chứng sinh",
                            "mode": "missing",
                            "requested": True,
                            "attached": None,
                        },
                    ],
                    "problems": ["Chưa đính kèm: Giấy chứng sinh."],
                    "dossier": None,
                    "reference": None,
                }
            ]
        }
    )

    id: int
    procedure_version: int
    case: str | None
    receiving_unit: int | None
    form_valid: bool
    components: list[ComponentOut]
    problems: list[str]
    dossier: int | None
    reference: str | None


class SubmitIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"declared": True}]})

    declared: bool = Field(
        description="Lời cam đoan thông tin khai là đúng sự thật (Nghị định 45/2020 Điều 9)"
    )


# --- callers --------------------------------------------------------------------------


def _client(request: HttpRequest) -> ApiClient | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiClient) else None


def _need_create_scope(client: ApiClient) -> None:
    from motcua.api.readers import need_scope

    need_scope(client, "dossiers:create")


def _applicant(request: HttpRequest, body: ApplicationIn) -> Any:
    """The citizen the application is for: the session's citizen, or the one a client
    names."""
    from motcua.accounts.models import User

    client = _client(request)
    if client is None:
        if not getattr(request.user, "is_citizen", False):
            raise ApiError(
                403, _("Chỉ công dân, tổ chức nộp hồ sơ trực tuyến."), "not_an_applicant"
            )
        if body.applicant_personal_id:
            raise invalid_field(
                "applicant_personal_id", _("Chỉ ứng dụng nộp thay mới gửi số định danh.")
            )
        return request.user
    _need_create_scope(client)
    if not body.applicant_personal_id:
        raise invalid_field("applicant_personal_id", _("Thiếu số định danh của người nộp."))
    user = User.objects.filter(personal_id=body.applicant_personal_id, is_active=True).first()
    if user is None or not getattr(user, "is_citizen", False):
        raise invalid_field(
            "applicant_personal_id",
            _("Không tìm thấy tài khoản công dân, tổ chức có số định danh này."),
        )
    return user


def _draft(request: HttpRequest, pk: int) -> Any:
    """The caller's own application, else 404 (ids cannot be probed)."""
    from motcua.dossiers.models import DossierDraft

    # The member drafts of a linked application are reached through its own operations
    # (/linked-applications/, law.md R40): never submitted one by one.
    qs = DossierDraft.objects.select_related("procedure_version", "case", "applicant").filter(
        group__isnull=True
    )
    client = _client(request)
    if client is not None:
        _need_create_scope(client)
        qs = qs.filter(api_client_link__client=client)
    elif getattr(request.user, "is_citizen", False):
        qs = qs.filter(applicant_id=request.user.pk)
    else:
        raise Http404
    draft = qs.filter(pk=pk).first()
    if draft is None:
        raise Http404
    return draft


@contextlib.contextmanager
def _as_caller(request: HttpRequest) -> Iterator[None]:
    """Audit entries of a client's writes record `via: "API: <name>"`."""
    client = _client(request)
    if client is None:
        yield
        return
    with request_context.acting_via(f"API: {client.name}"):
        yield


def _refusals() -> Any:
    return _Refusals()


class _Refusals(contextlib.AbstractContextManager[None]):
    """Service refusals as problem answers (never a 500)."""

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        from django.core.exceptions import PermissionDenied

        from motcua.documents.inspection import UploadRejected
        from motcua.dossiers.errors import DossierError

        if exc is None:
            return None
        if isinstance(exc, UploadRejected):
            raise ApiError(422, exc.message, "upload_rejected") from exc
        if isinstance(exc, PermissionDenied):
            raise ApiError(403, str(exc) or _("Không có quyền."), "not_permitted") from exc
        if isinstance(exc, DossierError):
            raise ApiError(422, " ".join(exc.messages), "dossier_error") from exc
        return None


# --- e-form answers ---------------------------------------------------------------------


def _scalar(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bool):
        return ["on"] if value else []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _form_data(schema: dict[str, Any], answers: dict[str, Any]) -> QueryDict:
    """JSON answers as the wizard's form would post them (prefix `eform-`, repeating
    groups flattened `<group>__<row>__<sub>`)."""
    from motcua.catalog.eforms import ROW_SEP

    data = QueryDict(mutable=True)
    props = schema.get("properties") or {}
    for name, value in answers.items():
        if props.get(name, {}).get("type") == "array":
            rows = value if isinstance(value, list) else []
            data[f"{PREFIX}-{name}{ROW_SEP}rows"] = str(max(len(rows), 1))
            for i, row in enumerate(rows):
                for sub, sub_value in (row if isinstance(row, dict) else {}).items():
                    key = f"{PREFIX}-{name}{ROW_SEP}{i}{ROW_SEP}{sub}"
                    data.setlist(key, _scalar(sub_value))
        else:
            data.setlist(f"{PREFIX}-{name}", _scalar(value))
    return data


def _raw_of(data: QueryDict) -> dict[str, Any]:
    """What the portal keeps as the typed form (so the citizen sees it there too)."""
    raw: dict[str, Any] = {}
    for key in data:
        values = data.getlist(key)
        raw[key] = values if len(values) > 1 else values[0]
    return raw


def _validated_answers(version: Any, applicant: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """The procedure's e-form judges the answers exactly as the wizard's form step;
    its errors become a 422 listing each field (`body.answers.<field>`)."""
    return validated_answers(version.form_schema or {}, version.form_layout, applicant, answers)


def validated_answers(
    schema: dict[str, Any], layout: Any, applicant: Any, answers: dict[str, Any]
) -> dict[str, Any]:
    """`answers` judged by the e-form of `schema`/`layout` (a procedure's, or a linked
    application's shared e-form); the typed form is kept under `_raw`."""
    from motcua.catalog import eforms

    props = schema.get("properties") or {}
    unknown = sorted(set(answers) - set(props))
    if unknown:
        raise ApiError(
            422,
            _("Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra các trường được liệt kê."),
            "validation_error",
            errors=[
                {
                    "loc": f"body.answers.{name}",
                    "type": "extra_forbidden",
                    "msg": _("Tờ khai của thủ tục không có trường này."),
                }
                for name in unknown[:50]
            ],
        )
    if not props:
        return {}
    data = _form_data(schema, answers)
    form = eforms.build_form(schema, layout, data=data, user=applicant, prefix=PREFIX)
    if not form.is_valid():
        errors: list[dict[str, str]] = []
        for field, messages in form.errors.items():
            loc = "body.answers" if field == "__all__" else f"body.answers.{field}"
            errors.extend({"loc": loc, "type": "value_error", "msg": str(m)} for m in messages)
        raise ApiError(
            422,
            _("Tờ khai chưa điền đủ hoặc còn lỗi."),
            "eform_invalid",
            errors=errors,
        )
    answers_out: dict[str, Any] = form.answers()
    answers_out["_raw"] = _raw_of(data)
    return answers_out


# --- answers ------------------------------------------------------------------------------


def _application_out(draft: Any) -> dict[str, Any]:
    from motcua.dossiers.services import drafts as svc

    plans = svc.draft_plan(draft)
    return ApplicationOut(
        id=draft.pk,
        procedure_version=draft.procedure_version_id,
        case=draft.case.code if draft.case else None,
        receiving_unit=draft.receiving_unit_id,
        form_valid=draft.form_valid,
        components=[
            ComponentOut(
                code=p.code,
                name=str(p.component.name),
                mode=p.mode,
                requested=p.requested,
                attached=(p.attachment or {}).get("name") if p.attachment else None,
            )
            for p in plans
        ],
        problems=[] if draft.dossier_id else [m for _s, m in svc.draft_problems(draft)],
        dossier=draft.dossier_id,
        reference=svc.submission_reference(draft.dossier) if draft.dossier_id else None,
    ).model_dump(mode="json")


# --- operations -------------------------------------------------------------------------


@router.post(
    "/",
    response={201: ApplicationOut},
    summary="Mở hồ sơ nộp trực tuyến (tờ khai điện tử)",
    openapi_extra=HEADER_DOC,
)
def application_create(request: HttpRequest, payload: ApplicationIn) -> Any:
    """Opens an online application with the e-form answers, validated by the
    procedure's e-form as in the portal wizard. Answers with the components still to
    attach (`components[].mode == "missing"`) and what still stops submission
    (`problems`). A citizen's open draft of the same procedure is reused (the same
    application as on the portal). Needs `Idempotency-Key`."""
    from motcua.catalog.constants import VersionStatus
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.selectors import reception_points
    from motcua.dossiers.services import drafts as svc

    applicant = _applicant(request, payload)
    client = _client(request)
    version = (
        ProcedureVersion.objects.select_related("procedure")
        .filter(pk=payload.procedure_version, status=VersionStatus.PUBLISHED)
        .first()
    )
    if version is None:
        raise invalid_field("procedure_version", _("Không tìm thấy thủ tục đang được công bố."))
    points = reception_points(version.procedure)
    unit = next((u for u in points if u.pk == payload.receiving_unit), None)
    if unit is None:
        raise invalid_field("receiving_unit", _("Đơn vị này không tiếp nhận hồ sơ của thủ tục."))
    if client is not None:
        from motcua.api.services import client_units

        bound = client_units(client)
        if bound is not None and not bound.filter(pk=unit.pk).exists():
            raise ApiError(
                403,
                _("Ứng dụng không được nộp hồ sơ tại đơn vị này."),
                "unit_not_allowed",
            )
    case = None
    if payload.case:
        case = version.cases.filter(code=payload.case).first()
        if case is None:
            raise invalid_field("case", _("Trường hợp không thuộc thủ tục này."))
    answers = _validated_answers(version, applicant, payload.answers)
    raw = answers.pop("_raw", {})
    has_form = bool((version.form_schema or {}).get("properties"))

    def create() -> tuple[int, dict[str, Any]]:
        with _as_caller(request), _refusals():
            draft = svc.draft_start(
                applicant=applicant, procedure_version=version, new=client is not None
            )
            if client is not None:
                ClientApplication.objects.create(client=client, draft=draft)
            svc.draft_save(
                draft=draft,
                actor=applicant,
                raw_form=raw,
                answers=answers,
                form_valid=has_form,
                case=case,
                receiving_unit=unit,
            )
        return 201, _application_out(draft)

    return Status(*idempotent_create(request, payload.model_dump(mode="json"), create))


@router.get("/{pk}", response=ApplicationOut, summary="Một hồ sơ đang nộp trực tuyến")
def application_detail(request: HttpRequest, pk: int) -> Any:
    return _application_out(_draft(request, pk))


@router.post(
    "/{pk}/components/{code}",
    response=ApplicationOut,
    summary="Đính kèm giấy tờ (multipart)",
)
def application_attach(
    request: HttpRequest, pk: int, code: str, files: File[list[UploadedFile] | None] = None
) -> Any:
    """Attaches the files of one component (`code` from `components[]`), multipart
    field `files` (several pages or photos are joined into one PDF): the same checks
    as the portal (file type sniffed from the content, inspection, size and page
    limits of the component). A new attachment replaces the previous one."""
    from motcua.catalog.models import Component
    from motcua.dossiers.services import drafts as svc

    draft = _draft(request, pk)
    component = Component.objects.filter(version_id=draft.procedure_version_id, code=code).first()
    if component is None:
        raise Http404
    with _as_caller(request), _refusals():
        svc.draft_attach_upload(
            draft=draft, actor=draft.applicant, component=component, uploads=list(files or [])
        )
    draft.refresh_from_db()
    return _application_out(draft)


@router.post(
    "/{pk}/submit",
    response={201: DossierOut},
    summary="Nộp hồ sơ",
    openapi_extra=HEADER_DOC,
)
def application_submit(request: HttpRequest, pk: int, payload: SubmitIn) -> Any:
    """Submits the application as an online dossier (the portal's last step): refused
    (422, `dossier_error`) while `problems` is not empty. The fees due at submission
    are requested at once (`GET /dossiers/{id}/fees`). Answers the dossier as
    `GET /dossiers/{id}`. Needs `Idempotency-Key`: a retry answers the same dossier."""
    from motcua.dossiers.services import drafts as svc
    from motcua.payments.errors import PaymentError
    from motcua.payments.services import payment_request_at_submission

    draft = _draft(request, pk)

    def create() -> tuple[int, dict[str, Any]]:
        with _as_caller(request), _refusals():
            dossier = svc.draft_submit(
                draft=draft, actor=draft.applicant, declared=payload.declared
            )
            with contextlib.suppress(PaymentError):  # the fees page can request again
                payment_request_at_submission(dossier=dossier, actor=draft.applicant)
        dossier.refresh_from_db()
        return 201, dossier_out(request, dossier).model_dump(mode="json")

    return Status(*idempotent_create(request, payload.model_dump(mode="json"), create))
