"""A dossier's fees and payments, timeline, signed results and forms through the API:
the same selectors and services as the portal's dossier pages (payments.selectors,
payments.services.attempt_start, dossiers.services.e_result, dossiers.forms_pdf).

Who reads: as `GET /dossiers/{id}` (the applicant, officers of the dossier's units,
API clients with `dossiers:read` within their units). Who pays: the applicant by their
session, or the API client that filed the dossier on the applicant's behalf
(`POST /applications/…`, scope `dossiers:create`), which hands the gateway URL to the
applicant; the attempt is the applicant's, audited `via` the client."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from motcua.api.idempotency import HEADER_DOC, idempotent_create
from motcua.api.models import ApiClient, ClientApplication
from motcua.api.problems import ApiError
from motcua.core import request_context
from motcua.dossiers.api import api_read_note, dossier_load
from motcua.privacy.constants import ReadKind

router = Router(tags=["dossiers"])


def _client(request: HttpRequest) -> ApiClient | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiClient) else None


def _readable(request: HttpRequest, pk: int, note: bool = True) -> Any:
    client = _client(request)
    if client is not None:
        from motcua.api.readers import need_scope

        need_scope(client, "dossiers:read")
    d = dossier_load(request, pk)
    if note:  # law.md R32a; a file or form is noted as what it is by its operation
        api_read_note(request, d)
    return d


# --- fees and payments --------------------------------------------------------------------


class FeeLineOut(Schema):
    name: str
    amount: int


class FeeRequestOut(Schema):
    id: int
    reference: str
    description: str
    amount: int
    paid_amount: int
    outstanding: int
    status: str
    status_label: str
    due_at: dt.datetime | None
    paid_at: dt.datetime | None
    lines: list[FeeLineOut]


class FeesOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "owed": 30000,
                    "paid": 0,
                    "outstanding": 30000,
                    "requests": [
                        {
                            "id": 15,
                            "reference": "LP260107000015",
                            "description": "Lệ phí cấp bản sao",
                            "amount": 30000,
                            "paid_amount": 0,
                            "outstanding": 30000,
                            "status": "pending",
                            "status_label": "Chờ thanh toán",
                            "due_at": None,
                            "paid_at": None,
                            "lines": [{"name": "Lệ phí cấp bản sao", "amount": 30000}],
                        }
                    ],
                }
            ]
        }
    )

    owed: int
    paid: int
    outstanding: int
    requests: list[FeeRequestOut]


def _request_out(req: Any) -> FeeRequestOut:
    return FeeRequestOut(
        id=req.pk,
        reference=req.reference,
        description=req.description,
        amount=req.amount,
        paid_amount=req.paid_amount,
        outstanding=req.outstanding,
        status=req.status,
        status_label=str(req.get_status_display()),
        due_at=req.due_at,
        paid_at=req.paid_at,
        lines=[FeeLineOut(name=line.name, amount=line.amount) for line in req.lines.all()],
    )


@router.get("/{pk}/fees", response=FeesOut, summary="Phí, lệ phí và tình trạng thanh toán")
def fees(request: HttpRequest, pk: int) -> FeesOut:
    from motcua.payments.selectors import dossier_payments

    summary = dossier_payments(_readable(request, pk))
    return FeesOut(
        owed=summary.owed,
        paid=summary.paid,
        outstanding=summary.outstanding,
        requests=[_request_out(r) for r in summary.requests],
    )


class PaymentIn(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"provider": "sandbox_gateway"}]}
    )

    provider: Literal["sandbox_gateway", "vietqr"]


class PaymentOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 8,
                    "provider": "sandbox_gateway",
                    "txn_ref": "MC2601070008",
                    "amount": 30000,
                    "status": "pending",
                    "payment_url": "https://dichvucong.example/sandbox/paygate/pay?vnp_Amount=3000000",
                    "qr_payload": None,
                    "expires_at": "2026-01-07T10:15:00+07:00",
                }
            ]
        }
    )

    id: int
    provider: str
    txn_ref: str
    amount: int
    status: str
    payment_url: str | None  # the gateway page to send the applicant to
    qr_payload: str | None  # VietQR content
    expires_at: dt.datetime | None


def _payer(request: HttpRequest, d: Any) -> Any:
    """The applicant paying: the session's citizen, or the applicant of a dossier the
    client filed through the API."""
    client = _client(request)
    if client is None:
        if getattr(request.user, "pk", None) != d.applicant_id:
            raise ApiError(
                403, _("Chỉ người nộp hồ sơ được thanh toán yêu cầu này."), "not_an_applicant"
            )
        return request.user
    from motcua.api.readers import need_scope

    need_scope(client, "dossiers:create")
    if not ClientApplication.objects.filter(client=client, draft__dossier=d).exists():
        raise ApiError(
            403,
            _("Ứng dụng chỉ khởi tạo thanh toán cho hồ sơ do chính ứng dụng nộp thay."),
            "not_filed_by_client",
        )
    return d.applicant


@router.post(
    "/{pk}/fees/{request_id}/payments",
    response={201: PaymentOut},
    summary="Bắt đầu thanh toán trực tuyến",
    openapi_extra=HEADER_DOC,
)
def payment_start(request: HttpRequest, pk: int, request_id: int, payload: PaymentIn) -> Any:
    """Starts paying one fee request (Decree 45/2020 Art. 12: fees of online services
    paid online), as the portal's "Thanh toán" button: answers the gateway URL to send
    the applicant to (`payment_url`), or the VietQR content. Needs `Idempotency-Key`:
    a retry answers the same attempt; a paid request is refused (422)."""
    from motcua.payments.models import PaymentRequest

    d = _readable(request, pk)
    payer = _payer(request, d)
    req = PaymentRequest.objects.filter(pk=request_id, dossier=d).first()
    if req is None:
        raise Http404
    return Status(*attempt_start_answer(request, req, payer, payload))


def attempt_start_answer(
    request: HttpRequest, req: Any, payer: Any, payload: PaymentIn
) -> tuple[int, dict[str, Any]]:
    """Start an attempt at paying `req` (a dossier's fee request, or a linked
    application's combined request) once per `Idempotency-Key`; answers (201,
    PaymentOut)."""
    from motcua.payments import services
    from motcua.payments.errors import PaymentError

    client = _client(request)
    key = request.headers.get("Idempotency-Key", "")

    def create() -> tuple[int, dict[str, Any]]:
        via = (
            request_context.acting_via(f"API: {client.name}")
            if client is not None
            else contextlib.nullcontext()
        )
        try:
            with via:
                attempt = services.attempt_start(
                    request=req,
                    provider_code=payload.provider,
                    actor=payer,
                    # payments keep their own key, unique across callers
                    idempotency_key=f"api:{client.pk if client else 'u'}:{key}"[:64],
                    return_url=request.build_absolute_uri(reverse("pay:gateway_return")),
                    client_ip=request.META.get("REMOTE_ADDR", ""),
                )
        except PaymentError as exc:
            raise ApiError(422, str(exc), "payment_refused") from exc
        is_url = attempt.payload.startswith(("http://", "https://", "/"))
        out = PaymentOut(
            id=attempt.pk,
            provider=attempt.provider,
            txn_ref=attempt.txn_ref,
            amount=attempt.amount,
            status=attempt.status,
            payment_url=request.build_absolute_uri(attempt.payload) if is_url else None,
            qr_payload=None if is_url else (attempt.payload or None),
            expires_at=attempt.expires_at,
        )
        return 201, out.model_dump(mode="json")

    return idempotent_create(request, payload.model_dump(mode="json"), create)


# --- timeline -------------------------------------------------------------------------------


class EventOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "at": "2026-01-07T09:00:00+07:00",
                    "action": "receive",
                    "action_label": "Tiếp nhận hồ sơ",
                    "from_status": "submitted",
                    "to_status": "received",
                    "unit": "Sở Tư pháp",
                    "reason": "",
                }
            ]
        }
    )

    at: dt.datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    unit: str | None
    reason: str


@router.get("/{pk}/timeline", response=list[EventOut], summary="Diễn biến xử lý hồ sơ")
def timeline(request: HttpRequest, pk: int) -> list[EventOut]:
    """Every transition of the dossier, oldest first (the portal's progress feed). The
    officers' names are not given; the unit is."""
    d = _readable(request, pk)
    return [
        EventOut(
            at=e.at,
            action=e.action,
            action_label=str(e.action_label),
            from_status=e.from_status,
            to_status=e.to_status,
            unit=e.unit.name if e.unit else None,
            reason=e.reason,
        )
        for e in d.events.select_related("unit").order_by("at", "pk")
    ]


# --- results and forms ------------------------------------------------------------------------


class ResultOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "KQ-7F3A9C21",
                    "title": "Bản sao trích lục khai sinh",
                    "issued_at": "2026-01-09T15:30:00+07:00",
                    "revoked": False,
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "signatures": ["leader", "agency"],
                    "download": "/api/v1/dossiers/97/results/KQ-7F3A9C21",
                }
            ]
        }
    )

    code: str
    title: str
    issued_at: dt.datetime
    revoked: bool
    sha256: str
    signatures: list[str]
    download: str


