"""Feedback (PAKN) services: submission, the transitions of workflow.py, the sender's
side and deadline reminders."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.feedback import integrity, selectors, workflow
from motcua.feedback.constants import (
    CitizenVerdict,
    FeedbackChannel,
    FeedbackKind,
)
from motcua.feedback.models import (
    Feedback,
    FeedbackEvent,
)
from motcua.feedback.services._base import (
    S,
    _apply_route,
    _audit,
    _now,
    _record,
    _require,
    _restart_clock,
    client_key,
    route,
    throttle_hit,
)
from motcua.org.models import OrgUnit
from motcua.org.selectors import head_of_unit

logger = logging.getLogger(__name__)


# --- Submission -------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    feedback: Feedback
    pin: str  # shown once; "" when the sender has an account


def _unique_code() -> str:
    for _attempt in range(10):
        code = integrity.new_tracking_code()
        if not Feedback.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not allocate a feedback code")


@transaction.atomic
def feedback_submit(
    *,
    kind: str,
    title: str,
    content: str,
    channel: str,
    submitter: Any = None,
    sender_name: str = "",
    sender_phone: str = "",
    sender_email: str = "",
    sender_address: str = "",
    dossier: Any = None,
    subject_officer: Any = None,
    unit: OrgUnit | None = None,
    entered_by: Any = None,
    client_ip: str = "",
    throttle: bool = True,
    now: dt.datetime | None = None,
) -> Submitted:
    """Register a feedback item (Decree 20/2008 Art. 9(1)): from the portal (account or
    anonymous), or entered by an officer from the counter, a hotline call or a letter."""
    now = _now(now)
    if kind not in FeedbackKind.values or channel not in FeedbackChannel.values:
        raise ValidationError(_("Phân loại hoặc kênh tiếp nhận không hợp lệ."))
    if not title.strip() or not content.strip():
        raise ValidationError(_("Cần nhập tiêu đề và nội dung phản ánh."))
    if submitter is not None and not getattr(submitter, "is_citizen", False):
        raise PermissionDenied(_("Chỉ công dân, tổ chức gửi phản ánh từ tài khoản của mình."))
    if entered_by is not None and not getattr(entered_by, "is_officer", False):
        raise PermissionDenied
    if dossier is not None and submitter is not None and dossier.applicant_id != submitter.pk:
        raise ValidationError(_("Bạn chỉ có thể gắn phản ánh với hồ sơ của chính mình."))
    if kind == FeedbackKind.DOSSIER and dossier is None:
        raise ValidationError(_("Phản ánh về hồ sơ cụ thể cần có mã hồ sơ."))
    anonymous = submitter is None and entered_by is None
    key = client_key(client_ip) if client_ip else ""
    if anonymous and throttle:
        throttle_hit(scope="anon_hour", ip=client_ip, now=now)
        throttle_hit(scope="anon_day", ip=client_ip, now=now)
    fingerprint = integrity.content_fingerprint(content)
    recent = Feedback.objects.filter(
        fingerprint=fingerprint, received_at__gte=now - dt.timedelta(days=1)
    ).count()
    flags = integrity.abuse_signals(content, recent_same_text=recent) if anonymous or recent else []
    r = route(kind=kind, dossier=dossier, subject_officer=subject_officer, unit=unit)
    pin = "" if submitter is not None else integrity.new_pin()
    feedback = Feedback(
        code=_unique_code(),
        pin_hash=make_password(pin) if pin else "",
        channel=channel,
        kind=kind,
        status=S.RECEIVED,
        title=title.strip()[:255],
        content=content.strip(),
        submitter=submitter,
        is_anonymous=anonymous and not sender_name,
        sender_name=sender_name or (submitter.full_name if submitter is not None else ""),
        sender_phone=sender_phone,
        sender_email=sender_email,
        sender_address=sender_address,
        entered_by=entered_by,
        dossier=dossier,
        subject_officer=subject_officer,
        handling_unit=r.handling_unit,
        subject_unit=r.subject_unit,
        handler=r.handler,
        received_at=now,
        clock_started_at=now,
        handle_due_at=now,
        fingerprint=fingerprint,
        client_key=key,
        flags=flags,
    )
    _restart_clock(feedback, now)
    feedback.save()
    _apply_route(feedback, r)
    _record(feedback, action="submit", actor=entered_by or submitter, at=now, before="")
    return Submitted(feedback, pin)


# --- Transitions ------------------------------------------------------------------


def _lock(feedback: Feedback) -> Feedback:
    return (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("handling_unit", "dossier")
        .get(pk=feedback.pk)
    )


def _officer_step(feedback: Feedback, action: str, actor: Any) -> tuple[Feedback, str]:
    locked = _lock(feedback)
    kind = selectors.actor_kind(actor, locked)
    if kind is None:
        raise PermissionDenied(_("Bạn không có quyền xử lý phản ánh này."))
    try:
        target = workflow.transition(locked.status, action, kind)
    except workflow.TransitionError as exc:
        raise ValidationError(_("Không thể thực hiện thao tác này ở trạng thái hiện tại.")) from exc
    before = locked.status
    locked.status = target
    locked.version += 1
    return locked, before


@transaction.atomic
def feedback_accept(
    *,
    feedback: Feedback,
    actor: Any,
    kind: str | None = None,
    subject_officer: Any = None,
    now: dt.datetime | None = None,
) -> Feedback:
    """Classify and take the item in. A change of type (or naming the officer of a
    behaviour complaint) routes it again — possibly away from the actor's unit."""
    now = _now(now)
    fb, before = _officer_step(feedback, "accept", actor)
    if subject_officer is not None and subject_officer.pk == getattr(actor, "pk", None):
        raise ValidationError(_("Không thể tự xử lý phản ánh về chính mình."))
    note = ""
    if (kind and kind != fb.kind) or subject_officer is not None:
        fb.kind = kind or fb.kind
        if subject_officer is not None:
            fb.subject_officer = subject_officer
        r = route(
            kind=fb.kind,
            dossier=fb.dossier,
            subject_officer=fb.subject_officer,
            unit=fb.handling_unit,
        )
        if r.handling_unit.pk != fb.handling_unit_id:
            fb.status = S.RECEIVED  # the new unit classifies it again
            _apply_route(fb, r)
            _restart_clock(fb, now)
            note = _("Phân loại lại và chuyển đến %(unit)s") % {"unit": r.handling_unit.name}
        else:
            _apply_route(fb, r)
    if fb.status == S.IN_PROCESS:
        fb.accepted_at = now
        if fb.handler is None or fb.handler.pk in set(
            fb.exclusions.values_list("user_id", flat=True)
        ):
            fb.handler = actor
    fb.save()
    _record(fb, action="accept", actor=actor, at=now, before=before, note=note)
    return fb


