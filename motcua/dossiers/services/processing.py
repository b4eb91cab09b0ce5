"""Processing: assignment, transfer, supplement and payment pauses, consultation,
approval (Decree 61/2018 Art. 18–19)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import TimeUnit
from motcua.dossiers import deadlines
from motcua.dossiers.constants import (
    PauseKind,
    StepStatus,
)
from motcua.dossiers.errors import (
    InvalidDossierData,
    SupplementRefused,
)
from motcua.dossiers.models import (
    Dossier,
    DossierPause,
    DossierStep,
)
from motcua.dossiers.permissions import roles_in_units
from motcua.dossiers.services import _pipeline as p
from motcua.dossiers.services._pipeline import (
    ComponentInput,
    _Act,
)
from motcua.dossiers.services._steps import (
    _complete_step,
    _recompute_due,
    _replan_open_steps,
)
from motcua.dossiers.services.creation import _add_components
from motcua.dossiers.supplement_items import SupplementItem, items_resolve, items_text
from motcua.org.constants import Role
from motcua.org.models import OrgUnit

# --- processing -----------------------------------------------------------------------


@transaction.atomic
def dossier_assign(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    assignee: Any,
    now: dt.datetime | None = None,
) -> Dossier:
    """The head of the competent authority assigns a processing officer (Art. 19(1))."""
    act = p._begin(dossier, actor, "assign", expected_version, now)
    d = act.dossier
    if Role.SPECIALIST not in roles_in_units(assignee).get(d.competent_unit_id, set()):
        raise InvalidDossierData(
            _("Người được phân công phải là chuyên viên của cơ quan giải quyết.")
        )
    p._write(act, assignee=assignee)
    # A leader's "assign" step placed before appraisal is completed by the assignment.
    step = None
    if not d.steps.filter(status=StepStatus.DONE, role=Role.SPECIALIST).exists():
        step = _complete_step(d, Role.LEADER, actor, act.now)
    d.steps.exclude(status=StepStatus.DONE).filter(role=Role.SPECIALIST).update(assignee=assignee)
    p._record(act, payload={"assignee": assignee.pk, "assignee_name": str(assignee)}, step=step)
    return d


@transaction.atomic
def dossier_transfer(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    to_unit: OrgUnit,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Pass the dossier to another competent authority (Decree 61/2018 Art. 18(3)); the
    events and steps already done stay with the dossier."""
    act = p._begin(dossier, actor, "transfer", expected_version, now, reason)
    d = act.dossier
    if to_unit.pk == d.competent_unit_id:
        raise InvalidDossierData(_("Hồ sơ đang ở chính cơ quan này."))
    from motcua.dossiers.selectors import transfer_targets

    if not transfer_targets(d, timezone.localdate(act.now)).filter(pk=to_unit.pk).exists():
        raise InvalidDossierData(_("Cơ quan này không có thẩm quyền giải quyết thủ tục."))
    paper_due = deadlines.paper_transfer_due(d, to_unit)
    if paper_due is not None and act.now > paper_due:
        act.warnings.append(
            _(
                "Hồ sơ giấy chuyển muộn: phải chuyển trong ngày làm việc, hoặc đầu giờ ngày "
                "làm việc tiếp theo nếu tiếp nhận sau 15 giờ (hạn %(due)s)."
            )
            % {"due": deadlines.format_moment(paper_due)}
        )
    old_unit = d.competent_unit
    p._write(act, competent_unit=to_unit, assignee=None, status_reason=reason)
    d.steps.exclude(status=StepStatus.DONE).filter(unit=old_unit).update(
        unit=to_unit, assignee=None
    )
    p._record(act, reason=reason, payload={"from_unit": old_unit.code, "to_unit": to_unit.code})
    return d


def _open_pause(d: Dossier, kind: str) -> DossierPause | None:
    return d.pauses.filter(kind=kind, ended_at__isnull=True).first()


