"""Finance officer screens: payment requests, cash at the counter, receipts, refunds,
bank statements and reconciliation (with XLSX export), and the financial-obligation
request on a dossier."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import officer_required
from motcua.payments import permissions, selectors, services, state
from motcua.payments.constants import RequestStatus
from motcua.payments.errors import PaymentError
from motcua.payments.forms import (
    CancelForm,
    CashForm,
    DecisionForm,
    ObligationForm,
    RefundForm,
    SettlementForm,
    UploadForm,
    WaiveForm,
    yesterday,
)
from motcua.payments.models import PaymentAttempt, ReconciliationRun, Refund
from motcua.payments.reconciliation import (
    export_xlsx,
    parse_settlement,
    parse_statement,
    reconcile,
    statement_import,
)

PAGE = 50


def _need_any_unit(request: HttpRequest) -> None:
    if not permissions.readable_units(request.user):
        raise PermissionDenied


@officer_required
def request_list(request: HttpRequest) -> HttpResponse:
    _need_any_unit(request)
    qs = selectors.office_requests(request.user)
    status = request.GET.get("status", "")
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(reference__icontains=q) | qs.filter(dossier__code__icontains=q)
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/office/list.html",
        {
            "page": page,
            "statuses": RequestStatus.choices,
            "status": status,
            "q": q,
            "totals": selectors.totals(qs),
        },
    )


def _detail(request: HttpRequest, req: Any, **extra: Any) -> HttpResponse:
    attempts = list(req.attempts.all().prefetch_related("messages"))
    for a in attempts:
        a.refund_reason = services.refundable_reason(a) if a.status in state.PAID else ""  # type: ignore[attr-defined]
        a.refund_shares = services.refund_shares(a) if a.refund_reason else []  # type: ignore[attr-defined]
    unit = req.collecting_unit_id
    context = {
        "req": req,
        "lines": req.lines.all(),
        "attempts": attempts,
        "receipts": req.receipts.select_related("series"),
        "refunds": req.refunds.select_related("attempt", "member__dossier"),
        "can_cash": permissions.can_record_cash(request.user, unit)
        and req.outstanding > 0
        and req.cancelled_at is None,
        "is_finance": permissions.is_finance(request.user, unit),
        "can_approve": permissions.can_approve_refund(request.user, unit),
        "cash_form": extra.pop("cash_form", None) or CashForm(initial={"amount": req.outstanding}),
        "refund_form": extra.pop("refund_form", None) or RefundForm(),
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(),
        "waive_form": extra.pop("waive_form", None) or WaiveForm(),
        "error": extra.pop("error", ""),
        **extra,
    }
    return render(
        request, "payments/office/detail.html", context, status=400 if context["error"] else 200
    )


@officer_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.office_request(request.user, pk))


@officer_required
@require_POST
def cash(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.office_request(request.user, pk)
    form = CashForm(request.POST)
    if not form.is_valid():
        return _detail(request, req, cash_form=form, error=_("Vui lòng kiểm tra số tiền."))
    try:
        attempt = services.cash_record(
            request=req,
            actor=request.user,
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except PaymentError as exc:
        return _detail(request, req, cash_form=form, error=str(exc))
    receipt = getattr(attempt, "receipt", None)
    messages.success(
        request,
        _("Đã thu tiền và lập biên lai số %(n)s.")
        % {"n": receipt.number_display if receipt else ""},
    )
    return redirect("payments:detail", pk=req.pk)


def _reason_decision(
    request: HttpRequest, pk: int, form_cls: Any, key: str, service: Any, done: str
) -> HttpResponse:
    """Cancel or waive a request: a finance officer's decision with a reason."""
    req = selectors.office_request(request.user, pk)
    form = form_cls(request.POST)
    if not form.is_valid():
        return _detail(request, req, **{key: form}, error=_("Vui lòng nhập lý do."))
    try:
        service(request=req, actor=request.user, reason=form.cleaned_data["reason"])
    except PaymentError as exc:
        return _detail(request, req, **{key: form}, error=str(exc))
    messages.success(request, done)
    return redirect("payments:detail", pk=req.pk)


@officer_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_decision(
        request,
        pk,
        CancelForm,
        "cancel_form",
        services.payment_request_cancel,
        _("Đã hủy yêu cầu thanh toán."),
    )


