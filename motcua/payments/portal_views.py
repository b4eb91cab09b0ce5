"""Citizen pages (pay a dossier's fees, follow the status live, download receipts),
the sandbox bank page, the gateway's return URL and IPN endpoint, and the bank
statement API for VietQR matching."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import account_required, citizen_required
from motcua.core.metrics import PAYMENT_CALLBACKS
from motcua.payments import conf, selectors, services, state
from motcua.payments.errors import PaymentError
from motcua.payments.forms import PayForm
from motcua.payments.models import PaymentAttempt
from motcua.payments.providers.sandbox_gateway import bank
from motcua.payments.providers.sandbox_gateway.provider import outcome_from_params


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "")


@citizen_required
def my_payments(request: HttpRequest) -> HttpResponse:
    rows = selectors.requests_of_applicant(request.user)[:200]
    return render(request, "payments/portal/list.html", {"rows": rows})


@citizen_required
@require_http_methods(["GET", "POST"])
def dossier_payments(request: HttpRequest, dossier_pk: int) -> HttpResponse:
    from motcua.dossiers.selectors import dossier_for_applicant

    dossier = dossier_for_applicant(request.user, dossier_pk)
    if request.method == "POST":
        try:
            req = services.payment_request_for_fees(dossier=dossier, actor=request.user)
        except PaymentError as exc:
            messages.error(request, str(exc))
            return redirect("pay:dossier", dossier_pk=dossier.pk)
        return redirect("pay:request", pk=req.pk)
    summary = selectors.dossier_payments(dossier)
    return render(
        request,
        "payments/portal/dossier.html",
        {"d": dossier, "summary": summary},
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def pay_request(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_for_applicant(request.user, pk)
    error = ""
    if request.method == "POST":
        form = PayForm(request.POST)
        if form.is_valid():
            code = form.cleaned_data["provider"]
            try:
                attempt = services.attempt_start(
                    request=req,
                    provider_code=code,
                    actor=request.user,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    return_url=request.build_absolute_uri(reverse("pay:gateway_return")),
                    client_ip=_client_ip(request),
                )
            except PaymentError as exc:
                error = str(exc)
            else:
                if attempt.provider == "sandbox_gateway" and attempt.status in state.OPEN:
                    return redirect(attempt.payload)
                return redirect("pay:attempt", pk=attempt.pk)
    else:
        form = PayForm(initial={"idempotency_key": uuid.uuid4().hex})
    req.refresh_from_db()
    attempts = list(req.attempts.all()[:20])
    return render(
        request,
        "payments/portal/pay.html",
        {"req": req, "form": form, "error": error, "attempts": attempts},
        status=400 if error else 200,
    )


def _attempt_context(attempt: PaymentAttempt) -> dict[str, Any]:
    qr = ""
    if attempt.provider == "vietqr" and attempt.payload and attempt.status in state.OPEN:
        from motcua.payments.qr import qr_svg_data_uri

        qr = qr_svg_data_uri(attempt.payload)
    receipt = getattr(attempt, "receipt", None) if attempt.status in state.PAID else None
    return {
        "attempt": attempt,
        "req": attempt.request,
        "qr": qr,
        "receipt": receipt,
        "open": attempt.status in state.OPEN,
        "beneficiary": _beneficiary() if attempt.provider == "vietqr" else None,
    }


def _beneficiary() -> dict[str, str]:
    return {
        "bank_bin": str(conf.get("MOTCUA_VIETQR_BANK_BIN")),
        "account": str(conf.get("MOTCUA_VIETQR_ACCOUNT")),
        "name": str(conf.get("MOTCUA_VIETQR_ACCOUNT_NAME")),
    }


@citizen_required
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = selectors.attempt_for_applicant(request.user, pk)
    return render(request, "payments/portal/attempt.html", _attempt_context(attempt))


@citizen_required
def attempt_status(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx poll target: asks the provider / expires when due, renders the status box.
    Answers 286 (htmx: stop polling) once the attempt is final."""
    attempt = selectors.attempt_for_applicant(request.user, pk)
    attempt = services.attempt_refresh(attempt=attempt)
    response = render(request, "payments/portal/_attempt_status.html", _attempt_context(attempt))
    if attempt.status not in state.OPEN:
        response.status_code = 286
    return response


