"""Citizen pages: my dossiers (scoped to the applicant), a dossier's timeline in plain
words with what is needed now, the citizen's own actions, a simple online submission,
and the public tracking page by dossier code (no personal data)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import citizen_required
from motcua.catalog.constants import OnlineMode, VersionStatus
from motcua.catalog.models import Competence, ProcedureVersion
from motcua.core.forms import PUBLIC_CODE_RE
from motcua.documents.inspection import UploadRejected
from motcua.dossiers import forms as f
from motcua.dossiers import selectors as sel
from motcua.dossiers import services
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import APPLICANT, DossierStatus
from motcua.dossiers.errors import DossierError
from motcua.dossiers.files import store_upload
from motcua.dossiers.models import DossierDraft
from motcua.dossiers.rulesets import KEY_STOP
from motcua.dossiers.services import drafts
from motcua.dossiers.supplement import FILE_ACTIONS, applicant_files_send
from motcua.dossiers.timeline import dossier_plain_timeline
from motcua.dossiers.views import _eform, has_template, status_context
from motcua.org.models import OrgUnit
from motcua.org.selectors import valid_on


def _url(name: str, *args: Any) -> str:
    """URL of a page another app provides, or "" while it is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# The applicant's own actions. Paying an obligation is done on the payment pages; the
# dossier resumes when the payments app records it as paid (no self-certification).
CITIZEN_ACTIONS = {
    "withdraw",
    "stop_by_applicant",
    "supplement_provided",
    "resubmit",
    "request_correction",  # Decree 118/2025 Art. 23(1)
}
# The applicant ends the dossier: withdrawal (before reception, or under Decree
# 61/2018), or stop from reception to the decision (Decree 118/2025 Art. 21). The
# dossier's rule set leaves at most one of them available.
ENDING = ("withdraw", "stop_by_applicant")
CORRECTION = "request_correction"


