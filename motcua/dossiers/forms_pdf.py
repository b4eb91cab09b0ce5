"""The standard one-stop forms as PDF (Circular 01/2018/TT-VPCP Art. 9, law.md
§1.12): 01 receipt and appointment, 02 supplement request, 03 refusal, 04 apology and
new appointment, 05 process control sheet (A5) and 06 dossier register (A4 landscape);
from 15/9/2025 the seven forms of Circular 03/2025/TT-VPCP Appendix I (law.md §1.12.2):
the number, title and wording printed follow the dossier's rule set (R1), and the stop
notice (Form 05 there, key "stop") is added for a dossier the applicant stopped.

Forms are rendered on demand from the dossier, its steps and its append-only events,
so a form printed twice shows the same content (nothing is stored: the events are the
record). Who may download: the officers who may open the dossier page, and the
applicant for the forms addressed to them (01–04, the stop notice).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from motcua.catalog.constants import TimeUnit
from motcua.dossiers import deadlines, rulesets
from motcua.dossiers import selectors as sel
from motcua.dossiers.constants import FormCode, StepStatus
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.org.models import OrgUnit

logger = logging.getLogger(__name__)

# Keys of the forms (the Circular 01/2018 numbers, and "stop" for the stop notice of
# Circular 03/2025); the number and title printed follow the dossier's rule set
# (rulesets.FormSpec, law.md §1.12).
FORM_NUMBERS: tuple[str, ...] = ("01", "02", "03", "04", "05", rulesets.KEY_STOP)
APPLICANT_FORMS = frozenset({"01", "02", "03", "04", rulesets.KEY_STOP})
# The address the receptionist typed at the counter for an applicant without one on file.
ADDRESS_ANSWER = "_dia_chi_nguoi_nop"
SUPPLEMENT_ACTIONS = ("request_supplement", "return_for_completion")
MAX_REGISTER_DAYS = 366
REFUSAL_ACTIONS = ("refuse_reception", "refuse_after_appraisal")

TEMPLATES = {n: f"dossiers/pdf/form{n}.html" for n in ("01", "02", "03", "04", "05", "06")}
TEMPLATES[rulesets.KEY_STOP] = "dossiers/pdf/form_stop.html"
# A refusal after appraisal is a refusal to settle, not to receive (Decree 61/2018
# Art. 19(8); Decree 118/2025 Art. 19(3); law.md R18).
REFUSAL_TO_SETTLE_TITLE = "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ"


# --- access ---------------------------------------------------------------------------


def dossier_for_form(user: Any, pk: int, number: str) -> Dossier:
    """The dossier if `user` may download form `number` of it, else Http404 (a citizen
    never learns whether someone else's dossier exists). Officers: exactly the dossier
    page's check (officers of the receiving/competent units, or the assignee). The
    applicant: forms 01–04, which are addressed to them."""
    if number not in FORM_NUMBERS:
        raise Http404
    if getattr(user, "is_officer", False):
        return sel.dossier_for_officer(user, pk)
    if number not in APPLICANT_FORMS:
        raise Http404
    return sel.dossier_for_applicant(user, pk)


def last_event(d: Dossier, actions: tuple[str, ...]) -> DossierEvent | None:
    found = None
    for e in d.events.all():
        if e.action in actions:
            found = e
    return found


def available_forms(d: Dossier) -> list[str]:
    """Forms that have content for this dossier now (the page lists only these)."""
    result = []
    if d.code and d.received_at and form01_issued(d):
        result.append("01")
    if last_event(d, SUPPLEMENT_ACTIONS):
        result.append("02")
    if last_event(d, REFUSAL_ACTIONS):
        result.append("03")
    if d.extended_at:
        result.append("04")
    if d.rules.has_form(rulesets.KEY_STOP) and last_event(d, ("stop_by_applicant",)):
        result.append(rulesets.KEY_STOP)
    result.append("05")
    return result


def form01_issued(d: Dossier) -> bool:
    """Whether Form 01 was issued at reception: always, except for an immediate-result
    procedure whose applicant did not ask for it (law.md R7)."""
    e = last_event(d, ("receive",))
    return e is None or (e.payload or {}).get("form01", True) is not False


def form_label(d: Dossier, number: str) -> str:
    """The form's name in the dossier's list; Form 03 after appraisal is the refusal
    to settle (law.md R18)."""
    spec = d.rules.form(number)
    e = last_event(d, REFUSAL_ACTIONS) if number == "03" else None
    if e is not None and e.action != "refuse_reception":
        return str(_("Mẫu %(n)s — Phiếu từ chối giải quyết hồ sơ") % {"n": spec.number})
    return f"{_('Mẫu')} {spec.number} — {spec.label}"


def safe_filename(d: Dossier, number: str) -> str:
    """ASCII file name from the dossier code (dots, dashes, digits, letters only)."""
    code = re.sub(r"[^A-Za-z0-9.-]+", "-", d.code or f"ho-so-{d.pk}").strip("-.")
    return f"mau-{number}-{code}.pdf"


# --- formatting -------------------------------------------------------------------------


def local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


def moment_text(value: dt.datetime | None) -> str:
    """ "08 giờ 30 phút, ngày 02/03/2026" as on the official forms."""
    v = local(value)
    if v is None:
        return "……"
    return _("%(h)s giờ %(m)s phút, ngày %(d)s") % {
        "h": f"{v:%H}",
        "m": f"{v:%M}",
        "d": f"{v:%d/%m/%Y}",
    }


def place_date(unit: OrgUnit, at: dt.datetime | None) -> str:
    v = local(at) or timezone.localtime()
    place = unit.short_name or unit.name
    return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": place,
        "d": f"{v:%d}",
        "m": f"{v:%m}",
        "y": f"{v:%Y}",
    }


def reason_lines(text: str) -> list[str]:
    """A reason typed as one item per line becomes the numbered list of the form."""
    lines = [re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line).strip() for line in text.splitlines()]
    return [line for line in lines if line]


def tracking_url(code: str, base_url: str = "") -> str:
    try:
        path = reverse("tracking:detail", kwargs={"code": code})
    except NoReverseMatch:  # public_urls not mounted: use the agreed path
        path = f"/tra-cuu/{quote(code)}/"
    return base_url.rstrip("/") + path


# --- contexts ---------------------------------------------------------------------------


def _base(d: Dossier, number: str, unit: OrgUnit, at: dt.datetime | None) -> dict[str, Any]:
    parent = unit.parent if unit.parent_id else None  # type: ignore[attr-defined]
    spec = d.rules.form(number)  # R1: the forms of the dossier's rule set
    return {
        "d": d,
        "form_number": spec.number,
        "form_basis": spec.basis,
        "title": spec.title,
        "issuer": unit.name,
        "parent_issuer": parent.name if parent else "",
        "place_date": place_date(unit, at),
        "applicant": d.applicant,
    }


def _receiver(d: Dossier) -> Any:
    e = last_event(d, ("receive",))
    return e.actor if e else None


def form01_context(d: Dossier, base_url: str = "") -> dict[str, Any]:
    from motcua.documents.qr import qr_data_uri, qr_payload

    if not d.code or not d.received_at:
        raise Http404
    url = tracking_url(d.code, base_url)
    span = deadlines.span_of(d.procedure_version, d.case)
    payload = qr_payload(
        verify_url=url,
        dossier_code=d.code,
        procedure_code=d.procedure_version.procedure.code,
        document_name=d.rules.form("01").title,
        issuer=d.receiving_unit.name,
        issued_at=local(d.received_at),
    )
    due_at = d.due_before_extension or d.due_at  # Form 01 shows the first appointment
    return {
        **_base(d, "01", d.receiving_unit, d.received_at),
        "form_qr": qr_data_uri(payload, scale=2),
        "tracking_url": url,
        "components": list(d.components.all()),
        "span_text": span_text(span.value, span.unit),
        "address": applicant_address(d),
        "received_text": moment_text(d.received_at),
        "due_text": moment_text(due_at),
        "receiver": _receiver(d),
        "return_place": d.receiving_unit.name,
        **activation_context(d.applicant, base_url),
    }


def activation_context(applicant: Any, base_url: str = "") -> dict[str, Any]:
    """The hand-over of an account created at the counter (issue 18): its pending
    one-time activation code and where to claim it, printed on Form 01."""
    from django.urls import reverse

    from motcua.accounts.selectors import pending_activation

    activation = pending_activation(applicant)
    if activation is None:
        return {"activation": None}
    path = reverse("accounts:activate")
    return {
        "activation": activation,
        "activation_url": f"{base_url.rstrip('/')}{path}" if base_url else path,
        "activation_expires_text": timezone.localtime(activation.expires_at).strftime(
            "%H:%M %d/%m/%Y"
        ),
    }


def span_text(value: Any, unit: str) -> str:
    """The legal processing time as printed: "10 ngày làm việc"; a same-day procedure
    has no number ("trong ngày (sau 15 giờ: …)", Decree 61/2018 Art. 18(1))."""
    if unit == TimeUnit.SAME_DAY:
        return str(TimeUnit.SAME_DAY.label)
    return f"{_number(value)} {TimeUnit(unit).label}"


def applicant_address(d: Dossier) -> str:
    """The applicant's address: their profile's, else the one declared on this dossier
    (the e-form field prefilled from the profile address, or the receptionist's entry)."""
    address = (getattr(d.applicant, "address", "") or "").strip()
    if address:
        return address
    answers = d.form_answers or {}
    prefill = (d.procedure_version.form_layout or {}).get("prefill") or {}
    keys = [ADDRESS_ANSWER, *(name for name, source in prefill.items() if source == "address")]
    return next((str(answers[k]).strip() for k in keys if str(answers.get(k) or "").strip()), "")


def _number(value: Any) -> str:
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def form02_context(d: Dossier, base_url: str = "") -> dict[str, Any]:
    e = last_event(d, SUPPLEMENT_ACTIONS)
    if e is None:
        raise Http404
    unit = d.receiving_unit if e.action == "return_for_completion" else d.competent_unit
    return {
        **_base(d, "02", unit, e.at),
        "event": e,
        "items": reason_lines(e.reason),
        "received_text": moment_text(d.received_at) if d.received_at else "",
        "officer": e.actor,
        "at_reception": e.action == "return_for_completion",
    }


def form03_context(d: Dossier, base_url: str = "") -> dict[str, Any]:
    e = last_event(d, REFUSAL_ACTIONS)
    if e is None:
        raise Http404
    unit = d.receiving_unit if e.action == "refuse_reception" else d.competent_unit
    base = _base(d, "03", unit, e.at)
    if e.action != "refuse_reception" and "TIẾP NHẬN" in base["title"]:
        base["title"] = REFUSAL_TO_SETTLE_TITLE  # a set's own "giải quyết" name stays
    return {
        **base,
        "event": e,
        "items": reason_lines(e.reason),
        "officer": e.actor,
        "at_reception": e.action == "refuse_reception",
    }


def form04_context(d: Dossier, base_url: str = "") -> dict[str, Any]:
    e = last_event(d, ("extend_with_apology",))
    if e is None or d.extended_at is None:
        raise Http404
    return {
        **_base(d, "04", d.competent_unit, e.at),
        "event": e,
        "received_text": moment_text(d.received_at),
        "received_date": f"{local(d.received_at):%d/%m/%Y}" if d.received_at else "……",
        "old_due_text": moment_text(d.due_before_extension),
        "new_due_text": moment_text(d.due_at),
        "reason": e.reason,
        "reason_kind": d.get_extension_reason_kind_display(),
        "signer": e.actor,
        "extension_request": d.rules.apology_requests_extension,
    }


def form_stop_context(d: Dossier, base_url: str = "") -> dict[str, Any]:
    """Circular 03/2025 Form 05, Thông báo dừng giải quyết hồ sơ: the applicant stopped
    the dossier (Decree 118/2025 Art. 21; law.md R18a)."""
    e = last_event(d, ("stop_by_applicant",))
    if e is None or not d.rules.has_form(rulesets.KEY_STOP):
        raise Http404
    return {
        **_base(d, rulesets.KEY_STOP, d.receiving_unit, e.at),
        "event": e,
        "received_date": f"{local(d.received_at):%d/%m/%Y}" if d.received_at else "……",
        "stopped_text": moment_text(e.at),
        "reason": e.reason,
        "officer": e.actor if e.actor_role != "applicant" else None,
    }


@dataclass(frozen=True)
class ControlRow:
    """One hand-over on the control sheet: who gave it, who took it, when, the step
    deadline and whether the step finished before / on time / late."""

    order: int
    unit: str
    task: str
    giver: str
    receiver: str
    handed_at: str
    done_at: str
    due_at: str
    result: str
    late: bool
    note: str


def _step_result(step: DossierStep) -> tuple[str, bool]:
    if step.status != StepStatus.DONE or step.completed_at is None:
        return (str(_("Đang xử lý")) if step.status == StepStatus.ACTIVE else "", False)
    if step.due_at is None:
        return str(_("Đúng hạn")), False
    if step.completed_at > step.due_at:
        return str(_("Trễ hạn")), True
    if local(step.completed_at).date() < local(step.due_at).date():  # type: ignore[union-attr]
        return str(_("Trước hạn")), False
    return str(_("Đúng hạn")), False


def control_rows(d: Dossier) -> list[ControlRow]:
    events = list(d.events.all())
    by_step: dict[int, list[DossierEvent]] = {}
    for e in events:
        if e.step_id:
            by_step.setdefault(e.step_id, []).append(e)
    rows: list[ControlRow] = []
    previous_actor = ""
    for step in d.steps.all():
        own = by_step.get(step.pk, [])
        actor = next((e.actor for e in reversed(own) if e.actor), None) or step.assignee
        receiver = actor.full_name if actor else ""
        result, late = _step_result(step)
        notes = [e.reason for e in own if e.reason]
        rows.append(
            ControlRow(
                order=step.order,
                unit=step.unit.name,
                task=step.name,
                giver=previous_actor,
                receiver=receiver,
                handed_at=moment_text(step.started_at) if step.started_at else "",
                done_at=moment_text(step.completed_at) if step.completed_at else "",
                due_at=moment_text(step.due_at) if step.due_at else "",
                result=result,
                late=late,
                note="; ".join(notes),
            )
        )
        if step.status == StepStatus.DONE and receiver:
            previous_actor = receiver
    return rows


def form05_context(d: Dossier, base_url: str = "") -> dict[str, Any]:
    coordinating = sorted(
        {s.unit.name for s in d.steps.all() if s.unit_id not in (d.competent_unit_id,)}
        - {d.receiving_unit.name}
    )
    return {
        **_base(d, "05", d.receiving_unit, timezone.now()),
        "rows": control_rows(d),
        "events": [e for e in d.events.all() if not e.step_id],
        "coordinating": coordinating,
        "received_text": moment_text(d.received_at) if d.received_at else "",
        "due_text": moment_text(d.due_at) if d.due_at else "",
    }


BUILDERS = {
    "01": form01_context,
    "02": form02_context,
    "03": form03_context,
    "04": form04_context,
    "05": form05_context,
    rulesets.KEY_STOP: form_stop_context,
}


def form_pdf(d: Dossier, number: str, *, base_url: str = "") -> bytes:
    """PDF bytes of form `number` (01–05, A5) for dossier `d`; Http404 when the form
    has no content yet (e.g. Form 04 of a dossier never extended)."""
    from motcua.documents.rendering import render_pdf

    context = BUILDERS[number](d, base_url)
    return render_pdf(TEMPLATES[number], context, page_size="A5")


# --- issued copies ------------------------------------------------------------------------

ISSUED_BY_ACTION = {
    "receive": "01",
    "return_for_completion": "02",
    "request_supplement": "02",
    "refuse_reception": "03",
    "refuse_after_appraisal": "03",
    "extend_with_apology": "04",
    "stop_by_applicant": rulesets.KEY_STOP,
}


def _issuing_unit(d: Dossier, number: str, action: str) -> OrgUnit:
    if number in ("01", rulesets.KEY_STOP) or action in (
        "return_for_completion",
        "refuse_reception",
    ):
        return d.receiving_unit
    return d.competent_unit


def store_issued_form(d: Dossier, action: str, *, actor: Any, base_url: str = "") -> Any:
    """Keep the copy of Form 01–04 handed to the applicant when `action` issues one
    (Circular 01/2018 Art. 10: forms are recorded in the one-stop system): a
    `StoredFile` of kind "form", owned by the applicant (who may open it), held by the
    issuing unit and linked to the dossier (code and generic relation). Returns None
    for actions that issue no form."""
    number = ISSUED_BY_ACTION.get(action)
    if number is None or (number == "01" and not form01_issued(d)):
        return None
    from motcua.documents.constants import FileKind
    from motcua.documents.services.files import LinkTarget, stored_file_create

    d = Dossier.objects.select_related(
        "procedure_version__procedure", "case", "applicant", "receiving_unit", "competent_unit"
    ).get(pk=d.pk)
    data = form_pdf(d, number, base_url=base_url)
    stored = stored_file_create(
        data=data,
        original_name=safe_filename(d, number),
        kind=FileKind.FORM,
        actor=actor,
        owner=d.applicant,
        unit=_issuing_unit(d, number, action),
        link=LinkTarget(dossier_code=d.code or "", obj=d),
        trusted=True,
    )
    from motcua.dossiers import workflow as wf

    if wf.transition(action).signature_required:
        # The head of the authority signs the apology (Form 04, law.md R14) and the
        # refusal after appraisal (Form 03, R18) with their own credential (R20).
        from django.core.exceptions import PermissionDenied, ValidationError

        from motcua.documents.constants import SignerRole
        from motcua.documents.services.signatures import document_sign
        from motcua.documents.signing.plugins import SigningUnavailable

        try:
            stored = document_sign(
                file=stored,
                actor=actor,
                role=SignerRole.LEADER,
                reason=d.rules.form(number).label,
                location=_issuing_unit(d, number, action).name,
            )
        except (PermissionDenied, ValidationError, SigningUnavailable) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            raise FormNotSigned(message) from exc
    return stored


class FormNotSigned(Exception):
    """The form was stored but could not be signed (e.g. no credential)."""


def issued_form_keep(d: Dossier, action: str, *, actor: Any, base_url: str = "") -> str | None:
    """Keep (and sign where the law says so) the form `action` issues, after the
    transition has committed; used by the dossier page and the API alike. A rendering,
    storage or signing failure never undoes the transition: it is logged and returned
    as a warning for the caller to show (the form can still be downloaded on demand)."""
    try:
        store_issued_form(d, action, actor=actor, base_url=base_url)
    except FormNotSigned as exc:
        return _("Đã lưu biểu mẫu nhưng chưa ký số được: %(why)s") % {"why": exc}
    except Exception:
        logger.exception("storing the issued form of dossier %s failed", d.pk)
        return _("Chưa lưu được bản PDF của biểu mẫu; vẫn có thể tải từ trang hồ sơ.")
    return None


def signed_form_of(d: Dossier, number: str) -> Any:
    """The signed stored copy of form `number` of the dossier, newest first, or None."""
    from motcua.documents.constants import FileKind
    from motcua.documents.models import StoredFile

    if not d.code:
        return None
    return (
        StoredFile.objects.filter(
            links__dossier_code=d.code,
            kind=FileKind.SIGNED,
            original_name=safe_filename(d, number),
        )
        .order_by("-created_at")
        .first()
    )


# --- Form 06: register -------------------------------------------------------------------


def register_dossiers(unit: OrgUnit, date_from: dt.date, date_to: dt.date) -> QuerySet[Dossier]:
    """Dossiers received by (or settled by) `unit` with a reception date in the range,
    in reception order (the register's sequence numbers)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return (
        Dossier.objects.filter(Q(receiving_unit=unit) | Q(competent_unit=unit))
        .filter(received_at__gte=start, received_at__lt=end)
        .select_related("procedure_version", "applicant", "competent_unit", "receiving_unit")
        .prefetch_related("steps")
        .order_by("received_at", "pk")
    )


def _transferred_at(d: Dossier) -> dt.datetime | None:
    for step in d.steps.all():
        if step.unit_id == d.competent_unit_id and step.started_at:
            return step.started_at
    return None


def register_pdf(
    unit: OrgUnit, date_from: dt.date, date_to: dt.date, listed: list[int] | None = None
) -> bytes:
    """Form 06 — Sổ theo dõi hồ sơ (A4 landscape). `listed` receives the ids of the
    dossiers printed (the read log, law.md R32a)."""
    from motcua.documents.rendering import render_pdf

    rows = []
    for i, d in enumerate(register_dossiers(unit, date_from, date_to), start=1):
        if listed is not None:
            listed.append(d.pk)
        applicant = d.applicant
        rows.append(
            {
                "no": i,
                "d": d,
                "contact": ", ".join(
                    x for x in (getattr(applicant, "address", ""), applicant.phone or "") if x
                ),
                "received": local(d.received_at),
                "due": local(d.due_at),
                "transferred": local(_transferred_at(d)),
                "resolved": local(d.completed_at),
                "returned": local(d.returned_at),
            }
        )
    parent = unit.parent if unit.parent_id else None  # type: ignore[attr-defined]
    # The register of a period follows the forms in force at its end (Circular 01/2018
    # Form 06; Circular 03/2025 Form 07).
    spec = rulesets.ruleset_at(date_to).form(rulesets.KEY_REGISTER)
    context = {
        "title": spec.title,
        "form_number": spec.number,
        "issuer": unit.name,
        "parent_issuer": parent.name if parent else "",
        "place_date": place_date(unit, None),
        "unit": unit,
        "rows": rows,
        "date_from": date_from,
        "date_to": date_to,
    }
    return render_pdf(TEMPLATES["06"], context, page_size="A4")


class RegisterForm(forms.Form):
    """Unit and reception-date range of the register (Form 06)."""

    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_l("Đơn vị"), queryset=OrgUnit.objects.none()
    )
    date_from = forms.DateField(
        label=_l("Từ ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    date_to = forms.DateField(
        label=_l("Đến ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def __init__(self, *args: Any, units: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = cast(forms.ModelChoiceField[Any], self.fields["unit"])
        field.queryset = units if units is not None else OrgUnit.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                raise forms.ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))
            if (end - start).days > MAX_REGISTER_DAYS:
                raise forms.ValidationError(_l("Mỗi lần in sổ tối đa một năm."))
        return data


def register_filename(unit: OrgUnit, date_from: dt.date, date_to: dt.date) -> str:
    code = re.sub(r"[^A-Za-z0-9.-]+", "-", unit.code).strip("-.")
    return f"mau-06-{code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf"


__all__ = [
    "FORM_NUMBERS",
    "FormCode",
    "available_forms",
    "dossier_for_form",
    "form_pdf",
    "register_pdf",
    "safe_filename",
]
