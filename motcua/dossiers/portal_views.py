"""Citizen pages: my dossiers (scoped to the applicant), a dossier's timeline in plain
words with what is needed now, the citizen's own actions, a simple online submission,
and the public tracking page by dossier code (no personal data)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import citizen_required
from motcua.catalog.constants import OnlineMode, VersionStatus
from motcua.catalog.models import Competence, ProcedureVersion
from motcua.dossiers import forms as f
from motcua.dossiers import selectors as sel
from motcua.dossiers import services
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import APPLICANT, DossierStatus
from motcua.dossiers.errors import DossierError
from motcua.dossiers.files import store_upload
from motcua.dossiers.views import _eform, has_template, status_context
from motcua.org.selectors import valid_on

CITIZEN_ACTIONS = {"withdraw", "supplement_provided", "resubmit", "payment_fulfilled"}


@citizen_required
def my_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(sel.my_dossiers(request.user), sel.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dossiers/portal/list.html",
        {"page": page, "rows": sel.with_time(page.object_list)},
    )


def _citizen_actions(request: HttpRequest, d: Any) -> list[Any]:
    return [
        t
        for t in wf.actions_for(d.status, {APPLICANT})
        if t.action in CITIZEN_ACTIONS and d.applicant_id == request.user.pk
    ]


def _render_detail(
    request: HttpRequest, d: Any, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "dossiers/portal/detail.html",
        {
            "d": d,
            **status_context(d),
            "time": sel.time_state_of(d),
            "events": [e for e in d.events.all()],
            "components": d.components.all(),
            "explanation": sel.due_explanation(d),
            "has_wd_explanation": has_template("workdays/_explanation.html"),
            "actions": _citizen_actions(request, d),
            "error": error,
        },
        status=status,
    )


@citizen_required
def my_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, sel.dossier_for_applicant(request.user, pk))


@citizen_required
@require_POST
def my_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    d = sel.dossier_for_applicant(request.user, pk)
    if action not in CITIZEN_ACTIONS:
        raise Http404
    try:
        version = int(request.POST.get("expected_version", ""))
    except ValueError:
        version = -1
    kwargs: dict[str, Any] = {"dossier": d, "actor": request.user, "expected_version": version}
    if action == "withdraw":
        kwargs["reason"] = request.POST.get("reason", "")
    if action in {"supplement_provided", "resubmit"}:
        uploads = request.FILES.getlist("files")
        note = request.POST.get("note", "").strip()
        kwargs["components"] = [
            services.ComponentInput(name=note or upload.name or "", files=[store_upload(upload)])
            for upload in uploads
        ]
    try:
        services.SERVICES[action](**kwargs)
    except DossierError as exc:
        d = sel.dossier_for_applicant(request.user, pk)
        return _render_detail(request, d, error=" ".join(exc.messages), status=400)
    messages.success(request, _("Đã gửi: %(label)s.") % {"label": wf.BY_ACTION[action].label})
    return redirect("my_dossiers:detail", pk=pk)


def _online_versions() -> list[ProcedureVersion]:
    today = timezone.localdate()
    return list(
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .exclude(online_mode=OnlineMode.NONE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .select_related("procedure")
        .order_by("name", "-number")
    )


@citizen_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """A simple online submission (the full portal wizard is another issue)."""
    versions = _online_versions()
    version = next((v for v in versions if str(v.pk) == request.GET.get("version")), None)
    context: dict[str, Any] = {"versions": versions, "version": version}
    if version is not None:
        points = list(
            Competence.objects.filter(
                valid_on(timezone.localdate()),
                procedure_id=version.procedure_id,
                is_reception_point=True,
            ).select_related("unit")
        )
        posting = request.method == "POST"
        eform = _eform(version, request.POST if posting else None, user=request.user)
        form = f.CounterForm(
            request.POST if posting else None,
            request.FILES if posting else None,
            components=list(version.components.order_by("order", "pk")),
            with_json=eform is None,
        )
        for name in ("channel", "representative_name", "representative_id"):
            form.fields.pop(name)
        context.update({"points": points, "form": form, "eform": eform})
        if posting and form.is_valid() and (eform is None or eform.is_valid()) and points:
            unit = next(
                (p.unit for p in points if str(p.unit_id) == request.POST.get("unit")),
                points[0].unit,
            )
            answers = eform.answers() if eform is not None else form.cleaned_data["answers_json"]
            components = []
            for component, file_field, _d in form.component_fields:
                upload = form.cleaned_data.get(file_field)
                files = [store_upload(upload)] if upload else []
                components.append(services.ComponentInput(component=component, files=files))
            try:
                d = services.dossier_submit_online(
                    applicant=request.user,
                    procedure_version=version,
                    receiving_unit=unit,
                    form_answers=answers,
                    components=components,
                )
            except (DossierError, ValidationError) as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã nộp hồ sơ. Cơ quan sẽ kiểm tra và tiếp nhận."))
                return redirect("my_dossiers:detail", pk=d.pk)
    return render(request, "dossiers/portal/submit.html", context)


# --- public tracking ----------------------------------------------------------------------


def tracking_search(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("ma") or "").strip()
    if code:
        return redirect("tracking:detail", code=code)
    return render(request, "dossiers/public/tracking.html", {"d": None, "searched": False})


def tracking_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Status by dossier code (Decree 61/2018 Art. 17(3)): no names or answers shown."""
    d = sel.by_code(code)
    context: dict[str, Any] = {"d": d, "code": code, "searched": True}
    if d is not None:
        context.update(status_context(d))
        context["time"] = sel.time_state_of(d)
        context["is_paused"] = d.status in (
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.PAYMENT_REQUESTED,
        )
    return render(request, "dossiers/public/tracking.html", context, status=200 if d else 404)