@router.get("/{pk}/results", response=list[ResultOut], summary="Kết quả điện tử của hồ sơ")
def results(request: HttpRequest, pk: int) -> list[ResultOut]:
    """Every electronic result registered for the dossier, newest first (a replaced or
    revoked one says so), with its signatures (leader, agency seal)."""
    from motcua.dossiers.services.e_result import result_history_of, signed_roles

    d = _readable(request, pk)
    if _held_from_applicant(request, d):
        return []
    return [
        ResultOut(
            code=doc.code,
            title=doc.title,
            issued_at=doc.issued_at,
            revoked=doc.revoked_at is not None,
            sha256=doc.sha256,
            signatures=list(signed_roles(doc)),
            download=f"/api/v1/dossiers/{d.pk}/results/{doc.code}",
        )
        for doc in result_history_of(d)
        if doc.file_id
    ]


def _held_from_applicant(request: HttpRequest, d: Any) -> bool:
    """A linked child's result is not the applicant's yet while its application returns
    results together and a sibling is still processed (law.md R40); the officers and
    unit-bound systems that settle it see it."""
    from motcua.dossiers.services.linked import child_result_held

    if _client(request) is not None or getattr(request.user, "is_officer", False):
        return False
    return child_result_held(d)


def _pdf_answer(description: str) -> dict[str, Any]:
    """OpenAPI: the operation answers a PDF file."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {"200": {"description": description, "content": {"application/pdf": binary}}}
    }


def _file_response(stored: Any, filename: str) -> HttpResponse:
    from motcua.documents.serving import stored_file_response

    return stored_file_response(stored, filename=filename)


@router.get(
    "/{pk}/results/{code}",
    response={200: None},
    summary="Tải kết quả điện tử đã ký số (PDF)",
    openapi_extra=_pdf_answer("Tệp PDF đã ký số (PAdES)"),
)
def result_download(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The signed PDF, streamed; `Digest` carries its SHA-256."""
    from motcua.dossiers.services.e_result import result_history_of

    d = _readable(request, pk, note=False)
    if _held_from_applicant(request, d):
        raise ApiError(
            409,
            _(
                "Kết quả của hồ sơ liên thông được trả cùng lúc khi mọi hồ sơ thành phần "
                "giải quyết xong."
            ),
            "result_held",
        )
    doc = next((x for x in result_history_of(d) if x.code == code and x.file_id), None)
    if doc is None:
        raise Http404
    api_read_note(
        request,
        d,
        kind=ReadKind.DOCUMENT,
        object_ref=str(doc.file_id),
        object_label=_("Kết quả %(code)s") % {"code": doc.code},
    )
    return _file_response(doc.file, f"{doc.code}.pdf")


@router.get(
    "/{pk}/forms/{number}",
    response={200: None},
    summary="Tải mẫu phiếu của hồ sơ (Mẫu 01 … 06)",
    openapi_extra=_pdf_answer("Phiếu PDF"),
)
def form_download(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    """A form of the dossier as the dossier page prints it (Form 01 receipt and
    appointment, 02 supplement request, 03 refusal, 04 apology, 05 control sheet):
    only forms that have content now; an applicant gets forms 01–04."""
    from motcua.dossiers import forms_pdf

    client = _client(request)
    if client is None:
        d = forms_pdf.dossier_for_form(request.user, pk, number)
    else:
        d = _readable(request, pk, note=False)
    if number not in forms_pdf.available_forms(d):
        raise Http404
    label = _("Mẫu %(number)s") % {"number": number}
    api_read_note(request, d, kind=ReadKind.FORM, object_ref=number, object_label=label)
    data = forms_pdf.form_pdf(d, number, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    name = forms_pdf.safe_filename(d, number)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
