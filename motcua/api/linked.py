"""Linked applications through the API (hồ sơ liên thông, law.md R40; Decree 63/2024/NĐ-CP;
Project 06): the portal's linked wizard (motcua/portal/linked_views.py) as a second door.

The same services as the wizard (dossiers.services.linked): the shared answers are
judged by the bundle's shared e-form (as the wizard's form step), each shared document
passes the documents checks once (store_citizen_files: sniffing, inspection, size
limits) and stands for the matching component of every member, and submission makes
one child dossier per member procedure at its own competent authority in one
transaction; then one combined payment request covers every fee due at submission
(payments.services.payment_request_combined).

Who may do what mirrors `POST /applications/` (motcua/api/applications.py): a citizen
or business by their session (their own linked applications; an open one of the same
bundle is the same application as on the portal), or an API client with scope
`dossiers:create` on a citizen's behalf (the applicant named by their personal
identification number, the reception point within the client's units). A client sees
only the linked applications it opened (its member drafts carry the client's link); the
citizen sees theirs, whoever opened them; anyone else gets 404. Creates
(`POST /linked-applications/`, `…/submit`, `…/payments`) need an `Idempotency-Key`."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict, Field

from motcua.api.applications import (
    _as_caller,
    _client,
    _need_create_scope,
    _refusals,
    validated_answers,
)
from motcua.api.dossier_extras import PaymentIn, PaymentOut, attempt_start_answer
from motcua.api.idempotency import HEADER_DOC, idempotent_create
from motcua.api.models import ClientApplication
from motcua.api.problems import ApiError
from motcua.dossiers.api import _invalid as invalid_field

router = Router(tags=["linked-applications"])


# --- schemas ------------------------------------------------------------------------------


class AuthorityOut(Schema):
    code: str
    name: str


class MemberOut(Schema):
    procedure_code: str
    procedure_name: str
    version: int | None  # the version in force today
    competent_authorities: list[AuthorityOut]


class SharedDocumentOut(Schema):
    code: str
    name: str
    requirement: str
    accepted_types: list[str]
    max_size_mb: int


class BundleOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "LT-KHAISINH",
                    "name": "Liên thông đăng ký khai sinh, thường trú, cấp thẻ BHYT cho trẻ "
                    "em dưới 6 tuổi",
                    "description": "",
                    "legal_basis": [
                        {"number": "63/2024/NĐ-CP", "title": "Nghị định", "date": "2024-06-10"}
                    ],
                    "return_mode": "together",
                    "members": [
                        {
                            "procedure_code": "1.001193",
                            "procedure_name": "Đăng ký khai sinh",
                            "version": 1,
                            "competent_authorities": [
                                {"code": "000.03.90.H17", "name": "UBND phường Bàn Thạch"}
                            ],
                        }
                    ],
                    "shared_form": {"type": "object", "properties": {"ho_ten_tre": {}}},
                    "shared_documents": [
                        {
                            "code": "GIAY_CHUNG_SINH",
                            "name": "Giấy chứng sinh",
                            "requirement": "required",
                            "accepted_types": ["application/pdf", "image/jpeg", "image/png"],
                            "max_size_mb": 10,
                        }
                    ],
                }
            ]
        }
    )

    code: str
    name: str
    description: str
    legal_basis: list[dict[str, Any]]
    return_mode: str  # "together" (results returned together) or "each"
    members: list[MemberOut]
    shared_form: dict[str, Any]  # JSON schema of the shared e-form
    shared_documents: list[SharedDocumentOut]


class LinkedIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "bundle": "LT-KHAISINH",
                    "receiving_unit": 3,
                    "answers": {"ho_ten_tre": "Nguyễn Thị Bé", "ngay_sinh": "2026-11-20"},
                    "applicant_personal_id": "001090000001",
                }
            ]
        },
    )

    bundle: str = Field(min_length=1, max_length=32, description="Mã nhóm thủ tục liên thông")
    receiving_unit: int = Field(ge=1, le=2**31 - 1, description="Nơi tiếp nhận hồ sơ liên thông")
    answers: dict[str, Any] | None = Field(
        None, description="Tờ khai liên thông (nếu gửi: được kiểm tra như ở bước tờ khai)"
    )
    applicant_personal_id: str | None = Field(
        None,
        min_length=9,
        max_length=12,
        pattern=r"^\d+$",
        description="Chỉ ứng dụng (token): số định danh của công dân được nộp thay",
    )


class AnswersIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"answers": {"ho_ten_tre": "Nguyễn Thị Bé", "ngay_sinh": "2026-11-20"}}]
        },
    )

    answers: dict[str, Any] = Field(description="Tờ khai liên thông theo lược đồ của nhóm")


class LinkedSubmitIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"declared": True}]})

    declared: bool = Field(
        description="Lời cam đoan thông tin khai là đúng sự thật (Nghị định 45/2020 Điều 9)"
    )


class ChildOut(Schema):
    id: int
    code: str | None  # given at reception
    reference: str | None  # the online submission's reference, before reception
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    due_at: dt.datetime | None
    competent_unit: AuthorityOut | None


class CombinedPaymentOut(Schema):
    id: int
    reference: str
    amount: int
    paid_amount: int
    outstanding: int
    status: str
    status_label: str


class AttachedOut(Schema):
    code: str
    name: str
    requirement: str
    attached: str | None  # file name


class LinkedOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "bundle": "LT-KHAISINH",
                    "receiving_unit": 3,
                    "form_valid": True,
                    "answers": {"ho_ten_tre": "Nguyễn Thị Bé"},
                    "documents": [
                        {
                            "code": "GIAY_CHUNG_SINH",
                            "name": "Giấy chứng sinh",
                            "requirement": "required",
                            "attached": "chung-sinh.pdf",
                        }
                    ],
                    "problems": [],
                    "submitted_at": "2026-12-08T09:00:00+07:00",
                    "return_mode": "together",
                    "results_released": False,
                    "children": [
                        {
                            "id": 120,
                            "code": None,
                            "reference": "TT-261208-000120",
                            "procedure_code": "1.001193",
                            "procedure_name": "Đăng ký khai sinh",
                            "status": "submitted",
                            "status_label": "Đã nộp trực tuyến",
                            "due_at": None,
                            "competent_unit": {
                                "code": "000.03.90.H17",
                                "name": "UBND phường Bàn Thạch",
                            },
                        }
                    ],
                    "payment": {
                        "id": 31,
                        "reference": "PR261208000031",
                        "amount": 18000,
                        "paid_amount": 0,
                        "outstanding": 18000,
                        "status": "pending",
                        "status_label": "Chờ thanh toán",
                    },
                }
            ]
        }
    )

    id: int
    bundle: str
    receiving_unit: int | None
    form_valid: bool
    answers: dict[str, Any]
    documents: list[AttachedOut]
    problems: list[str]  # what still stops submission (empty once submitted)
    submitted_at: dt.datetime | None
    return_mode: str
    results_released: bool  # False while the results are held to be returned together
    children: list[ChildOut]
    payment: CombinedPaymentOut | None  # the one payment of every fee


# --- callers and reading ------------------------------------------------------------------


def _bundles() -> list[Any]:
    from motcua.portal.linked_views import bundles_in_force

    return bundles_in_force()


def _unit_out(unit: Any) -> AuthorityOut | None:
    return AuthorityOut(code=unit.code, name=unit.name) if unit is not None else None


def _bundle_out(bundle: Any) -> BundleOut:
    from motcua.catalog.selectors import competent_units, version_in_force

    members = []
    for m in sorted(bundle.members.all(), key=lambda m: (m.order, m.pk)):
        version = version_in_force(m.procedure)
        members.append(
            MemberOut(
                procedure_code=m.procedure.code,
                procedure_name=m.procedure.name,
                version=version.number if version else None,
                competent_authorities=[
                    AuthorityOut(code=u.code, name=u.name) for u in competent_units(m.procedure)
                ],
            )
        )
    return BundleOut(
        code=bundle.code,
        name=bundle.name,
        description=bundle.description,
        legal_basis=list(bundle.legal_basis or []),
        return_mode=bundle.return_mode,
        members=members,
        shared_form=(bundle.shared_form or {}).get("schema") or {},
        shared_documents=[
            SharedDocumentOut(
                code=d["code"],
                name=d["name"],
                requirement=d.get("requirement", "required"),
                accepted_types=d.get("accepted_types")
                or ["application/pdf", "image/jpeg", "image/png"],
                max_size_mb=int(d.get("max_size_mb") or 10),
            )
            for d in bundle.shared_documents or []
        ],
    )


def _applicant(request: HttpRequest, body: LinkedIn) -> Any:
    """As `POST /applications/`: the session's citizen, or the one a client names."""
    from motcua.api.applications import _applicant as single_applicant

    return single_applicant(request, body)  # type: ignore[arg-type]