@officer_required
@require_POST
def waive(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_decision(
        request,
        pk,
        WaiveForm,
        "waive_form",
        services.payment_request_waive,
        _("Đã miễn nghĩa vụ tài chính; hồ sơ được tiếp tục xử lý."),
    )


@officer_required
@require_POST
def refund_create(request: HttpRequest, attempt_pk: int) -> HttpResponse:
    attempt = get_object_or_404(PaymentAttempt, pk=attempt_pk)
    req = selectors.office_request(request.user, attempt.request_id)
    form = RefundForm(request.POST)
    if not form.is_valid():
        return _detail(
            request, req, refund_form=form, error=_("Vui lòng kiểm tra đề nghị hoàn tiền.")
        )
    try:
        services.refund_request(
            attempt=attempt,
            actor=request.user,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            member=form.cleaned_data.get("member"),
        )
    except PaymentError as exc:
        return _detail(request, req, refund_form=form, error=str(exc))
    messages.success(request, _("Đã lập đề nghị hoàn tiền, chờ lãnh đạo duyệt."))
    return redirect("payments:detail", pk=req.pk)


@officer_required
def refund_list(request: HttpRequest) -> HttpResponse:
    _need_any_unit(request)
    qs = selectors.office_refunds(request.user)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    approver_units = permissions.refund_approver_units(request.user)
    return render(
        request,
        "payments/office/refunds.html",
        {"page": page, "approver_units": approver_units, "form": DecisionForm()},
    )


@officer_required
@require_POST
def refund_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    refund = get_object_or_404(
        Refund.objects.filter(
            request__collecting_unit_id__in=permissions.readable_units(request.user)
        ),
        pk=pk,
    )
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        if decision == "duyet":
            services.refund_complete(refund=refund, actor=request.user)
            messages.success(request, _("Đã hoàn tiền."))
        elif decision == "tu-choi":
            services.refund_reject(
                refund=refund, actor=request.user, note=form.cleaned_data.get("note", "")
            )
            messages.success(request, _("Đã từ chối đề nghị hoàn tiền."))
        else:
            raise Http404
    except PaymentError as exc:
        messages.error(request, str(exc))
    return redirect("payments:refunds")


@officer_required
def receipt_list(request: HttpRequest) -> HttpResponse:
    _need_any_unit(request)
    page = Paginator(selectors.office_receipts(request.user), PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "payments/office/receipts.html", {"page": page})


@officer_required
@require_http_methods(["GET", "POST"])
def statements(request: HttpRequest) -> HttpResponse:
    _need_any_unit(request)
    form = UploadForm()
    error = ""
    if request.method == "POST":
        if not permissions.finance_units(request.user):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = parse_statement(upload.read(), upload.name)
                lines = statement_import(rows=rows, actor=request.user, source=upload.name)
            except PaymentError as exc:
                error = str(exc)
            else:
                matched = sum(1 for line in lines if line.status == "matched")
                messages.success(
                    request,
                    _("Đã nhập %(n)s dòng sao kê, khớp %(m)s giao dịch.")
                    % {"n": len(lines), "m": matched},
                )
                return redirect("payments:statements")
        else:
            error = _("Vui lòng chọn tệp sao kê hợp lệ.")
    page = Paginator(selectors.office_statement_lines(request.user), PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "payments/office/statements.html",
        {"page": page, "form": form, "error": error},
        status=400 if error else 200,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    _need_any_unit(request)
    error = ""
    form = SettlementForm(initial={"day": yesterday()})
    if request.method == "POST":
        if not permissions.finance_units(request.user):
            raise PermissionDenied
        form = SettlementForm(request.POST, request.FILES)
        if form.is_valid():
            code, day = form.cleaned_data["provider"], form.cleaned_data["day"]
            upload = form.cleaned_data.get("file")
            try:
                if upload:
                    lines = parse_settlement(upload.read(), upload.name)
                    source = upload.name
                else:
                    from motcua.payments.providers.base import get_provider

                    fetched = get_provider(code).settlement(day)
                    if fetched is None:
                        raise PaymentError(_("Nhà cung cấp này không có tệp đối soát tự động."))
                    lines, source = fetched, "provider"
                run = reconcile(
                    provider_code=code, day=day, lines=lines, actor=request.user, source=source
                )
            except PaymentError as exc:
                error = str(exc)
            else:
                return redirect("payments:run", pk=run.pk)
        else:
            error = _("Vui lòng kiểm tra thông tin đối soát.")
    page = Paginator(selectors.reconciliation_runs(), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/office/reconciliation.html",
        {"page": page, "form": form, "error": error},
        status=400 if error else 200,
    )


@officer_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _need_any_unit(request)
    run = get_object_or_404(ReconciliationRun, pk=pk)
    return render(request, "payments/office/run.html", {"run": run, "items": run.items.all()})


@officer_required
def run_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    _need_any_unit(request)
    run = get_object_or_404(ReconciliationRun, pk=pk)
    response = HttpResponse(
        export_xlsx(run),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="doi-soat-{run.provider}-{run.day}.xlsx"'
    )
    return response


@officer_required
@require_http_methods(["GET", "POST"])
def obligation(request: HttpRequest, dossier_pk: int) -> HttpResponse:
    """A specialist asks the applicant to fulfil a financial obligation (status 6)."""
    from motcua.dossiers.models import Dossier

    dossier = get_object_or_404(Dossier.objects.select_related("competent_unit"), pk=dossier_pk)
    if not permissions.can_request_obligation(request.user, dossier):
        raise PermissionDenied
    error = ""
    form = ObligationForm(initial={"pause_clock": True})
    if request.method == "POST":
        form = ObligationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            due = (
                timezone.make_aware(dt.datetime.combine(data["due_date"], dt.time(23, 59)))
                if data.get("due_date")
                else None
            )
            try:
                req = services.payment_request_for_obligation(
                    dossier=dossier,
                    actor=request.user,
                    lines=[services.ObligationLine(name=data["name"], amount=data["amount"])],
                    description=data["description"],
                    pause_clock=data["pause_clock"],
                    due_at=due,
                )
            except Exception as exc:  # dossier errors carry a user message too
                from motcua.dossiers.errors import DossierError

                if not isinstance(exc, PaymentError | DossierError):
                    raise
                error = str(exc)
            else:
                messages.success(request, _("Đã gửi yêu cầu thực hiện nghĩa vụ tài chính."))
                return redirect("payments:detail", pk=req.pk)
        else:
            error = _("Vui lòng kiểm tra các trường được đánh dấu.")
    return render(
        request,
        "payments/office/obligation.html",
        {"d": dossier, "form": form, "error": error},
        status=400 if error else 200,
    )