@citizen_required
def payment_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Payment notice (thông báo nộp tiền) PDF carrying the VietQR."""
    attempt = selectors.attempt_for_applicant(request.user, pk)
    if attempt.provider != "vietqr":
        raise Http404
    from motcua.documents.rendering import render_pdf
    from motcua.payments.qr import qr_svg_data_uri
    from motcua.payments.receipts_pdf import issuer_context

    pdf = render_pdf(
        "payments/pdf/notice.html",
        {
            **_attempt_context(attempt),
            **issuer_context(attempt.request.collecting_unit),
            "qr": qr_svg_data_uri(attempt.payload),
        },
        page_size="A5",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="thong-bao-{attempt.txn_ref}.pdf"'
    return response


@account_required
def receipt_download(request: HttpRequest, pk: int) -> HttpResponse:
    from motcua.documents.services import stored_file_bytes
    from motcua.payments.receipts import receipt_ensure_pdf

    receipt = selectors.receipt_visible(request.user, pk)
    receipt = receipt_ensure_pdf(receipt=receipt)
    assert receipt.file is not None
    data = stored_file_bytes(receipt.file)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bien-lai-{receipt.series.symbol}-{receipt.number_display}.pdf"'
    )
    return response


# --- gateway endpoints ------------------------------------------------------------------


def _params(request: HttpRequest) -> tuple[dict[str, str], str]:
    """The parameters and the raw text exactly as received (query string or body)."""
    if request.method == "GET":
        return {k: request.GET.get(k, "") for k in request.GET}, request.META.get(
            "QUERY_STRING", ""
        )
    raw = request.body.decode("utf-8", "replace")  # read first: POST parsing reuses it
    return {k: request.POST.get(k, "") for k in request.POST}, raw


@csrf_exempt
@require_http_methods(["GET", "POST"])
def gateway_ipn(request: HttpRequest) -> JsonResponse:
    """Server-to-server IPN: CSRF-exempt, authenticated by its HMAC-SHA512 signature."""
    params, raw = _params(request)
    code, message = services.gateway_ipn(params=params, raw=raw, remote_addr=_client_ip(request))
    PAYMENT_CALLBACKS.labels(code=code).inc()
    return JsonResponse({"RspCode": code, "Message": message})


@require_http_methods(["GET"])
def gateway_return(request: HttpRequest) -> HttpResponse:
    """The browser's way back. Its parameters are only a hint: the page shows what the
    IPN (or a server-to-server query) recorded."""
    params, raw = _params(request)
    attempt, ok = services.gateway_return(params=params, raw=raw)
    if not ok or attempt is None:
        return render(request, "payments/portal/return_invalid.html", status=400)
    claimed = outcome_from_params(params)
    if request.user.is_authenticated and attempt.request.dossier.applicant_id == request.user.pk:
        if claimed.succeeded and attempt.status in state.OPEN:
            messages.info(request, _("Ngân hàng báo đã thanh toán; hệ thống đang chờ xác nhận."))
        return redirect("pay:attempt", pk=attempt.pk)
    return render(
        request, "payments/portal/return_anonymous.html", {"attempt": attempt}, status=200
    )


def _sandbox_enabled() -> bool:
    return bool(conf.get("MOTCUA_PAYGATE_SANDBOX"))


@require_http_methods(["GET", "POST"])
def sandbox_bank(request: HttpRequest) -> HttpResponse:
    """The demo bank page (served only with MOTCUA_PAYGATE_SANDBOX on)."""
    if not _sandbox_enabled():
        raise Http404
    params: dict[str, str]
    if request.method == "GET":
        params = _params(request)[0]
    else:
        params = {k: str(v) for k, v in request.POST.items() if k.startswith("vnp_")}
    try:
        bank.check_order(params)
    except bank.BankRefused as exc:
        return render(
            request, "payments/portal/sandbox_bank.html", {"refused": str(exc)}, status=400
        )
    # Like a real bank, only the account holder confirms: the citizen who started the
    # payment, in their own session (a signed URL alone is not enough).
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    payer = (
        PaymentAttempt.objects.filter(txn_ref=params.get("vnp_TxnRef", ""))
        .values_list("request__dossier__applicant_id", flat=True)
        .first()
    )
    if payer is None or payer != request.user.pk:
        return render(
            request,
            "payments/portal/sandbox_bank.html",
            {"refused": _("Giao dịch này không phải của tài khoản đang đăng nhập.")},
            status=403,
        )
    if request.method == "POST":
        try:
            result = bank.pay(params, request.POST.get("choice", ""))
        except bank.BankRefused as exc:
            return render(
                request, "payments/portal/sandbox_bank.html", {"refused": str(exc)}, status=400
            )
        return redirect(result.return_url)
    amount = int(params.get("vnp_Amount", "0") or 0) // 100
    return render(
        request,
        "payments/portal/sandbox_bank.html",
        {"params": params, "amount": amount, "order": params.get("vnp_OrderInfo", "")},
    )


# --- bank statement API (VietQR) -------------------------------------------------------------


@csrf_exempt
@require_POST
def statement_api(request: HttpRequest) -> JsonResponse:
    """Bank webhook / middleware push of statement credit lines:
    `X-Motcua-Signature: hex(HMAC-SHA256(MOTCUA_VIETQR_WEBHOOK_SECRET, body))`, body
    `{"lines": [{"bank_txn_id", "booked_at", "amount", "description"}]}`."""
    from motcua.payments.reconciliation import StatementRow, _parse_when, statement_import

    secret = str(conf.get("MOTCUA_VIETQR_WEBHOOK_SECRET"))
    if not secret:
        raise Http404
    given = request.headers.get("X-Motcua-Signature", "")
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given.lower()):
        raise PermissionDenied
    try:
        body = json.loads(request.body)
        rows = [
            StatementRow(
                bank_txn_id=str(item["bank_txn_id"]),
                booked_at=_parse_when(item["booked_at"]),
                amount=int(item["amount"]),
                description=str(item.get("description", "")),
            )
            for item in body["lines"]
        ]
    except (ValueError, KeyError, TypeError, PaymentError):
        return HttpResponseBadRequest()  # type: ignore[return-value]
    lines = statement_import(rows=rows, source="api")
    return JsonResponse(
        {"lines": [{"bank_txn_id": line.bank_txn_id, "status": line.status} for line in lines]}
    )
