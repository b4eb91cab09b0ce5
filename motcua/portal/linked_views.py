"""Linked procedures on the citizen portal (law.md R40): the bundles, one wizard for a
linked application (linked e-form → shared documents → place of reception and
declaration), one payment for every fee, and the parent page listing the child
dossiers with their authorities, deadlines, statuses and results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import citizen_required
from motcua.catalog.models import ProcedureBundle
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import DossierGroup
from motcua.dossiers.services import linked as svc
from motcua.portal.views import _raw

STEP_FORM, STEP_DOCUMENTS, STEP_SUBMIT = "to-khai", "giay-to", "nop"
STEPS = (
    (STEP_FORM, gettext_lazy("Tờ khai liên thông")),
    (STEP_DOCUMENTS, gettext_lazy("Giấy tờ")),
    (STEP_SUBMIT, gettext_lazy("Cam đoan và nộp")),
)


def bundles_in_force() -> list[ProcedureBundle]:
    from django.db.models import Q

    today = timezone.localdate()
    return list(
        ProcedureBundle.objects.filter(is_active=True, effective_from__lte=today)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .prefetch_related("members__procedure")
    )


def _bundle(code: str) -> ProcedureBundle:
    bundle = next((b for b in bundles_in_force() if b.code == code), None)
    if bundle is None:
        raise Http404
    return bundle


def _member_rows(bundle: ProcedureBundle) -> list[dict[str, Any]]:
    from motcua.catalog.selectors import competent_units, version_in_force

    rows = []
    for m in bundle.members.order_by("order", "pk"):
        version = version_in_force(m.procedure)
        rows.append(
            {
                "procedure": m.procedure,
                "version": version,
                "authorities": competent_units(m.procedure)[:3],
            }
        )
    return rows


def bundle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/linked/list.html", {"bundles": bundles_in_force()})


def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle(code)
    return render(
        request,
        "portal/linked/bundle.html",
        {"bundle": bundle, "members": _member_rows(bundle)},
    )


@citizen_required
@require_POST
def linked_start(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle(code)
    try:
        group = svc.group_start(applicant=request.user, bundle=bundle)
    except DossierError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:linked_bundle", code=code)
    return redirect("portal:linked_step", pk=group.pk, slug=STEP_FORM)


def _group(request: HttpRequest, pk: int, *, draft: bool) -> DossierGroup:
    group = get_object_or_404(
        DossierGroup.objects.select_related("bundle", "receiving_unit"),
        pk=pk,
        applicant=request.user,
    )
    if draft and group.submitted_at is not None:
        raise Http404
    return group


def _context(group: DossierGroup, step: str, **extra: Any) -> dict[str, Any]:
    slugs = [s for s, _label in STEPS]
    current = slugs.index(step)
    return {
        "group": group,
        "bundle": group.bundle,
        "step": step,
        "step_label": dict(STEPS)[step],
        "step_number": current + 1,
        "step_count": len(STEPS),
        "progress": [
            {
                "label": label,
                "url": reverse("portal:linked_step", args=[group.pk, slug]),
                "state": "done" if i < current else ("current" if i == current else "todo"),
                "number": i + 1,
            }
            for i, (slug, label) in enumerate(STEPS)
        ],
        "back_url": (
            reverse("portal:linked_step", args=[group.pk, slugs[current - 1]]) if current else ""
        ),
        **extra,
    }


def _eform(group: DossierGroup, data: Any = None) -> Any:
    from motcua.catalog import eforms

    shared = group.bundle.shared_form or {}
    return eforms.build_form(
        shared.get("schema") or {},
        shared.get("layout"),
        data=data,
        user=group.applicant,
        prefix="eform",
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def linked_step(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    group = _group(request, pk, draft=True)
    handler = {
        STEP_FORM: _form_step,
        STEP_DOCUMENTS: _documents_step,
        STEP_SUBMIT: _submit_step,
    }.get(slug)
    if handler is None:
        raise Http404
    return handler(request, group)


def _form_step(request: HttpRequest, group: DossierGroup) -> HttpResponse:
    if request.method == "POST":
        raw = _raw(request)
        form = _eform(group, request.POST)
        if request.POST.get("_action") != "save" and form.is_valid():
            svc.group_save_answers(
                group=group, actor=request.user, raw_form=raw, answers=form.answers()
            )
            return redirect("portal:linked_step", pk=group.pk, slug=STEP_DOCUMENTS)
        svc.group_save_answers(group=group, actor=request.user, raw_form=raw)
        if request.POST.get("_action") == "save":
            messages.success(request, _("Đã lưu nháp. Bạn có thể tiếp tục trên thiết bị khác."))
            return redirect("portal:linked_step", pk=group.pk, slug=STEP_FORM)
    elif group.raw_form:
        form = _eform(group, group.raw_form)
        form._errors = ErrorDict()  # show the values, not validation errors
    else:
        form = _eform(group)
    return render(
        request,
        "portal/linked/form.html",
        _context(group, STEP_FORM, eform=form),
        status=400 if request.method == "POST" else 200,
    )


def _documents_step(request: HttpRequest, group: DossierGroup) -> HttpResponse:
    from motcua.documents.inspection import UploadRejected

    error, error_for = "", ""
    if request.method == "POST":
        code = request.POST.get("component", "")
        what = request.POST.get("_action", "")
        if what == "next":
            return redirect("portal:linked_step", pk=group.pk, slug=STEP_SUBMIT)
        try:
            if what == "remove":
                svc.group_detach(group=group, actor=request.user, code=code)
            else:
                svc.group_attach_upload(
                    group=group,
                    actor=request.user,
                    code=code,
                    uploads=request.FILES.getlist("files"),
                )
                messages.success(request, _("Đã tải lên giấy tờ."))
        except UploadRejected as exc:
            error, error_for = exc.message, code
        except (DossierError, PermissionDenied) as exc:
            error, error_for = " ".join(getattr(exc, "messages", [str(exc)])), code
        if not error:
            url = reverse("portal:linked_step", args=[group.pk, STEP_DOCUMENTS])
            return redirect(f"{url}#tp-{code}")
        group.refresh_from_db()
    return render(
        request,
        "portal/linked/documents.html",
        _context(
            group,
            STEP_DOCUMENTS,
            documents=svc.shared_documents(group),
            error=error,
            error_for=error_for,
        ),
        status=400 if error else 200,
    )


def _reception_points(group: DossierGroup) -> list[Any]:
    """Where the linked application may be received: the reception points of its
    first member (the civil-status procedure at the commune)."""
    from motcua.catalog.selectors import reception_points

    first = group.bundle.members.order_by("order", "pk").select_related("procedure").first()
    return list(reception_points(first.procedure)) if first else []


def _submit_step(request: HttpRequest, group: DossierGroup) -> HttpResponse:
    from motcua.payments.services import payment_request_combined

    points = _reception_points(group)
    error = ""
    if request.method == "POST":
        unit = next((p for p in points if str(p.pk) == request.POST.get("unit")), None)
        if unit is None:
            error = _("Vui lòng chọn nơi tiếp nhận hồ sơ.")
        else:
            try:
                children = svc.group_submit(
                    group=group,
                    actor=request.user,
                    receiving_unit=unit,
                    declared=request.POST.get("declaration") == "on",
                )
            except DossierError as exc:
                error = " ".join(exc.messages)
            else:
                payment_request_combined(dossiers=children, actor=request.user)
                messages.success(
                    request,
                    _("Đã nộp hồ sơ liên thông: %(n)s hồ sơ thành phần.") % {"n": len(children)},
                )
                return redirect("portal:linked_detail", pk=group.pk)
    return render(
        request,
        "portal/linked/submit.html",
        _context(
            group,
            STEP_SUBMIT,
            points=points,
            problems=svc.group_problems(group),
            error=error,
        ),
        status=400 if error else 200,
    )


@citizen_required
def linked_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The parent page: every child dossier with its authority, deadline and status;
    results shown when the bundle's return mode releases them; one payment."""
    from motcua.dossiers.portal_views import _results
    from motcua.payments.constants import RequestKind
    from motcua.payments.models import PaymentRequest

    group = _group(request, pk, draft=False)
    if group.submitted_at is None:
        return redirect("portal:linked_step", pk=group.pk, slug=STEP_FORM)
    children = svc.children_of(group)
    released = svc.results_released(group, children)
    payment = (
        PaymentRequest.objects.filter(
            dossier__group=group, kind=RequestKind.COMBINED, cancelled_at__isnull=True
        )
        .order_by("-pk")
        .first()
    )
    return render(
        request,
        "portal/linked/detail.html",
        {
            "group": group,
            "bundle": group.bundle,
            "rows": [{"d": c, "results": _results(c) if released else []} for c in children],
            "released": released,
            "payment": payment,
        },
    )
