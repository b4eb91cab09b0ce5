"""Back-office pages: worklists, dossier page with the allowed actions, counter
reception and the printable forms. Thin adapters around selectors and services."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.constants import AccountKind
from motcua.accounts.decorators import account_required, officer_required
from motcua.accounts.models import User
from motcua.accounts.selectors import activation_awaited
from motcua.catalog.constants import VersionStatus
from motcua.catalog.eforms import readable_answers
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers import deadlines, forms_pdf, services
from motcua.dossiers import forms as f
from motcua.dossiers import selectors as sel
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import (
    CITIZEN_STATUS_TEXT,
    NATIONAL_STATUS,
    NATIONAL_STATUS_LABELS,
    STATUS_COLOUR,
)
from motcua.dossiers.errors import DossierError
from motcua.dossiers.files import files_for_display
from motcua.dossiers.permissions import roles_in_units
from motcua.org.constants import Role
from motcua.org.models import OrgUnit

logger = logging.getLogger(__name__)


def has_template(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def e_result_context(d: Any) -> dict[str, Any]:
    """The dossier's electronic result and its history, for the dossier pages."""
    from motcua.dossiers.services.e_result import (
        result_document_of,
        result_history_of,
        signed_roles,
    )

    current = result_document_of(d)
    return {
        "e_result": current,
        "e_result_signed": signed_roles(current),
        "e_result_history": [
            i for i in result_history_of(d) if current is None or i.pk != current.pk
        ],
        "signed_forms": [
            (n, f) for n in ("03", "04") if (f := forms_pdf.signed_form_of(d, n)) is not None
        ],
    }


def status_context(d: Any) -> dict[str, Any]:
    code = NATIONAL_STATUS.get(d.status)
    return {
        "status_colour": STATUS_COLOUR.get(d.status, "grey"),
        "national_code": code,
        "national_label": NATIONAL_STATUS_LABELS.get(code or 0, ""),
        "citizen_status_text": CITIZEN_STATUS_TEXT.get(d.status, ""),
    }


def rules_context(d: Any) -> dict[str, Any]:
    """The dossier's rule set (R1) and, under Decree 118/2025, when a dossier waiting
    for its supplement is closed (Art. 19(5))."""
    rules = d.rules
    return {
        "rules": rules,
        "control_number": rules.form("05").number,
        "supplement_close_at": services.supplement_close_at(d, rules=rules),
        "supplement_basis": rules.cite("supplement"),
        "reception_due_at": services.reception_due_at(d),
        "online_basis": rules.cite("online"),
        # Decree 118/2025 Art. 23(1): the applicant's open request to correct the result.
        "correction_request": (
            d.events.filter(action="request_correction").order_by("-at", "-pk").first()
            if d.correction_requested_at
            else None
        ),
    }


# --- worklists -----------------------------------------------------------------------


@officer_required
def worklist(request: HttpRequest) -> HttpResponse:
    scope = sel.scope_of(request.user)  # roles and visible units, once per request
    tabs = sel.tabs_for(request.user, scope.held)
    keys = [t.key for t in tabs]
    tab = request.GET.get("tab") or (keys[0] if keys else "all")
    if tab not in keys:
        tab = keys[0] if keys else "all"
    form = f.FilterForm(
        request.GET or None, procedures=sel.worklist_procedures(request.user, scope.visible)
    )
    filters = sel.Filters()
    if form.is_valid():
        data = form.cleaned_data
        filters = sel.Filters(
            status=data.get("status") or "",
            procedure=data.get("procedure") or "",
            overdue=bool(data.get("overdue")),
            q=data.get("q") or "",
            sort=data.get("sort") or "due",
        )
    page, rows = sel.worklist_page(request.user, tab, filters, scope, request.GET.get("page"))
    counts = sel.tab_counts(request.user, tabs, scope)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dossiers/worklist.html",
        {
            "tabs": tabs,
            "tab": tab,
            "tab_rows": [(t, counts.get(t.key)) for t in tabs],
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "is_receptionist": any(Role.RECEPTIONIST in r for r in scope.held.values()),
        },
    )


