"""Citizen portal: the public home page and the step-by-step online application
(case → e-form → components → review → declaration → submit) with server-side
drafts that can be resumed on any device."""

from __future__ import annotations

import logging
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
from motcua.accounts.redirects import optional_url
from motcua.catalog.models import Procedure
from motcua.dossiers import applying
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier, DossierDraft
from motcua.dossiers.services import drafts as svc
from motcua.portal import forms as pf

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """Public home page. The search box submits to the procedure search (catalog)."""
    query = request.GET.get("q", "").strip()[:200]
    return render(
        request,
        "portal/home.html",
        {
            "query": query,
            "search_url": optional_url("procedures:list"),
            "linked_url": optional_url("portal:linked_list"),
            "my_dossiers_url": optional_url("my_dossiers:list"),
            "tracking_url": optional_url("tracking:search"),
            "feedback_url": optional_url("feedback_public:index"),
        },
    )


# --- the application wizard ------------------------------------------------------------

SLUGS = {
    applying.STEP_CASE: "truong-hop",
    applying.STEP_FORM: "to-khai",
    applying.STEP_COMPONENTS: "giay-to",
    applying.STEP_REVIEW: "xem-lai",
    applying.STEP_DECLARATION: "cam-doan",
}
STEP_OF_SLUG = {slug: step for step, slug in SLUGS.items()}
LABELS = {
    applying.STEP_CASE: gettext_lazy("Trường hợp"),
    applying.STEP_FORM: gettext_lazy("Tờ khai"),
    applying.STEP_COMPONENTS: gettext_lazy("Giấy tờ"),
    applying.STEP_REVIEW: gettext_lazy("Xem lại"),
    applying.STEP_DECLARATION: gettext_lazy("Cam đoan và nộp"),
}
AUTHORISATION = "UY_QUYEN"


def _draft_for(request: HttpRequest, pk: int) -> DossierDraft:
    draft = get_object_or_404(
        DossierDraft.objects.select_related("procedure_version__procedure", "case"),
        pk=pk,
        applicant=request.user,
    )
    if draft.dossier_id is not None:
        raise Http404
    return draft


def step_url(draft: DossierDraft, step: str) -> str:
    return reverse("portal:apply_step", args=[draft.pk, SLUGS[step]])


def _steps(draft: DossierDraft) -> tuple[str, ...]:
    return applying.steps_for(draft.procedure_version.cases.count())


def _next(draft: DossierDraft, step: str) -> str:
    steps = _steps(draft)
    return steps[min(steps.index(step) + 1, len(steps) - 1)]


def _has_form(draft: DossierDraft) -> bool:
    return bool((draft.procedure_version.form_schema or {}).get("properties"))


def _eform(draft: DossierDraft, data: Any = None) -> Any:
    from motcua.catalog import eforms

    v = draft.procedure_version
    return eforms.build_form(
        v.form_schema, v.form_layout, data=data, user=draft.applicant, prefix="eform"
    )


def _display_form(draft: DossierDraft) -> Any:
    """The e-form as the applicant left it: bound to the saved raw values without
    validating (no error messages on resume), or prefilled from the profile."""
    if draft.raw_form:
        form = _eform(draft, draft.raw_form)
        form._errors = ErrorDict()  # show the values, not validation errors
        return form
    return _eform(draft)


def _raw(request: HttpRequest) -> dict[str, Any]:
    """The e-form part of a POST as a JSON-safe dict (lists for multi-valued keys)."""
    raw: dict[str, Any] = {}
    for key in request.POST:
        if key.startswith("eform-"):
            values = request.POST.getlist(key)
            raw[key] = values if len(values) > 1 else values[0]
    return raw