@transaction.atomic
def feedback_refuse(
    *, feedback: Feedback, actor: Any, reason: str, now: dt.datetime | None = None
) -> Feedback:
    now = _now(now)
    reason = _require(reason, _("Cần ghi lý do từ chối tiếp nhận."))
    fb, before = _officer_step(feedback, "refuse", actor)
    fb.refused_at, fb.status_reason = now, reason
    fb.save()
    _record(fb, action="refuse", actor=actor, at=now, before=before, note=reason)
    return fb


@transaction.atomic
def feedback_request_supplement(
    *, feedback: Feedback, actor: Any, request: str, now: dt.datetime | None = None
) -> Feedback:
    now = _now(now)
    request = _require(request, _("Cần ghi nội dung cần bổ sung."))
    fb, before = _officer_step(feedback, "request_supplement", actor)
    fb.first_supplement_at = fb.first_supplement_at or now
    fb.status_reason = request
    fb.save()
    _record(fb, action="request_supplement", actor=actor, at=now, before=before, note=request)
    return fb


@transaction.atomic
def feedback_transfer(
    *, feedback: Feedback, actor: Any, unit: OrgUnit, reason: str, now: dt.datetime | None = None
) -> Feedback:
    """Out of competence: to the competent unit, within 5 working days (Decree
    20/2008 Art. 9(1)). The clocks of §7.2 restart from the latest transfer."""
    now = _now(now)
    reason = _require(reason, _("Cần ghi lý do chuyển."))
    fb, before = _officer_step(feedback, "transfer", actor)
    if unit.pk == fb.handling_unit_id:
        raise ValidationError(_("Phản ánh đang ở đơn vị này."))
    if fb.kind == FeedbackKind.BEHAVIOUR and fb.subject_unit_id == unit.pk:
        raise ValidationError(
            _("Không chuyển phản ánh về hành vi cán bộ cho chính đơn vị của cán bộ đó.")
        )
    excluded = set(fb.exclusions.values_list("user_id", flat=True))
    head = head_of_unit(unit)
    fb.handling_unit = unit
    fb.handler = head if head is not None and head.pk not in excluded else None
    fb.transferred_at = now
    fb.status_reason = reason
    _restart_clock(fb, now)
    fb.save()
    _record(fb, action="transfer", actor=actor, at=now, before=before, note=reason)
    return fb


