"""Back office: erasure requests to review (list, detail, approve, refuse, execute)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.privacy import assessment, selectors, services
from motcua.privacy.constants import ErasureStatus, Treatment
from motcua.privacy.forms import DecisionForm
from motcua.privacy.models import ErasureRequest


def _require_reviewer(request: HttpRequest) -> None:
    if not services.can_review(request.user):
        raise PermissionDenied


@officer_required
def request_list(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    status = request.GET.get("trang-thai", "")
    if status not in ErasureStatus.values:
        status = ""
    return render(
        request,
        "privacy/request_list.html",
        {
            "requests": selectors.requests_for_review(status)[:200],
            "statuses": ErasureStatus.choices,
            "status": status,
        },
    )


@officer_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request)
    req = get_object_or_404(ErasureRequest.objects.select_related("subject"), pk=pk)
    current = assessment.assess(req.subject) if req.is_open else None
    return render(
        request,
        "privacy/request_detail.html",
        {
            "req": req,
            "current": current,
            "erase": current.by_treatment(Treatment.ERASE) if current else [],
            "pseudonymise": current.by_treatment(Treatment.PSEUDONYMISE) if current else [],
            "retain": current.by_treatment(Treatment.RETAIN) if current else [],
            "form": DecisionForm(),
        },
    )


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_reviewer(request)
    req = get_object_or_404(ErasureRequest, pk=pk)
    form = DecisionForm(request.POST)
    reason = form.data.get("reason", "")[:2000]
    try:
        if action == "approve":
            services.erasure_request_approve(request=req, actor=request.user, note=reason)
            messages.success(request, _("Đã chấp thuận yêu cầu."))
        elif action == "refuse":
            services.erasure_request_refuse(request=req, actor=request.user, reason=reason)
            messages.success(request, _("Đã từ chối yêu cầu."))
        else:
            services.erasure_request_execute(request=req, actor=request.user)
            messages.success(request, _("Đã thực hiện xóa dữ liệu cá nhân."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("privacy:request_detail", pk=req.pk)


@officer_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@officer_required
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "refuse")


@officer_required
@require_POST
def request_execute(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "execute")


@officer_required
def reads_outside(request: HttpRequest) -> HttpResponse:
    """Supervisors: officers' reads of dossiers outside an active step (law.md R32a),
    in the units they supervise, newest first."""
    from django.core.paginator import Paginator

    from motcua.org.constants import Role
    from motcua.org.selectors import user_roles

    if Role.SUPERVISOR not in user_roles(request.user):
        raise PermissionDenied
    page = Paginator(selectors.reads_outside_step(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "privacy/reads_outside.html", {"page": page})