# --- dossier page ----------------------------------------------------------------------


def _action_forms(
    request: HttpRequest, d: Any, bound: Any = None, held: dict[int, set[str]] | None = None
) -> list[Any]:
    result = []
    specialists = None
    for t in sel.available_actions(request.user, d, held):
        if bound is not None and bound.transition.action == t.action:
            result.append(bound)
            continue
        if t.action == "assign" and specialists is None:
            specialists = sel.specialists_of(d.competent_unit_id)
        result.append(f.action_form(t, d, specialists=specialists or ()))
    return result


def _detail(request: HttpRequest, d: Any, bound: Any = None, status: int = 200) -> HttpResponse:
    held = roles_in_units(request.user)  # once: the actions and the read log use it
    action_forms = _action_forms(request, d, bound, held)
    _note_read(request, d, action_forms, held)
    # An action that is no longer offered (e.g. a second apology, Form 04) still
    # tells the officer why it was refused.
    refused = None
    if bound is not None and not any(form is bound for form in action_forms):
        refused = bound
    return render(
        request,
        "dossiers/detail.html",
        {
            "d": d,
            **status_context(d),
            "time": sel.time_state_of(d),
            "steps": sel.steps_with_time(d),
            "consulted": sel.consultation_bodies(d),
            "paper_transfer_due": deadlines.paper_transfer_due(d),
            "events": d.events.all(),
            "components": [(c, files_for_display(c)) for c in d.components.all()],
            "answers": readable_answers(d.procedure_version.form_schema, d.form_answers),
            "explanation": sel.due_explanation(d),
            "has_wd_explanation": has_template("workdays/_explanation.html"),
            "action_forms": action_forms,
            "refused_form": refused,
            "pdf_forms": [(n, forms_pdf.form_label(d, n)) for n in forms_pdf.available_forms(d)],
            **e_result_context(d),
            **rules_context(d),
            "consent": consent_of(d) if d.submitted_on_behalf_by_id else None,
            "can_consent": Role.RECEPTIONIST in held.get(d.receiving_unit_id, set()),
            # law.md R12c: the supplement notices and their delivery evidence.
            "notices": list(d.supplement_notices.select_related("delivered_by")),
        },
        status=status,
    )


@officer_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, sel.dossier_for_officer(request.user, pk))


def _note_read(
    request: HttpRequest, d: Any, action_forms: list[Any], held: dict[int, set[str]]
) -> None:
    """The read log (law.md R32a): this officer opened the dossier, with the purpose
    the actions offered to them give."""
    from motcua.privacy.readlog import read_note

    read_note(request, d, held=held, offered=[form.transition for form in action_forms])