def _context(request: HttpRequest, draft: DossierDraft, step: str, **extra: Any) -> dict[str, Any]:
    steps = _steps(draft)
    current = steps.index(step)
    return {
        "draft": draft,
        "version": draft.procedure_version,
        "step": step,
        "step_label": LABELS[step],
        "step_number": current + 1,
        "step_count": len(steps),
        "progress": [
            {
                "label": LABELS[s],
                "url": step_url(draft, s),
                "state": "done" if i < current else ("current" if i == current else "todo"),
                "number": i + 1,
            }
            for i, s in enumerate(steps)
        ],
        "back_url": step_url(draft, steps[current - 1]) if current else "",
        "autosave_url": reverse("portal:apply_autosave", args=[draft.pk]),
        **extra,
    }


@citizen_required
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    """From a procedure page ("Nộp hồ sơ trực tuyến"): open or resume the draft."""
    from motcua.catalog.selectors import public_procedure

    try:
        _procedure, version = public_procedure(code)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc
    if version.online_mode == "none":
        messages.error(request, _("Thủ tục này chưa hỗ trợ nộp hồ sơ trực tuyến."))
        return redirect(optional_url("procedures:list") or "portal:home")
    try:
        draft = svc.draft_start(applicant=request.user, procedure_version=version)
    except PermissionDenied:
        raise
    if draft.step in SLUGS and draft.step in _steps(draft):
        if draft.raw_form or draft.attachments:
            messages.info(request, _("Tiếp tục hồ sơ nháp bạn đã lưu."))
        return redirect(step_url(draft, draft.step))
    return redirect(step_url(draft, _steps(draft)[0]))