@citizen_required
def my_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(sel.my_dossiers(request.user), sel.PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = DossierDraft.objects.filter(
        applicant_id=request.user.pk, dossier__isnull=True, group__isnull=True
    ).select_related("procedure_version__procedure")
    return render(
        request,
        "dossiers/portal/list.html",
        {
            "page": page,
            "rows": sel.with_time(page.object_list),
            "drafts": drafts,
            "catalogue_url": _url("procedures:list"),
        },
    )


def _citizen_actions(request: HttpRequest, d: Any) -> list[Any]:
    return [
        t
        for t in wf.actions_for(d.status, {APPLICANT}, d.rules.disabled_in(d.status))
        if t.action in CITIZEN_ACTIONS and d.applicant_id == request.user.pk
    ]


RESULT_STATES = {DossierStatus.RESOLVED, DossierStatus.RESULT_RETURNED}
NEEDS_DOCUMENTS = {DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.RETURNED_FOR_COMPLETION}
REQUEST_ACTIONS = {"request_supplement", "return_for_completion"}
RATABLE = {DossierStatus.RESOLVED, DossierStatus.RESULT_RETURNED, DossierStatus.REFUSED}


def _results(d: Any) -> list[dict[str, Any]]:
    """Issued results of the dossier with their signature status and whether they are
    kept in the applicant's e-data warehouse (Decree 61/2018 Art. 20(5))."""
    if not d.code or d.status not in RESULT_STATES:
        return []
    from motcua.dossiers.services.linked import child_result_held

    if child_result_held(d):  # returned together with its linked siblings (R40)
        return []
    from motcua.documents.constants import FileKind
    from motcua.documents.models import IssuedDocument, WarehouseItem
    from motcua.documents.selectors import signature_report

    rows = []
    issued = (
        IssuedDocument.objects.filter(
            dossier_code=d.code, owner_id=d.applicant_id, revoked_at__isnull=True
        )
        .exclude(file__kind=FileKind.FORM)
        .select_related("file", "replaces")
        .order_by("-issued_at", "-pk")
    )
    for doc in issued:
        if doc.file is None:
            continue
        try:
            report = signature_report(doc.file)
        except Exception:  # a broken file must not break the page
            report = None
        rows.append(
            {
                "doc": doc,
                "report": report,
                "in_warehouse": WarehouseItem.objects.filter(
                    owner_id=d.applicant_id, result_code=doc.code, is_active=True
                ).exists(),
            }
        )
    return rows


def _needed_now(d: Any, actions: list[Any]) -> list[dict[str, Any]]:
    """What the applicant has to do now, in plain words."""
    items: list[dict[str, Any]] = []
    names = {t.action for t in actions}
    if d.status in NEEDS_DOCUMENTS and names & {"supplement_provided", "resubmit"}:
        items.append({"kind": "supplement", "text": _("Bổ sung giấy tờ theo yêu cầu bên dưới.")})
    if d.status == DossierStatus.PAYMENT_REQUESTED:
        items.append(
            {
                "kind": "payment",
                "text": _("Nộp thuế, phí, lệ phí theo thông báo của cơ quan."),
                "url": _url("pay:dossier", d.pk),
            }
        )
    if d.status == DossierStatus.RESOLVED:
        items.append(
            {
                "kind": "collection",
                "text": _(
                    "Kết quả đã sẵn sàng. Tải kết quả điện tử bên dưới, "
                    "hoặc nhận bản giấy tại %(unit)s."
                )
                % {"unit": d.receiving_unit.name},
            }
        )
    return items


def _officer_request(d: Any, events: list[Any]) -> Any:
    """The latest supplement request (what was asked and why) while it is open."""
    if d.status not in NEEDS_DOCUMENTS:
        return None
    return next((e for e in reversed(events) if e.action in REQUEST_ACTIONS), None)


def _render_detail(
    request: HttpRequest, d: Any, error: str = "", status: int = 200
) -> HttpResponse:
    events = list(d.events.select_related("unit").all())
    actions = _citizen_actions(request, d)
    return render(
        request,
        "dossiers/portal/detail.html",
        {
            "d": d,
            **status_context(d),
            # Issue 26 point 5 (law.md R16b): where it is, who holds it, days left, to do.
            "plain": dossier_plain_timeline(d),
            "time": sel.time_state_of(d),
            "events": events,
            "messages_from_officer": [e for e in events if e.reason and e.actor_role != APPLICANT],
            "components": d.components.all(),
            "explanation": sel.due_explanation(d),
            "has_wd_explanation": has_template("workdays/_explanation.html"),
            "actions": [t for t in actions if t.action not in ENDING and t.action != CORRECTION],
            # Decree 118/2025 Art. 23(1): report an error in the result (one open at a time).
            "correction_action": next(
                (
                    t
                    for t in actions
                    if t.action == CORRECTION
                    and d.correction_requested_at is None
                    and d.result_files
                ),
                None,
            ),
            "end_action": _end_action(actions),
            "needed_now": _needed_now(d, actions),
            "officer_request": _officer_request(d, events),
            # Decree 118/2025 Art. 19(5): when the dossier is closed if not supplemented.
            "supplement_close_at": services.supplement_close_at(d),
            "results": _results(d),
            "rate_url": _url("feedback_public:rate", d.pk, "result") if d.status in RATABLE else "",
            "report_url": _url("feedback_public:submit"),
            "pay_url": _url("pay:dossier", d.pk),
            "warehouse_url": _url("documents:warehouse"),
            "papers": _papers(d, events),
            "group": d.group,
            "signed_papers": _signed_papers(d),
            "reads": _reads(d),
            "error": error,
        },
        status=status,
    )


def _reads(d: Any) -> list[Any]:
    """Who read the dossier (law.md R32a): officers' reads, shown to the applicant."""
    from motcua.privacy.selectors import reads_of_dossier

    return reads_of_dossier(d)


def _end_action(actions: list[Any]) -> Any:
    return next((t for t in actions if t.action in ENDING), None)


def _papers(d: Any, events: list[Any]) -> list[tuple[str, str, str]]:
    """Downloadable forms as (key, number, title) in the dossier's rule set (R1):
    receipt (Form 01), supplement request (Form 02), apology (Form 04) and, under
    Circular 03/2025, the stop notice (its Form 05)."""
    rules = d.rules
    keys = []
    if d.code:
        keys.append("01")
    if any(e.action in REQUEST_ACTIONS for e in events):
        keys.append("02")
    if d.extended_at:
        keys.append("04")
    if rules.has_form(KEY_STOP) and any(e.action == "stop_by_applicant" for e in events):
        keys.append(KEY_STOP)
    return [(k, rules.form(k).number, rules.form(k).label) for k in keys]


def _signed_papers(d: Any) -> list[tuple[str, Any]]:
    """Signed copies of the forms the head of the authority signs (03, 04)."""
    from motcua.dossiers.forms_pdf import signed_form_of

    return [(n, f) for n in ("03", "04") if (f := signed_form_of(d, n)) is not None]


@citizen_required
@require_POST
def consent_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant answers for a dossier submitted at the counter on their account
    without their confirmation (law.md R4a): "Tôi xác nhận đã nộp", or "Tôi không nộp
    hồ sơ này" (a feedback item routed to inspection). The notice then goes away."""
    from django.utils.http import url_has_allowed_host_and_scheme

    from motcua.dossiers.models import ConsentAnswer
    from motcua.dossiers.services.consent import counter_consent_answer

    d = sel.dossier_for_applicant(request.user, pk)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("my_dossiers:list")
    answer = request.POST.get("answer", "")
    try:
        consent = counter_consent_answer(
            dossier=d, citizen=request.user, answer=answer, text=request.POST.get("text", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(target)
    if consent.answer == ConsentAnswer.DISOWNED:
        code = consent.feedback.code if consent.feedback else ""
        messages.warning(
            request,
            _(
                "Đã ghi nhận bạn không nộp hồ sơ %(dossier)s; phản ánh %(code)s được "
                "chuyển đến cơ quan thanh tra."
            )
            % {"dossier": d.code or d.pk, "code": code},
        )
    else:
        messages.success(
            request, _("Cảm ơn bạn đã xác nhận nộp hồ sơ %(code)s.") % {"code": d.code or d.pk}
        )
    return redirect(target)


@citizen_required
def my_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = sel.dossier_for_applicant(request.user, pk)
    # law.md R12c: the applicant seeing the supplement request on this page is delivery
    # evidence of the notice; the clock pauses from now if nothing earlier reached them.
    from motcua.dossiers.services.notice import supplement_notice_viewed

    supplement_notice_viewed(dossier=d, user=request.user)
    return _render_detail(request, d)


@citizen_required
@require_POST
def my_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    d = sel.dossier_for_applicant(request.user, pk)
    if action not in CITIZEN_ACTIONS:
        raise Http404
    if action in ENDING and request.POST.get("confirm") != "1":
        # Withdrawal and stop always go through the confirmation page.
        return redirect("my_dossiers:withdraw", pk=pk)
    try:
        version = int(request.POST.get("expected_version", ""))
    except ValueError:
        version = -1
    kwargs: dict[str, Any] = {"dossier": d, "actor": request.user, "expected_version": version}
    if action in ENDING or action == CORRECTION:
        kwargs["reason"] = request.POST.get("reason", "")
    try:
        if action in FILE_ACTIONS:
            applicant_files_send(
                dossier=d,
                actor=request.user,
                action=action,
                expected_version=version,
                uploads=request.FILES.getlist("files"),
                note=request.POST.get("note", ""),
            )
        else:
            services.SERVICES[action](**kwargs)
    except UploadRejected as exc:
        return _render_detail(request, d, error=exc.message, status=400)
    except DossierError as exc:
        d = sel.dossier_for_applicant(request.user, pk)
        return _render_detail(request, d, error=" ".join(exc.messages), status=400)
    messages.success(request, _("Đã gửi: %(label)s.") % {"label": wf.BY_ACTION[action].label})
    return redirect("my_dossiers:detail", pk=pk)


@citizen_required
def withdraw_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation before withdrawing or stopping (only where the workflow and the
    dossier's rule set allow it: Decree 118/2025 Art. 21 lets the applicant stop the
    dossier up to the decision)."""
    d = sel.dossier_for_applicant(request.user, pk)
    end = _end_action(_citizen_actions(request, d))
    if end is None:
        messages.error(request, _("Hồ sơ ở trạng thái này không rút được nữa."))
        return redirect("my_dossiers:detail", pk=pk)
    return render(
        request,
        "dossiers/portal/withdraw.html",
        {"d": d, "stop": end.action == "stop_by_applicant", "action": end.action},
    )


@citizen_required
def paper(request: HttpRequest, pk: int, form: str) -> HttpResponse:
    """Printable forms for the applicant: 01 receipt, 02 supplement request, 04 apology."""
    d = sel.dossier_for_applicant(request.user, pk)
    events = list(d.events.select_related("unit", "actor").all())
    papers = {key: title for key, _number, title in _papers(d, events)}
    if form not in papers:
        raise Http404
    context: dict[str, Any] = {
        "d": d,
        "form": form,
        "title": papers[form],
        "spec": d.rules.form(form),
        "stop_event": next((e for e in events if e.action == "stop_by_applicant"), None),
    }
    if form == "01":
        from motcua.dossiers.views import qr_svg, tracking_url

        url = tracking_url(request, d.code or "")
        context.update(
            {
                "qr": qr_svg(url),
                "tracking_url": url,
                "components": d.components.all(),
                "receive": next((e for e in events if e.action == "receive"), None),
            }
        )
    elif form == "02":
        context["request_event"] = next(
            (e for e in reversed(events) if e.action in REQUEST_ACTIONS), None
        )
    return render(request, "dossiers/portal/paper.html", context)


@citizen_required
@require_POST
def keep_result(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Keep an issued result in my e-data warehouse (if not pushed already)."""
    from motcua.documents.models import IssuedDocument
    from motcua.documents.services import warehouse_push_result

    d = sel.dossier_for_applicant(request.user, pk)
    issued = IssuedDocument.objects.filter(
        code=code, dossier_code=d.code or "-", owner_id=request.user.pk, revoked_at__isnull=True
    ).first()
    from motcua.dossiers.services.linked import child_result_held

    if issued is None or d.status not in RESULT_STATES or child_result_held(d):
        raise Http404
    warehouse_push_result(issued=issued, actor=request.user)
    messages.success(request, _("Đã lưu kết quả vào kho dữ liệu của bạn."))
    return redirect("my_dossiers:detail", pk=pk)


def _online_versions_qs() -> QuerySet[ProcedureVersion]:
    today = timezone.localdate()
    return (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .exclude(online_mode=OnlineMode.NONE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .select_related("procedure")
        .order_by("name", "-number")
    )


def _online_versions() -> list[ProcedureVersion]:
    return list(_online_versions_qs())


def _online_version(raw_pk: str | None) -> ProcedureVersion | None:
    """The chosen version if it is open for online submission today (one indexed row,
    not the whole list: this runs on every submission)."""
    if not raw_pk or not raw_pk.isdigit():
        return None
    return _online_versions_qs().filter(pk=int(raw_pk)).first()


@citizen_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """A simple online submission (the full portal wizard is another issue)."""
    version = _online_version(request.GET.get("version"))
    # The picker lists every online procedure only until one is chosen.
    context: dict[str, Any] = {
        "versions": [version] if version is not None else _online_versions(),
        "version": version,
    }
    if version is not None:
        # (unit id, name) pairs, not model instances: a province-wide procedure has a
        # reception point in every commune (100+ rows on each submission).
        points = list(
            Competence.objects.filter(
                valid_on(timezone.localdate()),
                procedure_id=version.procedure_id,
                is_reception_point=True,
            )
            .order_by("pk")
            .values_list("unit_id", "unit__name")
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
            unit_id = next(
                (pk for pk, _name in points if str(pk) == request.POST.get("unit")),
                points[0][0],
            )
            unit = OrgUnit.objects.get(pk=unit_id)
            answers = eform.answers() if eform is not None else form.cleaned_data["answers_json"]
            components = []
            try:
                for component, file_field, _d in form.component_fields:
                    upload = form.cleaned_data.get(file_field)
                    files = (
                        [
                            store_upload(
                                upload,
                                actor=request.user,
                                owner=request.user,
                                unit=unit,
                                component=component,
                            )
                        ]
                        if upload
                        else []
                    )
                    components.append(services.ComponentInput(component=component, files=files))
            except UploadRejected as exc:
                form.add_error(None, exc.message)
                return render(request, "dossiers/portal/submit.html", context, status=400)
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
    code = (request.GET.get("ma") or "").strip()[:64]
    if code and re.fullmatch(PUBLIC_CODE_RE, code):
        return redirect("tracking:detail", code=code)
    # A malformed code cannot be any dossier's: the same answer as a miss, 400.
    context = {"d": None, "searched": bool(code)}
    return render(request, "dossiers/public/tracking.html", context, status=400 if code else 200)


@require_http_methods(["GET", "POST"])
def tracking_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Status by dossier code plus a second factor (last 4 digits of the applicant's ID
    number, phone or tax code): the QR on Form 01 leads here (Decree 61/2018 Art.
    17(3)). Without the factor nothing is revealed, not even whether the code exists;
    no names or answers are ever shown. Failed look-ups are rate-limited per client."""
    from motcua.core.middleware import client_ip

    code = code.strip()[:64]
    context: dict[str, Any] = {"d": None, "code": code, "searched": False}
    status = 200
    if request.method == "POST":
        context["searched"] = True
        try:
            d = drafts.tracking_lookup(
                code=code,
                factor=request.POST.get("factor", ""),
                client=client_ip(request) or "",
            )
        except drafts.TrackingThrottled:
            context["throttled"] = True
            status = 429
        else:
            if d is None:
                status = 404
            else:
                context["d"] = d
                context.update(status_context(d))
                context["time"] = sel.time_state_of(d)
                # The QR on Form 01 leads here: the same plain timeline (R16b), which
                # names units and roles only, never a person.
                context["plain"] = dossier_plain_timeline(d)
                context["is_paused"] = d.status in (
                    DossierStatus.SUPPLEMENT_REQUESTED,
                    DossierStatus.PAYMENT_REQUESTED,
                )
    response = render(request, "dossiers/public/tracking.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