def _group(request: HttpRequest, pk: int) -> Any:
    """The caller's own linked application, else 404 (ids cannot be probed)."""
    from motcua.dossiers.models import DossierGroup

    qs = DossierGroup.objects.select_related("bundle", "applicant", "receiving_unit")
    client = _client(request)
    if client is not None:
        _need_create_scope(client)
        qs = qs.filter(
            pk__in=ClientApplication.objects.filter(client=client).values("draft__group")
        )
    elif getattr(request.user, "is_citizen", False):
        qs = qs.filter(applicant_id=request.user.pk)
    else:
        raise Http404
    group = qs.filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def _combined(group: Any) -> Any:
    from motcua.payments.constants import RequestKind
    from motcua.payments.models import PaymentRequest

    return (
        PaymentRequest.objects.filter(
            dossier__group=group, kind=RequestKind.COMBINED, cancelled_at__isnull=True
        )
        .order_by("-pk")
        .first()
    )


def _linked_out(group: Any) -> dict[str, Any]:
    from motcua.dossiers.services import linked as svc
    from motcua.dossiers.services.drafts import submission_reference

    submitted = group.submitted_at is not None
    children = svc.children_of(group) if submitted else []
    payment = _combined(group) if submitted else None
    return LinkedOut(
        id=group.pk,
        bundle=group.bundle.code,
        receiving_unit=group.receiving_unit_id,
        form_valid=group.form_valid,
        answers=group.answers or {},
        documents=[
            AttachedOut(
                code=d["code"],
                name=d["name"],
                requirement=d.get("requirement", "required"),
                attached=(d["attachment"] or {}).get("name") if d["attachment"] else None,
            )
            for d in svc.shared_documents(group)
        ],
        problems=[] if submitted else svc.group_problems(group),
        submitted_at=group.submitted_at,
        return_mode=group.return_mode or group.bundle.return_mode,
        results_released=svc.results_released(group, children) if submitted else False,
        children=[
            ChildOut(
                id=c.pk,
                code=c.code or None,
                reference=submission_reference(c),
                procedure_code=c.procedure_version.procedure.code,
                procedure_name=c.procedure_version.name,
                status=c.status,
                status_label=str(c.get_status_display()),
                due_at=c.due_at,
                competent_unit=_unit_out(c.competent_unit),
            )
            for c in children
        ],
        payment=(
            CombinedPaymentOut(
                id=payment.pk,
                reference=payment.reference,
                amount=payment.amount,
                paid_amount=payment.paid_amount,
                outstanding=payment.outstanding,
                status=payment.status,
                status_label=str(payment.get_status_display()),
            )
            if payment is not None
            else None
        ),
    ).model_dump(mode="json")


