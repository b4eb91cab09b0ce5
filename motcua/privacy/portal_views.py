"""Citizen pages: what deleting my account means, and the request with its status."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from motcua.accounts.decorators import citizen_required
from motcua.privacy import assessment, selectors, services
from motcua.privacy.constants import Treatment
from motcua.privacy.forms import ErasureConfirmForm


def _context(request: HttpRequest) -> dict[str, object]:
    found = assessment.assess(request.user)
    requests = list(selectors.requests_of(request.user)[:10])
    return {
        "assessment": found,
        "erase": found.by_treatment(Treatment.ERASE),
        "pseudonymise": found.by_treatment(Treatment.PSEUDONYMISE),
        "retain": found.by_treatment(Treatment.RETAIN),
        "requests": requests,
        "open_request": next((r for r in requests if r.is_open), None),
    }


@citizen_required
def erasure_overview(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/my_request.html", _context(request))


@sensitive_post_parameters("password")
@citizen_required
def erasure_confirm(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if context["open_request"] is not None:
        return redirect("my_privacy:request")
    form = ErasureConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_request_create(
                subject=request.user,
                password=form.cleaned_data["password"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if exc.code == "password":
                form.add_error("password", exc)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã gửi yêu cầu xóa tài khoản và dữ liệu cá nhân. Bạn sẽ nhận được thông "
                    "báo khi yêu cầu được xử lý."
                ),
            )
            return redirect("my_privacy:request")
    context["form"] = form
    return render(
        request, "privacy/my_request_confirm.html", context, status=400 if form.errors else 200
    )


# --- the read log (law.md R32a) ----------------------------------------------------------


@citizen_required
def read_question(request: HttpRequest, pk: int, read_pk: int) -> HttpResponse:
    """Question one read of my dossier: the entry, a box for the question, and the
    promise of who handles it (the inspecting level, never the officer named)."""
    from django.http import Http404

    read = selectors.read_for_applicant(request.user, pk, read_pk)
    if read is None:
        raise Http404
    if read.question is not None:
        return redirect("feedback_public:detail", code=read.question.code)
    error = ""
    if request.method == "POST":
        try:
            item = services.dossier_read_question(
                read=read, citizen=request.user, text=request.POST.get("text", "")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _(
                    "Đã gửi câu hỏi của bạn (mã %(code)s) đến cơ quan thanh tra, kiểm tra. "
                    "Cán bộ được hỏi không xem được câu hỏi và thông tin của bạn."
                )
                % {"code": item.code},
            )
            return redirect("feedback_public:detail", code=item.code)
    return render(
        request,
        "privacy/read_question.html",
        {"read": read, "d": read.dossier, "error": error},
        status=400 if error else 200,
    )