@transaction.atomic
def dossier_request_supplement(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str = "",
    items: Sequence[SupplementItem] | None = None,
    approval_reason: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """Form 02 after appraisal (Decree 61/2018 Art. 19(4); Decree 118/2025 Art. 19(5)):
    pauses the clock. A request later than 3 working days after receipt is allowed
    (sector law may set another limit) but flagged. Under Decree 61 a second request is
    allowed and warned (it counts late nationally, Decision 766, R12) and needs the
    leader's approval with a reason (law.md R12b); under Decree 118 it is refused (only
    once: Art. 11(2)(c), 16(3), 19(5)).

    The legal document-list guard (law.md R12b): `items` cite components of the
    procedure version the dossier was received under, each with its reason and legal
    basis; a free-text item (or a bare `reason` without items, as older API clients
    send) is outside the published list and is reported to the head of the competent
    unit and to inspection."""
    # With items, each item carries its reason (checked by items_resolve).
    given = reason or ("items" if items else "")
    act = p._begin(dossier, actor, "request_supplement", expected_version, now, given)
    d = act.dossier
    rules = act.rules
    limit = rules.supplement_max_requests
    if limit is not None and d.supplement_count >= limit:
        raise SupplementRefused(
            _("Chỉ được yêu cầu bổ sung hồ sơ một lần (%(basis)s).")
            % {"basis": rules.cite("supplement_once")}
        )
    approval_reason = (approval_reason or "").strip()
    if d.supplement_count >= 1 and (act.role != Role.LEADER or not approval_reason):
        raise SupplementRefused(
            _(
                "Yêu cầu bổ sung lần thứ hai cần lãnh đạo đơn vị phê duyệt, kèm lý do: đề "
                "nghị lãnh đạo thực hiện yêu cầu này."
            )
        )
    note = (reason or "").strip()
    if items is None:
        if not note:
            raise InvalidDossierData(_("Nêu giấy tờ cần bổ sung và lý do."))
        items = [SupplementItem(reason=note, name=note[:500])]
        note = ""
    resolved = items_resolve(d, items)
    reason = items_text(resolved) + (f"\n{note}" if note else "")
    late = False
    if d.received_at is not None:
        elapsed = deadlines.working_days_between(d.receiving_unit, d.received_at, act.now)
        late = elapsed > rules.supplement_notice_working_days
    if late:
        act.warnings.append(
            _("Yêu cầu bổ sung sau quá %(n)02d ngày làm việc kể từ ngày tiếp nhận (%(basis)s).")
            % {"n": rules.supplement_notice_working_days, "basis": rules.cite("supplement")}
        )
    if d.supplement_count >= 1:
        act.warnings.append(
            _("Hồ sơ yêu cầu bổ sung từ lần thứ hai bị tính là trễ hạn theo Quyết định 766/QĐ-TTg.")
        )
    unpublished = [i["name"] for i in resolved if not i["published"]]
    if unpublished:
        act.warnings.append(
            _(
                "Có giấy tờ ngoài thành phần hồ sơ đã công bố: yêu cầu đã được báo cáo lãnh "
                "đạo đơn vị và thanh tra."
            )
        )
    p._write(act, supplement_count=d.supplement_count + 1, status_reason=reason)
    # The clock pauses when the notice reaches the applicant, not now (law.md R12c, our
    # reading of Decree 61/2018 Art. 19(4) / Decree 118/2025 Art. 19(5)): see
    # services/notice.py.
    from motcua.dossiers.services.notice import supplement_notice_write

    supplement_notice_write(dossier=d, reason=reason, now=act.now)
    payload: dict[str, Any] = {
        "late_notice": late,
        "supplement_count": d.supplement_count,
        "items": resolved,
    }
    if approval_reason:
        payload["approved_by_leader"] = approval_reason
    if unpublished:
        payload["unpublished"] = unpublished
    event = p._record(act, reason=reason, payload=payload)
    if unpublished:
        from motcua.dossiers.supplement_items import unpublished_items_report

        transaction.on_commit(lambda: unpublished_items_report(event_id=event.pk))
    return d


def _resume(act: _Act, kind: str, components: Iterable[ComponentInput] = ()) -> None:
    d = act.dossier
    pause = _open_pause(d, kind)
    if pause is None and kind == PauseKind.SUPPLEMENT:
        # The applicant answered a notice with no delivery evidence yet: the answer is
        # the evidence (R12c), the pause starts and ends now (the restart still applies).
        from motcua.dossiers.services.notice import Evidence, supplement_notice_delivered

        notice = supplement_notice_delivered(
            dossier=d, channel=Evidence.REPLY, actor=act.actor, now=act.now
        )
        pause = notice.pause if notice is not None else None
    if pause is not None:
        pause.ended_at = act.now
        pause.save(update_fields=["ended_at"])
    due = _recompute_due(d)
    p._write(act, due_at=due, status_reason="")
    _add_components(d, components, supplemented=True, actor=act.actor)
    if kind == PauseKind.SUPPLEMENT and deadlines.pause_policy() == deadlines.PausePolicy.RESTART:
        _replan_open_steps(d, act.now)
    p._record(act, payload={"due_at": due})


@transaction.atomic
def dossier_supplement_provided(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    components: Iterable[ComponentInput] = (),
    form_answers: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """The complete supplement arrived: the clock restarts from zero (Decree 61/2018
    Art. 19(4)) or continues without the waiting time, per policy (R12)."""
    act = p._begin(dossier, actor, "supplement_provided", expected_version, now)
    if form_answers is not None:
        Dossier.objects.filter(pk=act.dossier.pk).update(form_answers=form_answers)
    _resume(act, PauseKind.SUPPLEMENT, components)
    return act.dossier


@transaction.atomic
def dossier_request_payment(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Waiting for taxes/fees (national status 6): the clock pauses (R13)."""
    act = p._begin(dossier, actor, "request_payment", expected_version, now, reason)
    p._write(act, status_reason=reason)
    DossierPause.objects.create(
        dossier=act.dossier, kind=PauseKind.FINANCIAL, started_at=act.now, reason=reason
    )
    p._record(act, reason=reason)
    return act.dossier


@transaction.atomic
def dossier_payment_fulfilled(
    *, dossier: Dossier | int, actor: Any, expected_version: int, now: dt.datetime | None = None
) -> Dossier:
    """The financial obligation is met (R13): called by the payments app only, when it
    records the last clock-pausing request of the dossier as paid or waived. Not a
    person's action (workflow role SYSTEM): the check below is against the payments
    records, so nobody can self-certify a payment. `actor` is who paid or waived."""
    from motcua.payments.selectors import obligations_outstanding  # payments depends on us

    act = p._begin(dossier, actor, "payment_fulfilled", expected_version, now, system=True)
    if obligations_outstanding(dossier=act.dossier):
        raise InvalidDossierData(_("Nghĩa vụ tài chính của hồ sơ chưa được ghi nhận đã nộp."))
    _resume(act, PauseKind.FINANCIAL)
    return act.dossier


def _simple(action: str) -> Any:
    @transaction.atomic
    def service(
        *,
        dossier: Dossier | int,
        actor: Any,
        expected_version: int,
        reason: str = "",
        now: dt.datetime | None = None,
    ) -> Dossier:
        act = p._begin(dossier, actor, action, expected_version, now, reason)
        p._write(act, status_reason=reason)
        p._record(act, reason=reason)
        return act.dossier

    service.__name__ = f"dossier_{action}"
    return service


@transaction.atomic
def dossier_start_consultation(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str = "",
    consulted_units: Iterable[Any] = (),
    answer_days: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Seek the opinion of other bodies, clock running (Decree 61/2018 Art. 19(5);
    Decree 118/2025 Art. 19(4)). The bodies named may read the dossier and its files
    while the consultation lasts. Each body gets its own deadline (law.md R16a):
    `answer_days` working days from now, never later than the dossier's due moment
    while it is ahead (R3a; without `answer_days`, the due moment); a body silent at its
    deadline is reported to the head of the one-stop unit."""
    act = p._begin(dossier, actor, "start_consultation", expected_version, now, reason)
    d = act.dossier
    p._write(act, status_reason=reason)
    units = sorted({getattr(u, "pk", u) for u in consulted_units})
    due = d.due_at
    if answer_days is not None:
        if answer_days < 1:
            raise InvalidDossierData(_("Thời hạn trả lời phải từ 01 ngày làm việc trở lên."))
        asked = deadlines.add(
            d.receiving_unit, act.now, deadlines.Span(Decimal(answer_days), TimeUnit.WORKING_DAYS)
        )
        # Inside the dossier's due moment while there is time left (R3a); a dossier
        # already overdue still gives the body its days.
        if due is not None and act.now < due < asked:
            act.warnings.append(
                _("Thời hạn trả lời được rút về hạn giải quyết hồ sơ %(due)s.")
                % {"due": deadlines.format_moment(due)}
            )
        else:
            due = asked
    answer_by = {str(u): due.isoformat() for u in units} if due is not None else {}
    p._record(act, reason=reason, payload={"consulted_units": units, "answer_by": answer_by})
    return d


dossier_end_consultation = _simple("end_consultation")


def dossier_submit_for_approval(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    note: str = "",
    result_file: Any = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """The processing officer submits the appraisal and draft result to the leader.
    The draft is either uploaded here (`result_file`, a PDF) or, by default, rendered
    from the procedure's result template when the leader signs."""
    from motcua.dossiers.services.e_result import result_document_upload

    with transaction.atomic():
        d = p._begin(dossier, actor, "submit_for_approval", expected_version, now).dossier
    if result_file is not None:
        result_document_upload(dossier=d, actor=actor, upload=result_file)
    with transaction.atomic():
        act = p._begin(dossier, actor, "submit_for_approval", expected_version, now)
        p._write(act, status_reason="")
        step = _complete_step(act.dossier, Role.SPECIALIST, actor, act.now)
        p._record(act, reason=note, step=step)
    return act.dossier


def dossier_approve(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """The competent leader approves by signing the result with their own credential
    (PAdES; `signature_required` of the transition; Decree 30/2020 Art. 8)."""
    from motcua.documents.constants import SignerRole
    from motcua.dossiers.services.e_result import result_sign

    with transaction.atomic():
        d = p._begin(dossier, actor, "approve", expected_version, now).dossier
    issued = result_sign(
        dossier=d,
        actor=actor,
        role=SignerRole.LEADER,
        reason=_("Phê duyệt kết quả giải quyết hồ sơ %(code)s") % {"code": d.code},
        generate=True,
    )
    with transaction.atomic():
        act = p._begin(dossier, actor, "approve", expected_version, now)
        p._write(act)
        step = _complete_step(act.dossier, Role.LEADER, actor, act.now)
        p._record(act, reason=note, step=step, payload={"result_code": issued.code})
    return act.dossier


@transaction.atomic
def dossier_send_back(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """The leader returns the draft to the processing officer, with reasons."""
    act = p._begin(dossier, actor, "send_back", expected_version, now, reason)
    d = act.dossier
    p._write(act, status_reason=reason)
    d.steps.filter(status=StepStatus.ACTIVE).update(status=StepStatus.PENDING, started_at=None)
    last = d.steps.filter(role=Role.SPECIALIST, status=StepStatus.DONE).order_by("-order").first()
    if last is not None:
        DossierStep.objects.filter(pk=last.pk).update(
            status=StepStatus.ACTIVE, completed_at=None, started_at=act.now
        )
    p._record(act, reason=reason, step=last)
    return d