def _save_answers(request: HttpRequest, group: Any, answers: dict[str, Any]) -> None:
    """The bundle's shared e-form judges the answers as the wizard's form step; each
    member draft's e-form is then filled from them (group_save_answers)."""
    from motcua.dossiers.services import linked as svc

    shared = group.bundle.shared_form or {}
    valid = validated_answers(
        shared.get("schema") or {}, shared.get("layout"), group.applicant, answers
    )
    raw = valid.pop("_raw", {})
    with _as_caller(request), _refusals():
        svc.group_save_answers(group=group, actor=group.applicant, raw_form=raw, answers=valid)


# --- operations ---------------------------------------------------------------------------


@router.get(
    "/bundles", response=list[BundleOut], summary="Các nhóm thủ tục liên thông đang áp dụng"
)
def bundle_list(request: HttpRequest) -> Any:
    """The bundles in force (law.md R40): their member procedures with the competent
    authorities, legal basis, how results are returned, the shared e-form's JSON
    schema and the shared documents. Clients need `procedures:read`."""
    client = _client(request)
    if client is not None:
        from motcua.api.readers import need_scope

        need_scope(client, "procedures:read")
    return [_bundle_out(b) for b in _bundles()]


@router.post(
    "/",
    response={201: LinkedOut},
    summary="Mở hồ sơ liên thông",
    openapi_extra=HEADER_DOC,
)
def linked_create(request: HttpRequest, payload: LinkedIn) -> Any:
    """Opens a linked application for a bundle (`GET /linked-applications/bundles`),
    with a member draft per member procedure, received at `receiving_unit` (a
    reception point of the bundle's first procedure). `answers`, when sent, are judged
    by the shared e-form as `POST …/answers`. A citizen's open linked application of
    the same bundle is reused (the same application as on the portal). Needs
    `Idempotency-Key`."""
    from motcua.catalog.selectors import reception_points
    from motcua.dossiers.services import linked as svc

    applicant = _applicant(request, payload)
    client = _client(request)
    bundle = next((b for b in _bundles() if b.code == payload.bundle), None)
    if bundle is None:
        raise invalid_field("bundle", _("Không tìm thấy nhóm thủ tục liên thông đang áp dụng."))

    # where the bundle's first procedure (the civil-status one) is received, as the wizard
    first = min(bundle.members.all(), key=lambda m: (m.order, m.pk), default=None)
    points = reception_points(first.procedure) if first is not None else []
    unit = next((u for u in points if u.pk == payload.receiving_unit), None)
    if unit is None:
        raise invalid_field("receiving_unit", _("Đơn vị này không tiếp nhận hồ sơ liên thông này."))
    if client is not None:
        from motcua.api.services import client_units

        bound = client_units(client)
        if bound is not None and not bound.filter(pk=unit.pk).exists():
            raise ApiError(
                403, _("Ứng dụng không được nộp hồ sơ tại đơn vị này."), "unit_not_allowed"
            )
    if payload.answers is not None:  # judged before anything is created
        shared = bundle.shared_form or {}
        validated_answers(
            shared.get("schema") or {}, shared.get("layout"), applicant, payload.answers
        )

    def create() -> tuple[int, dict[str, Any]]:
        with _as_caller(request), _refusals():
            group = svc.group_start(applicant=applicant, bundle=bundle, new=client is not None)
            if client is not None:
                ClientApplication.objects.bulk_create(
                    ClientApplication(client=client, draft=d) for d in group.drafts.all()
                )
            group.receiving_unit = unit
            group.save(update_fields=["receiving_unit", "updated_at"])
        if payload.answers is not None:
            _save_answers(request, group, payload.answers)
        group.refresh_from_db()
        return 201, _linked_out(group)

    return Status(*idempotent_create(request, payload.model_dump(mode="json"), create))