@officer_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The parent of a linked application for the one-stop unit and the authorities
    (law.md R40): every child with its authority, deadline and status. An officer who
    may see none of the children gets a 404; children of other units are listed
    without a link."""
    from motcua.dossiers.models import DossierGroup
    from motcua.dossiers.selectors import can_officer_see
    from motcua.dossiers.services.linked import children_of, results_released

    group = (
        DossierGroup.objects.select_related("bundle", "receiving_unit", "applicant")
        .filter(pk=pk, submitted_at__isnull=False)
        .first()
    )
    children = children_of(group) if group is not None else []
    rows = [(c, can_officer_see(request.user, c)) for c in children]
    if group is None or not any(seen for _c, seen in rows):
        raise Http404
    return render(
        request,
        "dossiers/group.html",
        {"group": group, "rows": rows, "released": results_released(group, children)},
    )


@officer_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    d = sel.dossier_for_officer(request.user, pk)
    t = wf.BY_ACTION.get(action)
    if t is None or action not in services.SERVICES:
        raise Http404
    specialists = sel.specialists_of(d.competent_unit_id) if action == "assign" else ()
    form = f.action_form(t, d, data=request.POST, files=request.FILES, specialists=specialists)
    if not form.is_valid():
        return _detail(request, d, bound=form, status=400)
    service = services.SERVICES[action]
    try:
        result = service(
            dossier=d,
            actor=request.user,
            expected_version=form.cleaned_data["expected_version"],
            **form.service_kwargs(),
        )
    except DossierError as exc:
        form.add_error(None, ValidationError(exc.messages))
        d = sel.dossier_for_officer(request.user, pk)
        return _detail(request, d, bound=form, status=409 if "concurrent" in exc.code else 400)
    messages.success(request, _("Đã thực hiện: %(label)s.") % {"label": t.label})
    for warning in getattr(result, "warnings", []):
        messages.warning(request, warning)
    _store_form(request, d, action)
    if action == "receive":
        return _after_reception(result)
    try:
        return redirect("dossiers:detail", pk=sel.dossier_for_officer(request.user, pk).pk)
    except Http404:  # e.g. transferred out of the officer's units
        return redirect("dossiers:worklist")


@officer_required
def unpublished_requests(request: HttpRequest) -> HttpResponse:
    """Inspection and heads of unit: supplement requests naming papers outside the
    procedure's published components (law.md R12b)."""
    from django.core.paginator import Paginator

    from motcua.org.selectors import active_assignments

    if not any(
        a.role == Role.SUPERVISOR or (a.role == Role.LEADER and a.is_head)
        for a in active_assignments(request.user)
    ):
        raise PermissionDenied
    page = Paginator(sel.unpublished_requests(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "dossiers/unpublished_requests.html", {"page": page})


# --- counter reception ------------------------------------------------------------------


def _receptionist_units(user: Any) -> list[OrgUnit]:
    held = roles_in_units(user)
    ids = [u for u, roles in held.items() if Role.RECEPTIONIST in roles]
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("code"))


def _versions_for(units: list[OrgUnit]) -> list[ProcedureVersion]:
    today = timezone.localdate()
    qs = (
        ProcedureVersion.objects.filter(
            status=VersionStatus.PUBLISHED,
            procedure__competences__unit__in=units,
            procedure__competences__is_reception_point=True,
        )
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .select_related("procedure")
        .distinct()
        .order_by("name", "-number")
    )
    seen: set[int] = set()
    result = []
    for v in qs:
        if v.procedure_id not in seen:
            seen.add(v.procedure_id)
            result.append(v)
    return result


def _eform(version: ProcedureVersion, data: Any = None, user: Any = None) -> Any:
    """The catalogue's e-form when the procedure has one, else None (JSON fallback)."""
    if not version.form_schema or not (version.form_schema.get("properties")):
        return None
    try:
        from motcua.catalog import eforms
    except ImportError:  # pragma: no cover - catalog e-forms not installed
        return None
    return eforms.build_form(
        version.form_schema, version.form_layout, data=data, user=user, prefix="eform"
    )