@citizen_required
@require_http_methods(["GET", "POST"])
def apply_step(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    draft = _draft_for(request, pk)
    step = STEP_OF_SLUG.get(slug)
    if step is None or step not in _steps(draft):
        raise Http404
    if draft.step != step:
        svc.draft_save(draft=draft, actor=request.user, step=step)
    handler = {
        applying.STEP_CASE: _case_step,
        applying.STEP_FORM: _form_step,
        applying.STEP_COMPONENTS: _components_step,
        applying.STEP_REVIEW: _review_step,
        applying.STEP_DECLARATION: _declaration_step,
    }[step]
    return handler(request, draft)


def _case_step(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    cases = list(draft.procedure_version.cases.order_by("order", "pk"))
    form = pf.CaseForm(request.POST or None, cases=cases, initial={"case": draft.case_id})
    if request.method == "POST" and form.is_valid():
        case = next(c for c in cases if str(c.pk) == form.cleaned_data["case"])
        svc.draft_save(draft=draft, actor=request.user, case=case)
        return redirect(step_url(draft, _next(draft, applying.STEP_CASE)))
    return render(
        request, "portal/apply/case.html", _context(request, draft, applying.STEP_CASE, form=form)
    )


def _form_step(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    if not _has_form(draft):
        if request.method == "POST":
            return redirect(step_url(draft, _next(draft, applying.STEP_FORM)))
        return render(
            request,
            "portal/apply/form.html",
            _context(request, draft, applying.STEP_FORM, eform=None),
        )
    action = request.POST.get("_action", "")
    if request.method == "POST":
        raw = _raw(request)
        if action == "save" or "_add_row" in request.POST:
            svc.draft_save(draft=draft, actor=request.user, raw_form=raw, form_valid=False)
            if action == "save":
                messages.success(request, _("Đã lưu nháp. Bạn có thể tiếp tục trên thiết bị khác."))
                return redirect(step_url(draft, applying.STEP_FORM))
            form = _eform(draft, request.POST)
            form._errors = ErrorDict()
        else:
            form = _eform(draft, request.POST)
            if form.is_valid():
                svc.draft_save(
                    draft=draft,
                    actor=request.user,
                    raw_form=raw,
                    answers=form.answers(),
                    form_valid=True,
                )
                return redirect(step_url(draft, _next(draft, applying.STEP_FORM)))
            svc.draft_save(draft=draft, actor=request.user, raw_form=raw, form_valid=False)
    else:
        form = _display_form(draft)
    return render(
        request,
        "portal/apply/form.html",
        _context(request, draft, applying.STEP_FORM, eform=form),
        status=400 if request.method == "POST" and form.errors else 200,
    )


@citizen_required
@require_POST
def apply_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx autosave of the e-form (hx-trigger="change delay:1s"): keeps the raw values."""
    draft = _draft_for(request, pk)
    svc.draft_save(draft=draft, actor=request.user, raw_form=_raw(request), form_valid=False)
    return render(
        request, "portal/apply/_autosaved.html", {"at": timezone.localtime(draft.updated_at)}
    )


def _components_step(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    from motcua.catalog.models import Component
    from motcua.documents.inspection import UploadRejected
    from motcua.documents.models import WarehouseItem

    error, error_for = "", ""
    if request.method == "POST":
        code = request.POST.get("component", "")
        what = request.POST.get("_action", "")
        if what == "next":
            return redirect(step_url(draft, _next(draft, applying.STEP_COMPONENTS)))
        component: Any = None
        if code == AUTHORISATION:
            component = _authorisation_component(draft)
        else:
            component = Component.objects.filter(version=draft.procedure_version, code=code).first()
        if component is None:
            raise Http404
        try:
            if what == "remove":
                svc.draft_detach(draft=draft, actor=request.user, component_code=code)
                messages.success(request, _("Đã bỏ tệp của: %(n)s.") % {"n": component.name})
            elif what == "reuse":
                item = WarehouseItem.objects.filter(
                    pk=request.POST.get("item") or 0, owner_id=request.user.pk
                ).first()
                if item is None:
                    raise UploadRejected(_("Vui lòng chọn một giấy tờ trong kho."), "empty")
                svc.draft_attach_warehouse(
                    draft=draft, actor=request.user, component=component, item=item
                )
                messages.success(
                    request,
                    _("Đã dùng giấy tờ có sẵn trong kho cho: %(n)s.") % {"n": component.name},
                )
            else:
                svc.draft_attach_upload(
                    draft=draft,
                    actor=request.user,
                    component=component,
                    uploads=request.FILES.getlist("files"),
                )
                messages.success(request, _("Đã tải lên: %(n)s.") % {"n": component.name})
        except UploadRejected as exc:
            error, error_for = exc.message, code
        except (DossierError, PermissionDenied) as exc:
            error, error_for = " ".join(getattr(exc, "messages", [str(exc)])), code
        if not error:
            back = step_url(
                draft,
                applying.STEP_DECLARATION if code == AUTHORISATION else applying.STEP_COMPONENTS,
            )
            return redirect(f"{back}#tp-{code}")
        draft.refresh_from_db()
    return render(
        request,
        "portal/apply/components.html",
        _context(
            request,
            draft,
            applying.STEP_COMPONENTS,
            plans=svc.draft_plan(draft),
            warehouse=_warehouse(request),
            error=error,
            error_for=error_for,
        ),
        status=400 if error else 200,
    )


def _warehouse(request: HttpRequest) -> list[Any]:
    from motcua.documents.selectors import warehouse_of

    today = timezone.localdate()
    return [
        i for i in warehouse_of(request.user) if i.valid_until is None or i.valid_until >= today
    ]


class _Authorisation:
    """The authorisation document of an application on behalf of another person: not
    a catalogue component, checked with the default upload policy."""

    code = AUTHORISATION
    name = gettext_lazy("Văn bản ủy quyền")
    accepted_types: list[str] = ["application/pdf", "image/jpeg", "image/png"]
    max_size_mb = 10

    def __init__(self, version_id: int) -> None:
        self.version_id = version_id


def _authorisation_component(draft: DossierDraft) -> Any:
    return _Authorisation(draft.procedure_version_id)


def _review_rows(draft: DossierDraft) -> list[tuple[str, str]]:
    from motcua.catalog.eforms import readable_answers

    return readable_answers(draft.procedure_version.form_schema, draft.answers)


def _review_step(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    from motcua.catalog.selectors import fee_lines

    if request.method == "POST":
        return redirect(step_url(draft, applying.STEP_DECLARATION))
    problems = [
        (msg, step_url(draft, step))
        for step, msg in svc.draft_problems(draft)
        if step != applying.STEP_DECLARATION
    ]
    try:
        fees = fee_lines(
            draft.procedure_version, draft.answers, "2", draft.case.code if draft.case else None
        )
    except (ValueError, KeyError, TypeError):  # informative only; the agency confirms fees
        fees = []
    return render(
        request,
        "portal/apply/review.html",
        _context(
            request,
            draft,
            applying.STEP_REVIEW,
            rows=_review_rows(draft),
            plans=svc.draft_plan(draft),
            problems=problems,
            fees=fees,
            form_url=step_url(draft, applying.STEP_FORM),
            components_url=step_url(draft, applying.STEP_COMPONENTS),
        ),
    )


def _reception_points(draft: DossierDraft) -> list[Any]:
    from motcua.catalog.selectors import reception_points

    return list(reception_points(draft.procedure_version.procedure))


def _declaration_step(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    points = _reception_points(draft)
    form = pf.DeclarationForm(
        request.POST or None,
        points=points,
        initial={
            "unit": draft.receiving_unit_id or (points[0].pk if points else None),
            "on_behalf": draft.on_behalf,
            "principal_name": draft.principal_name,
            "principal_id": draft.principal_id,
        },
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(p for p in points if str(p.pk) == str(data["unit"]))
        svc.draft_save(
            draft=draft,
            actor=request.user,
            receiving_unit=unit,
            on_behalf=data["on_behalf"],
            principal_name=data["principal_name"],
            principal_id=data["principal_id"],
        )
        if request.POST.get("_action") == "save":
            messages.success(request, _("Đã lưu nháp."))
            return redirect(step_url(draft, applying.STEP_DECLARATION))
        try:
            dossier = svc.draft_submit(
                draft=draft, actor=request.user, declared=data["declaration"]
            )
        except DossierError as exc:
            error = " ".join(exc.messages)
        else:
            _request_fees_due_now(request, dossier)
            return redirect("portal:apply_done", dossier_pk=dossier.pk)
    problems = [(msg, step_url(draft, step)) for step, msg in svc.draft_problems(draft)]
    return render(
        request,
        "portal/apply/declaration.html",
        _context(
            request,
            draft,
            applying.STEP_DECLARATION,
            form=form,
            error=error,
            problems=problems,
            points=points,
            authorisation=draft.attachments.get(AUTHORISATION),
            authorisation_code=AUTHORISATION,
            upload_url=step_url(draft, applying.STEP_COMPONENTS),
        ),
        status=400 if (error or form.errors) else 200,
    )


@citizen_required
@require_POST
def apply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_for(request, pk)
    svc.draft_delete(draft=draft, actor=request.user)
    messages.success(request, _("Đã xóa hồ sơ nháp."))
    return redirect("my_dossiers:list")


def _request_fees_due_now(request: HttpRequest, dossier: Dossier) -> None:
    """Fees due at submission: the payment request is made now and the done page leads
    to it. A failure here does not undo the submission (the dossier's payment page can
    make the request again)."""
    from motcua.payments.errors import PaymentError
    from motcua.payments.services import payment_request_at_submission

    try:
        payment_request_at_submission(dossier=dossier, actor=request.user)
    except PaymentError:
        logger.exception("Fee request at submission failed for dossier %s", dossier.pk)


@citizen_required
def apply_done(request: HttpRequest, dossier_pk: int) -> HttpResponse:
    from motcua.payments.selectors import fee_request_due_at_submission

    d = get_object_or_404(
        Dossier.objects.select_related("procedure_version", "receiving_unit"),
        pk=dossier_pk,
        applicant=request.user,
    )
    return render(
        request,
        "portal/apply/done.html",
        {
            "d": d,
            "reference": svc.submission_reference(d),
            "notifications_url": optional_url("notifications:centre"),
            "fee_request": fee_request_due_at_submission(d),
        },
    )