@router.get("/{pk}", response=LinkedOut, summary="Một hồ sơ liên thông")
def linked_detail(request: HttpRequest, pk: int) -> Any:
    """Answers, shared documents, what still stops submission; once submitted, each
    child dossier (code, status, due date, competent authority), whether the results
    are released or held to be returned together, and the one combined payment."""
    return _linked_out(_group(request, pk))


def _draft_group(request: HttpRequest, pk: int) -> Any:
    group = _group(request, pk)
    if group.submitted_at is not None:
        raise ApiError(
            422,
            _("Hồ sơ liên thông này đã được nộp, không sửa được nữa."),
            "already_submitted",
        )
    return group


@router.post("/{pk}/answers", response=LinkedOut, summary="Ghi tờ khai liên thông")
def linked_answers(request: HttpRequest, pk: int, payload: AnswersIn) -> Any:
    """Replaces the shared answers, judged by the bundle's shared e-form as the
    wizard's form step (422 `eform_invalid` listing each field); every member's e-form
    is filled from them."""
    group = _draft_group(request, pk)
    _save_answers(request, group, payload.answers)
    group.refresh_from_db()
    return _linked_out(group)


@router.post(
    "/{pk}/documents/{code}",
    response=LinkedOut,
    summary="Đính kèm giấy tờ dùng chung (multipart)",
)
def linked_attach(
    request: HttpRequest, pk: int, code: str, files: File[list[UploadedFile] | None] = None
) -> Any:
    """Attaches a shared document once (`code` from `documents[]`), multipart field
    `files`: the same checks as every upload (type sniffed from the content,
    inspection, size and page limits of the document); it stands for the matching
    component of every member. A new attachment replaces the previous one."""
    from motcua.dossiers.services import linked as svc

    group = _draft_group(request, pk)
    if not any(d["code"] == code for d in group.bundle.shared_documents or []):
        raise Http404
    with _as_caller(request), _refusals():
        svc.group_attach_upload(
            group=group, actor=group.applicant, code=code, uploads=list(files or [])
        )
    group.refresh_from_db()
    return _linked_out(group)