@transaction.atomic
def feedback_transfer_out(
    *, feedback: Feedback, actor: Any, body: str, reason: str, now: dt.datetime | None = None
) -> Feedback:
    now = _now(now)
    body = _require(body, _("Cần ghi tên cơ quan nhận."))
    fb, before = _officer_step(feedback, "transfer_out", actor)
    fb.transferred_at = now
    fb.status_reason = f"{body}: {reason}".strip(": ")
    fb.save()
    _record(fb, action="transfer_out", actor=actor, at=now, before=before, note=fb.status_reason)
    return fb


@transaction.atomic
def feedback_submit_answer(
    *,
    feedback: Feedback,
    actor: Any,
    answer: str,
    public_summary: str = "",
    public_answer: str = "",
    is_public: bool = True,
    now: dt.datetime | None = None,
) -> Feedback:
    """Draft the answer; the published versions are anonymised (names, phone numbers,
    identity numbers and e-mail addresses masked) before a leader approves them."""
    now = _now(now)
    answer = _require(answer, _("Cần nhập nội dung trả lời."))
    fb, before = _officer_step(feedback, "submit_answer", actor)
    names = [n for n in (fb.sender_name,) if n]
    if fb.submitter is not None:
        names.append(fb.submitter.full_name)
    fb.answer = answer
    fb.public_summary = integrity.anonymise(public_summary or fb.title, names)
    fb.public_answer = integrity.anonymise(public_answer or answer, names)
    fb.is_public = is_public
    fb.save()
    _record(fb, action="submit_answer", actor=actor, at=now, before=before)
    return fb


@transaction.atomic
def feedback_return_draft(
    *, feedback: Feedback, actor: Any, reason: str, now: dt.datetime | None = None
) -> Feedback:
    now = _now(now)
    reason = _require(reason, _("Cần ghi ý kiến của lãnh đạo."))
    fb, before = _officer_step(feedback, "return_draft", actor)
    fb.status_reason = reason
    fb.save()
    _record(fb, action="return_draft", actor=actor, at=now, before=before, note=reason)
    return fb


@transaction.atomic
def feedback_approve(*, feedback: Feedback, actor: Any, now: dt.datetime | None = None) -> Feedback:
    """Leader approval (Decree 20/2008 Art. 14). Reaching "chờ công khai" ends the ≤ 15
    working-day handling clock and starts the ≤ 2-day publication clock (§7.2)."""
    from motcua.feedback.deadlines import compute
    from motcua.workdays.selectors import get_calendar

    now = _now(now)
    fb, before = _officer_step(feedback, "approve", actor)
    fb.approved_by, fb.approved_at = actor, now
    fb.awaiting_publication_at = now
    fb.handled_late = now > fb.handle_due_at
    values = compute(
        get_calendar(fb.handling_unit), clock_start=fb.clock_started_at, publication_start=now
    )
    fb.publish_due_at = values.publish
    fb.save()
    _record(fb, action="approve", actor=actor, at=now, before=before)
    return fb


@transaction.atomic
def feedback_publish(*, feedback: Feedback, actor: Any, now: dt.datetime | None = None) -> Feedback:
    now = _now(now)
    fb, before = _officer_step(feedback, "publish", actor)
    fb.published_at = now
    fb.published_late = fb.publish_due_at is not None and now > fb.publish_due_at
    fb.verdict, fb.verdict_at = "", None
    fb.save()
    _record(fb, action="publish", actor=actor, at=now, before=before)
    return fb


def feedback_record_view(*, feedback: Feedback, actor: Any) -> None:
    """Access log: who opened a behaviour complaint (integrity of the handling)."""
    if feedback.kind == FeedbackKind.BEHAVIOUR:
        _audit(
            action="feedback.view",
            actor=actor,
            obj=feedback,
            unit_code=feedback.handling_unit.code,
            object_repr=feedback.code,
        )


# --- The sender's side ------------------------------------------------------------


def is_sender(user: Any, feedback: Feedback) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and feedback.submitter_id is not None
        and feedback.submitter_id == user.pk
    )


def verify_pin(feedback: Feedback, pin: str) -> bool:
    return bool(feedback.pin_hash) and check_password(pin or "", feedback.pin_hash)


def feedback_lookup(
    *, code: str, pin: str, client_ip: str, now: dt.datetime | None = None
) -> Feedback | None:
    """Anonymous tracking: code + PIN, rate-limited per client. Returns None whether
    the code is unknown or the PIN is wrong (no hint which one)."""
    throttle_hit(scope="track", ip=client_ip, now=now)
    feedback = Feedback.objects.filter(code=integrity.normalise_code(code)).first()
    if feedback is None or not verify_pin(feedback, pin):
        return None
    return feedback