@officer_required
@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest) -> HttpResponse:
    units = _receptionist_units(request.user)
    if not units:
        raise Http404
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), units[0])
    versions = _versions_for([unit])
    lookup = f.CitizenLookupForm(request.GET if "personal_id" in request.GET else None)
    citizen = None
    if lookup.is_bound and lookup.is_valid():
        citizen = User.objects.filter(
            personal_id=lookup.cleaned_data["personal_id"],
            kind__in=[AccountKind.CITIZEN, AccountKind.BUSINESS],
        ).first()
    register = f.CitizenRegisterForm(
        request.POST if request.POST.get("step") == "register" else None,
        initial={"personal_id": request.GET.get("personal_id", "")},
    )
    if request.POST.get("step") == "register" and register.is_valid():
        from motcua.accounts.services import citizen_register

        try:
            citizen = citizen_register(
                full_name=register.cleaned_data["full_name"],
                personal_id=register.cleaned_data["personal_id"],
                phone=register.cleaned_data["phone"],
                password=_random_password(),
            )
        except ValidationError as exc:
            register.add_error(None, exc)
        else:
            # Hand-over (issue 18): a one-time code to claim the account, sent by SMS and
            # printed on Form 01.
            from motcua.accounts.services import activation_issue

            activation_issue(user=citizen, actor=request.user)
            messages.success(
                request,
                _(
                    "Đã tạo tài khoản cho công dân. Mã kích hoạt đã gửi qua tin nhắn và "
                    "sẽ in trên Giấy tiếp nhận hồ sơ."
                ),
            )
            target = reverse("dossiers:counter")
            return redirect(f"{target}?unit={unit.pk}&personal_id={citizen.personal_id}")
    awaiting = citizen is not None and activation_awaited(citizen)
    if citizen is not None and awaiting and request.POST.get("step") == "activation":
        # A new hand-over code (the first expired or was lost); printed on Form 01.
        from motcua.accounts.services import activation_issue

        activation_issue(user=citizen, actor=request.user)
        messages.success(request, _("Đã cấp mã kích hoạt mới và gửi qua tin nhắn."))
        return redirect(request.get_full_path())
    version = next((v for v in versions if str(v.pk) == request.GET.get("version")), None)
    counter_form = eform = None
    if citizen is not None and version is not None:
        components = list(version.components.order_by("order", "pk"))
        posting = request.method == "POST" and request.POST.get("step") == "receive"
        eform = _eform(version, request.POST if posting else None, user=citizen)
        counter_form = f.CounterForm(
            request.POST if posting else None,
            request.FILES if posting else None,
            components=components,
            with_json=eform is None,
            applicant=citizen,
            immediate=version.immediate_result,
        )
        if posting:
            valid = counter_form.is_valid() and (eform is None or eform.is_valid())
            if valid:
                response = _counter_receive(request, unit, citizen, version, counter_form, eform)
                if response is not None:
                    return response
    return render(
        request,
        "dossiers/counter.html",
        {
            "units": units,
            "unit": unit,
            "versions": versions,
            "version": version,
            "lookup": lookup,
            "citizen": citizen,
            "register": register,
            "counter_form": counter_form,
            "eform": eform,
            "awaiting_activation": awaiting,
        },
        status=400 if request.method == "POST" else 200,
    )


def _random_password() -> str:
    import secrets

    return secrets.token_urlsafe(24)


def _counter_receive(
    request: HttpRequest,
    unit: OrgUnit,
    citizen: Any,
    version: ProcedureVersion,
    form: Any,
    eform: Any,
) -> HttpResponse | None:
    answers = eform.answers() if eform is not None else form.cleaned_data.get("answers_json", {})
    address = (form.cleaned_data.get("applicant_address") or "").strip()
    if address:
        answers = {**answers, forms_pdf.ADDRESS_ANSWER: address}
    fields = {component.pk: file_field for component, file_field, _d in form.component_fields}
    try:
        d = services.dossier_receive_at_counter(
            actor=request.user,
            applicant=citizen,
            procedure_version=version,
            receiving_unit=unit,
            form_answers=answers,
            components=[
                services.CounterComponent(
                    component=component,
                    upload=form.cleaned_data.get(file_field),
                    digitized=bool(form.cleaned_data.get(digitized_field)),
                )
                for component, file_field, digitized_field in form.component_fields
                if form.handed_over(component, file_field)
            ],
            representative_name=form.cleaned_data["representative_name"],
            representative_id=form.cleaned_data["representative_id"],
            channel=form.cleaned_data["channel"],
            form01_requested=form.cleaned_data.get("form01_requested", True),
        )
    except services.CounterUploadRejected as exc:
        form.add_error(fields[exc.component.pk], exc.message)
        return None
    except DossierError as exc:
        form.add_error(None, ValidationError(exc.messages))
        return None
    messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": d.code})
    _store_form(request, d, "receive")
    return _after_reception(d)


def _after_reception(d: Any) -> HttpResponse:
    """To Form 01 to print it, or to the dossier when none was issued (law.md R7)."""
    if forms_pdf.form01_issued(d):
        return redirect("dossiers:form01", pk=d.pk)
    return redirect("dossiers:detail", pk=d.pk)


# --- consent at the counter (law.md R4a) -------------------------------------------------


def consent_of(d: Any) -> Any:
    from motcua.dossiers.models import CounterConsent

    return (
        CounterConsent.objects.filter(dossier_id=d.pk)
        .select_related("confirmed_by", "waived_by")
        .first()
    )