@router.post(
    "/{pk}/submit",
    response={201: LinkedOut},
    summary="Nộp hồ sơ liên thông",
    openapi_extra=HEADER_DOC,
)
def linked_submit(request: HttpRequest, pk: int, payload: LinkedSubmitIn) -> Any:
    """Submits the linked application: one child dossier per member procedure,
    received at `receiving_unit` and routed to its own competent authority, all or
    nothing (law.md R40); refused (422, `dossier_error`) while `problems` is not empty.
    The fees due at submission become one combined payment request (`payment`). Needs
    `Idempotency-Key`: a retry answers the same application, never second children."""
    from motcua.dossiers.services import linked as svc
    from motcua.payments.errors import PaymentError
    from motcua.payments.services import payment_request_combined

    group = _group(request, pk)

    def create() -> tuple[int, dict[str, Any]]:
        if group.submitted_at is not None:
            raise ApiError(
                422,
                _("Hồ sơ liên thông này đã được nộp, không sửa được nữa."),
                "already_submitted",
            )
        if group.receiving_unit is None:
            raise invalid_field("receiving_unit", _("Vui lòng chọn nơi tiếp nhận hồ sơ."))
        with _as_caller(request), _refusals():
            children = svc.group_submit(
                group=group,
                actor=group.applicant,
                receiving_unit=group.receiving_unit,
                declared=payload.declared,
                now=timezone.now(),
            )
            with contextlib.suppress(PaymentError):  # `POST …/payments` requests again
                payment_request_combined(dossiers=children, actor=group.applicant)
        group.refresh_from_db()
        return 201, _linked_out(group)

    return Status(*idempotent_create(request, payload.model_dump(mode="json"), create))


@router.post(
    "/{pk}/payments",
    response={201: PaymentOut},
    summary="Bắt đầu thanh toán chung của hồ sơ liên thông",
    openapi_extra=HEADER_DOC,
)
def linked_payment_start(request: HttpRequest, pk: int, payload: PaymentIn) -> Any:
    """Starts paying the one combined request of every fee (law.md R40: fees paid
    once), as `POST /dossiers/{id}/fees/{request_id}/payments` does for one dossier:
    answers the gateway URL (`payment_url`) or the VietQR content; paying it settles
    each child's fees. Needs `Idempotency-Key`: a retry answers the same attempt; 422
    when nothing is owed or it is paid."""
    from motcua.payments.errors import PaymentError
    from motcua.payments.services import payment_request_combined

    group = _group(request, pk)
    if group.submitted_at is None:
        raise ApiError(
            422, _("Hồ sơ liên thông chưa được nộp, chưa có khoản phải nộp."), "not_submitted"
        )
    from motcua.dossiers.services import linked as svc

    combined = _combined(group)
    if combined is None:
        with _as_caller(request), contextlib.suppress(PaymentError):
            combined = payment_request_combined(
                dossiers=svc.children_of(group), actor=group.applicant
            )
    if combined is None:
        raise ApiError(422, _("Hồ sơ liên thông không có khoản phí nào phải nộp."), "nothing_owed")
    return Status(*attempt_start_answer(request, combined, group.applicant, payload))