def _citizen_step(feedback: Feedback, action: str) -> tuple[Feedback, str]:
    locked = _lock(feedback)
    try:
        target = workflow.transition(locked.status, action, workflow.CITIZEN)
    except workflow.TransitionError as exc:
        raise ValidationError(_("Không thể thực hiện thao tác này ở trạng thái hiện tại.")) from exc
    before = locked.status
    locked.status = target
    locked.version += 1
    return locked, before


@transaction.atomic
def feedback_supplement(
    *, feedback: Feedback, text: str, actor: Any = None, now: dt.datetime | None = None
) -> Feedback:
    """The sender adds the requested information; the clocks restart (the item is
    classified again)."""
    now = _now(now)
    text = _require(text, _("Cần nhập nội dung bổ sung."))
    fb, before = _citizen_step(feedback, "supplement")
    fb.content = (
        f"{fb.content}\n\n[{_('Bổ sung')} {timezone.localtime(now):%d/%m/%Y %H:%M}]\n{text}"
    )
    _restart_clock(fb, now)
    fb.save()
    _record(fb, action="supplement", actor=actor, at=now, before=before)
    return fb


@transaction.atomic
def feedback_rate(
    *, feedback: Feedback, verdict: str, actor: Any = None, now: dt.datetime | None = None
) -> Feedback:
    """The sender rates the published answer (like / dislike, law.md §7.4)."""
    now = _now(now)
    if verdict not in CitizenVerdict.values:
        raise ValidationError(_("Mức đánh giá không hợp lệ."))
    fb, before = _citizen_step(feedback, "rate")
    fb.verdict, fb.verdict_at = verdict, now
    fb.save()
    _record(fb, action="rate", actor=actor, at=now, before=before, note=verdict, audit_note=True)
    return fb


@transaction.atomic
def feedback_reopen(
    *, feedback: Feedback, reason: str, actor: Any = None, now: dt.datetime | None = None
) -> Feedback:
    """Unsatisfied with the answer: back to the handling unit, a new 15-day clock."""
    now = _now(now)
    reason = _require(reason, _("Cần nêu lý do chưa hài lòng."))
    if not workflow.can_reopen(feedback.status, feedback.reopen_count):
        raise ValidationError(_("Phản ánh này không thể mở lại thêm."))
    fb, before = _citizen_step(feedback, "reopen")
    fb.reopen_count += 1
    fb.verdict, fb.verdict_at = CitizenVerdict.UNSATISFIED, now
    fb.status_reason = reason
    fb.awaiting_publication_at = fb.publish_due_at = fb.published_at = None
    _restart_clock(fb, now)
    fb.save()
    _record(fb, action="reopen", actor=actor, at=now, before=before, note=reason)
    return fb


# --- Reminders (periodic) ---------------------------------------------------------


def _mail_on_commit(subject: str, to: str) -> None:
    def send() -> None:
        try:
            send_mail(subject, subject, None, [to])
        except Exception:  # a mail outage must not break the sweep
            logger.exception("feedback reminder mail failed")

    transaction.on_commit(send)


def feedback_send_reminders(slot: dt.datetime | None = None) -> int:
    """For each open item whose running deadline is near (≤ 1 working day) or passed,
    record one reminder event per (deadline, state) and e-mail the handler or the head
    of the handling unit — never an excluded officer. Idempotent."""
    now = slot or timezone.now()
    sent = 0
    items = Feedback.objects.filter(
        status__in=[*workflow.HANDLING, S.AWAITING_PUBLICATION]
    ).select_related("handling_unit", "handler")
    for fb in items.iterator():
        info = selectors.feedback_deadlines(fb, now)
        if (
            info.status is None
            or info.due is None
            or info.status.status not in ("due_soon", "overdue")
        ):
            continue
        marker = f"{info.running}:{info.status.status}:{info.due.isoformat()}"
        with transaction.atomic():
            if FeedbackEvent.objects.filter(feedback=fb, action="reminder", note=marker).exists():
                continue
            FeedbackEvent.objects.create(
                feedback=fb,
                at=now,
                action="reminder",
                from_status=fb.status,
                to_status=fb.status,
                note=marker,
                unit=fb.handling_unit,
            )
            excluded = set(fb.exclusions.values_list("user_id", flat=True))
            recipient = fb.handler or head_of_unit(fb.handling_unit)
            if recipient is not None and recipient.pk not in excluded and recipient.email:
                subject = _("Nhắc hạn xử lý phản ánh %(code)s: %(status)s") % {
                    "code": fb.code,
                    "status": info.status.label,
                }
                _mail_on_commit(subject, recipient.email)
            sent += 1
    return sent