@officer_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The citizen confirms the dossier submitted on their account: the receptionist
    sends a one-time code to the citizen's phone and types the code the citizen reads
    out, or goes on without the confirmation (with a reason). Only receptionists of the
    unit that received the dossier."""
    from motcua.dossiers.services import consent as svc

    d = sel.dossier_for_officer(request.user, pk)
    record = consent_of(d)
    if record is None:
        raise Http404
    if Role.RECEPTIONIST not in roles_in_units(request.user).get(d.receiving_unit_id, set()):
        raise PermissionDenied
    code_form = f.ConsentCodeForm(request.POST if request.POST.get("step") == "confirm" else None)
    waive_form = f.ConsentWaiveForm(request.POST if request.POST.get("step") == "waive" else None)
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "send":
                record = svc.counter_consent_request(dossier=d, actor=request.user)
                messages.success(
                    request,
                    _("Đã gửi mã xác nhận đến số %(phone)s. Mời người nộp đọc mã.")
                    % {"phone": mask_phone(record.phone)},
                )
                return redirect("dossiers:consent", pk=d.pk)
            if step == "confirm" and code_form.is_valid():
                svc.counter_consent_confirm(
                    dossier=d, actor=request.user, code=code_form.cleaned_data["code"]
                )
                messages.success(request, _("Người nộp đã xác nhận nộp hồ sơ."))
                return redirect("dossiers:detail", pk=d.pk)
            if step == "waive" and waive_form.is_valid():
                svc.counter_consent_waive(
                    dossier=d, actor=request.user, reason=waive_form.cleaned_data["reason"]
                )
                messages.warning(
                    request,
                    _(
                        "Hồ sơ được ghi nhận nộp không có xác nhận của người nộp; người nộp "
                        "sẽ được thông báo khi vào Cổng dịch vụ công."
                    ),
                )
                return redirect("dossiers:detail", pk=d.pk)
            if step not in ("send", "confirm", "waive"):
                messages.error(request, _("Thao tác không hợp lệ."))
        except DossierError as exc:
            target = waive_form if step == "waive" else code_form
            if step == "send" or not target.is_bound:
                messages.error(request, " ".join(str(m) for m in exc.messages))
            else:
                target.add_error(None, ValidationError(exc.messages))
        status = 400
        record = consent_of(d)
    return render(
        request,
        "dossiers/consent.html",
        {
            "d": d,
            "consent": record,
            "code_live": record.code_live(),
            "phone": mask_phone(record.phone or getattr(d.applicant, "phone", "") or ""),
            "code_form": code_form,
            "waive_form": waive_form,
        },
        status=status,
    )


def mask_phone(phone: str) -> str:
    """0905•••678: enough for the citizen to recognise their number."""
    phone = (phone or "").strip()
    if len(phone) < 7:
        return phone
    return f"{phone[:4]}{'•' * (len(phone) - 7)}{phone[-3:]}"


# --- printable forms --------------------------------------------------------------------


def tracking_url(request: HttpRequest, code: str) -> str:
    """Absolute public tracking URL (/tra-cuu/<code>/) for the QR code on Form 01."""
    try:
        path = reverse("tracking:detail", kwargs={"code": code})
    except NoReverseMatch:  # public_urls not mounted: use the agreed path
        path = f"/tra-cuu/{quote(code)}/"
    return request.build_absolute_uri(path)


def qr_svg(data: str) -> str:
    import segno

    return segno.make(data, error="m").svg_inline(scale=3, dark="#000")


@officer_required
def form01(request: HttpRequest, pk: int) -> HttpResponse:
    """Form 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Circular 01/2018 Art. 9; QR
    allowed by Art. 19(2)). HTML print view until PDF rendering lands."""
    d = sel.dossier_for_officer(request.user, pk)
    if not d.code:
        raise Http404
    url = tracking_url(request, d.code)
    span = deadlines.span_of(d.procedure_version, d.case)
    return render(
        request,
        "dossiers/form01.html",
        {
            **forms_pdf.activation_context(d.applicant, request.build_absolute_uri("/")),
            "d": d,
            "qr": qr_svg(url),
            "tracking_url": url,
            "span_text": forms_pdf.span_text(span.value, span.unit),
            "address": forms_pdf.applicant_address(d),
            "receiver": next((e.actor for e in d.events.all() if e.action == "receive"), None),
            "consent": consent_of(d) if d.submitted_on_behalf_by_id else None,
            "explanation": sel.due_explanation(d),
            "has_wd_explanation": has_template("workdays/_explanation.html"),
        },
    )


@officer_required
def control_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """Form 05 — Phiếu kiểm soát quá trình giải quyết hồ sơ, derived from the events."""
    d = sel.dossier_for_officer(request.user, pk)
    _note_form_read(request, d, "05")
    return render(
        request,
        "dossiers/form05.html",
        {
            "d": d,
            "steps": sel.steps_with_time(d),
            "events": d.events.all(),
            "spec": d.rules.form("05"),
        },
    )


# --- PDF forms (Circular 01/2018 Art. 9) ---------------------------------------------------


def _store_form(request: HttpRequest, d: Any, action: str) -> None:
    """Keep the issued Form 01–04 with the dossier (the transition is already committed)."""
    warning = forms_pdf.issued_form_keep(
        d, action, actor=request.user, base_url=request.build_absolute_uri("/")
    )
    if warning:
        messages.warning(request, warning)


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@account_required
def form_pdf(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    """Forms 01–05 as PDF. Officers: the dossier page's check; the applicant: forms
    01–04 of their own dossier (the portal links here). Anyone else: 404."""
    d = forms_pdf.dossier_for_form(request.user, pk, number)
    data = forms_pdf.form_pdf(d, number, base_url=request.build_absolute_uri("/"))
    _note_form_read(request, d, number)
    return pdf_response(data, forms_pdf.safe_filename(d, number))


def _note_form_read(request: HttpRequest, d: Any, number: str) -> None:
    """The read log (law.md R32a): an officer printed a form of the dossier (its
    applicant's name, address, documents); the applicant's own download is not logged."""
    from motcua.privacy.constants import ReadKind
    from motcua.privacy.readlog import read_note

    label = _("Mẫu %(number)s") % {"number": number}
    read_note(request, d, kind=ReadKind.FORM, object_ref=number, object_label=label)


@officer_required
def register(request: HttpRequest) -> HttpResponse:
    """Form 06 — Sổ theo dõi hồ sơ of one unit for a date range (A4 landscape PDF)."""
    from motcua.org.selectors import units_visible_to

    units = units_visible_to(request.user).order_by("code")
    form = forms_pdf.RegisterForm(request.GET or None, units=units)
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["unit"]
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        listed: list[int] = []
        data = forms_pdf.register_pdf(unit, start, end, listed)
        name = forms_pdf.register_filename(unit, start, end)
        _note_register_read(request, unit, listed, name)
        return pdf_response(data, name)
    return render(
        request,
        "dossiers/pdf/register_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _note_register_read(request: HttpRequest, unit: Any, listed: list[int], name: str) -> None:
    """The register lists every applicant's address and phone: a read of each dossier
    in it (law.md R32a), one bulk insert after the view."""
    from motcua.privacy.readlog import register_read_note

    register_read_note(request, unit, listed, name)


@officer_required
@require_POST
def supplement_phoned(request: HttpRequest, pk: int) -> HttpResponse:
    """The receptionist phoned the applicant, who has now received the supplement
    notice: the clock pauses from now (law.md R12c)."""
    from motcua.dossiers.services.notice import supplement_notice_phoned

    d = sel.dossier_for_officer(request.user, pk)
    if Role.RECEPTIONIST not in roles_in_units(request.user).get(d.receiving_unit_id, set()):
        raise PermissionDenied
    try:
        supplement_notice_phoned(
            dossier=d, actor=request.user, note=request.POST.get("note", "")[:150]
        )
    except DossierError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đã ghi nhận: người nộp đã nhận thông báo bổ sung. Thời hạn tạm dừng từ lúc này."),
        )
    return redirect("dossiers:detail", pk=d.pk)
