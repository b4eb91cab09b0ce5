"""Writes of erasure requests. Each function is one transaction that checks permission
and state, writes, records an audit entry and notifies the data subject."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.privacy import assessment as legal
from motcua.privacy.constants import OPEN_STATUSES, ErasureStatus
from motcua.privacy.models import ErasureRequest

DEADLINE = dt.timedelta(hours=72)  # Decree 13/2023/ND-CP Art. 16(5)
PSEUDONYM_NAME = "Người dùng đã xóa"  # stored data, not translated


def can_review(user: Any) -> bool:
    """Privacy requests are handled by administrators (the unit's privacy officer)."""
    from motcua.org.selectors import is_administrator

    return bool(getattr(user, "is_officer", False) and is_administrator(user))


def _require_reviewer(actor: Any) -> None:
    if not can_review(actor):
        raise PermissionDenied(_("Bạn không có quyền xử lý yêu cầu xóa dữ liệu cá nhân."))


def _notify(req: ErasureRequest, event: str) -> None:
    from django.urls import reverse

    from motcua.notifications.services import notify

    url = "" if event == "privacy_request_executed" else reverse("my_privacy:request")
    notify(
        recipient=req.subject,
        event=event,
        context={"number": req.pk, "reason": req.decision_reason},
        url=url,
    )


def _lock(req: ErasureRequest) -> ErasureRequest:
    return ErasureRequest.objects.select_for_update().get(pk=req.pk)


@transaction.atomic
def erasure_request_create(*, subject: Any, password: str, reason: str = "") -> ErasureRequest:
    """A citizen asks for their account and personal data to be erased. The password is
    asked again (the request is irreversible once executed)."""
    if not getattr(subject, "is_citizen", False):
        raise PermissionDenied(_("Chỉ tài khoản công dân, tổ chức mới gửi được yêu cầu này."))
    if not password or not subject.check_password(password):
        raise ValidationError(_("Mật khẩu không đúng."), code="password")
    if ErasureRequest.objects.filter(subject=subject, status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("Bạn đã có một yêu cầu đang được xử lý."), code="open")
    now = timezone.now()
    req = ErasureRequest.objects.create(
        subject=subject,
        reason=reason.strip()[:2000],
        requested_at=now,
        due_at=now + DEADLINE,
        assessment=legal.assess(subject, now).as_dict(),
    )
    audit_record(
        action="privacy.erasure_requested",
        actor=subject,
        obj=req,
        after={"status": req.status, "due_at": req.due_at},
    )
    return req


@transaction.atomic
def erasure_request_approve(
    *, request: ErasureRequest, actor: Any, note: str = ""
) -> ErasureRequest:
    _require_reviewer(actor)
    req = _lock(request)
    if req.status != ErasureStatus.REQUESTED:
        raise ValidationError(_("Yêu cầu không còn ở trạng thái chờ xem xét."), code="state")
    found = legal.assess(req.subject)
    if not found.can_execute:
        raise ValidationError(found.blockers, code="blocked")
    req.assessment = found.as_dict()
    return _decide(req, actor=actor, status=ErasureStatus.APPROVED, text=note, verb="approved")


@transaction.atomic
def erasure_request_refuse(*, request: ErasureRequest, actor: Any, reason: str) -> ErasureRequest:
    _require_reviewer(actor)
    if not reason or not reason.strip():
        raise ValidationError(_("Vui lòng nêu lý do từ chối."), code="reason")
    req = _lock(request)
    if req.status not in OPEN_STATUSES:
        raise ValidationError(_("Yêu cầu đã được xử lý xong."), code="state")
    return _decide(req, actor=actor, status=ErasureStatus.REFUSED, text=reason, verb="refused")


def _decide(
    req: ErasureRequest, *, actor: Any, status: str, text: str, verb: str
) -> ErasureRequest:
    """Record the reviewer's decision (approve or refuse), audit it, tell the citizen."""
    before = req.status
    req.status = status
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.decision_reason = text.strip()
    req.save()
    audit_record(
        action=f"privacy.erasure_{verb}",
        actor=actor,
        obj=req,
        before={"status": before},
        after={"status": req.status, "reason": req.decision_reason},
    )
    _notify(req, f"privacy_request_{verb}")
    return req


def _delete_files(files: Any) -> int:
    from motcua.documents import storage

    names = list(files.values_list("storage_name", flat=True))
    count = files.count()
    files.delete()

    def remove_blobs() -> None:
        for name in names:
            # The row is gone; a leftover blob would be unreachable.
            with contextlib.suppress(OSError):
                storage.delete(name)

    transaction.on_commit(remove_blobs)
    return int(count)


def _pseudonymise_dossiers(user: Any, now: dt.datetime) -> int:
    from django.db.models import F

    from motcua.dossiers.models import DossierDraft

    expired = legal.expired_dossiers(user, now)
    ids = list(expired.values_list("pk", flat=True))
    if not ids:
        return 0
    from motcua.dossiers.models import Dossier

    Dossier.objects.filter(pk__in=ids).update(
        form_answers={},
        representative_name="",
        representative_id="",
        result_collected_by="",
        version=F("version") + 1,
    )
    DossierDraft.objects.filter(dossier_id__in=ids).update(
        raw_form={}, answers={}, principal_name="", principal_id=""
    )
    return len(ids)


def _erase_account(user: Any, keep_identity: bool) -> None:
    user.username = f"da-xoa-{user.pk}-{get_random_string(6).lower()}"
    user.phone = None
    user.email = ""
    user.address = ""
    user.preferred_language = "vi"
    user.is_active = False
    user.set_unusable_password()
    if not keep_identity:
        user.full_name = PSEUDONYM_NAME
        user.personal_id = None
        user.tax_code = None
        user.date_of_birth = None
        user.representative_name = ""
        user.representative_position = ""
    user.save()


@transaction.atomic
def erasure_request_execute(*, request: ErasureRequest, actor: Any) -> ErasureRequest:
    """Carry out an approved request: erase what no law requires us to keep,
    pseudonymise the account (and dossiers past retention), keep the rest. Everything
    or nothing: one transaction; file blobs are removed after the commit."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from motcua.accounts.models import ExternalAccount, LoginThrottle, User
    from motcua.notifications.models import Notification, Preference

    _require_reviewer(actor)
    req = _lock(request)
    if req.status != ErasureStatus.APPROVED:
        raise ValidationError(_("Chỉ thực hiện được yêu cầu đã được chấp thuận."), code="state")
    user = User.objects.select_for_update().get(pk=req.subject_id)
    now = timezone.now()
    found = legal.assess(user, now)
    if not found.can_execute:
        raise ValidationError(found.blockers, code="blocked")

    report: dict[str, int] = {}
    draft_files = legal.erasable_files(user, legal._draft_file_ids(user))
    drafts = legal.unsent_drafts(user)
    report["drafts"] = drafts.count()
    drafts.delete()
    report["draft_files"] = _delete_files(draft_files)

    items = legal.free_warehouse_items(user)
    item_files = {str(pk) for pk in items.values_list("file_id", flat=True)}
    report["warehouse_items"] = items.count()
    items.delete()
    report["warehouse_files"] = _delete_files(legal.erasable_files(user, item_files))

    sessions = legal.user_sessions(user)
    for session in sessions:
        session.delete()
    report["sessions"] = len(sessions)
    report["otp_devices"] = (
        TOTPDevice.objects.filter(user=user).delete()[0]
        + StaticDevice.objects.filter(user=user).delete()[0]
    )
    report["external_accounts"] = ExternalAccount.objects.filter(user=user).delete()[0]
    LoginThrottle.objects.filter(key=f"u{user.pk}").delete()
    Preference.objects.filter(user=user).delete()
    report["notifications"] = Notification.objects.filter(recipient=user).delete()[0]
    report["dossiers_pseudonymised"] = _pseudonymise_dossiers(user, now)
    report["dossiers_retained"] = legal.retained_dossiers(user, now).count()

    # Tell the citizen before their contact details go (the delivery carries the address).
    req.status = ErasureStatus.EXECUTED
    req.executed_by = actor
    req.executed_at = now
    req.report = report
    req.assessment = found.as_dict()
    req.save()
    _notify(req, "privacy_request_executed")
    _erase_account(user, keep_identity=found.keep_identity)
    audit_record(
        action="privacy.erasure_executed",
        actor=actor,
        obj=req,
        object_repr=f"#{req.pk}",
        before={"status": ErasureStatus.APPROVED},
        after={"status": req.status, "report": report, "identity_kept": found.keep_identity},
    )
    return req


@transaction.atomic
def erasure_reapply(*, subject: Any, actor: Any, reference: str) -> ErasureRequest:
    """After a restore from a backup older than an executed request: record the earlier
    request again (`reference`: its number or ticket) and execute it at once. Only for
    erasures already decided; docs/operations/backup.md."""
    _require_reviewer(actor)
    if not reference.strip():
        raise ValidationError(_("Vui lòng ghi số yêu cầu đã thực hiện trước đây."), code="reason")
    now = timezone.now()
    req = ErasureRequest.objects.create(
        subject=subject,
        reason=f"reapply: {reference.strip()}"[:2000],
        requested_at=now,
        due_at=now,
        status=ErasureStatus.APPROVED,
        decided_by=actor,
        decided_at=now,
        decision_reason=f"reapply: {reference.strip()}"[:2000],
        assessment=legal.assess(subject, now).as_dict(),
    )
    audit_record(
        action="privacy.erasure_reapplied",
        actor=actor,
        obj=req,
        after={"status": req.status, "reference": reference.strip()},
    )
    return erasure_request_execute(request=req, actor=actor)


# --- the read log: questioning an entry (law.md R32a) ------------------------------------


@transaction.atomic
def dossier_read_question(*, read: Any, citizen: Any, text: str = "") -> Any:
    """The applicant questions one read of their dossier: a behaviour complaint naming
    the officer who read (feedback routing, law.md §7.5): handled by the inspecting
    level above the officer's unit, hidden from the officer, from every officer who
    acted on the dossier and from the ordinary staff of the officer's unit. Once per
    read; returns the feedback item."""
    from motcua.feedback.constants import FeedbackChannel, FeedbackKind
    from motcua.feedback.services import feedback_submit
    from motcua.privacy.models import DossierRead

    locked = (
        # Lock only the read (PostgreSQL refuses FOR UPDATE on the nullable side of the
        # outer join to the unit).
        DossierRead.objects.select_for_update(of=("self",))
        .select_related("dossier", "unit", "client")
        .get(pk=read.pk)
    )
    d = locked.dossier
    if d.applicant_id != getattr(citizen, "pk", None):
        raise PermissionDenied
    if locked.question_id is not None:
        raise ValidationError(_("Bạn đã hỏi về lượt xem này; xem trả lời trong phản ánh đã gửi."))
    what = locked.get_kind_display()
    if locked.object_label:
        what = f"{what}: {locked.object_label}"
    facts = _(
        "Lượt xem hồ sơ %(code)s lúc %(at)s — %(what)s; đơn vị: %(unit)s; vai trò: "
        "%(role)s; mục đích ghi nhận: %(purpose)s%(outside)s."
    ) % {
        "code": d.code or d.pk,
        "at": timezone.localtime(locked.at).strftime("%H:%M %d/%m/%Y"),
        "what": what,
        "unit": locked.unit.name if locked.unit else (locked.system_name or "—"),
        "role": locked.role_label or "—",
        "purpose": locked.purpose,
        "outside": "" if locked.in_active_step else _(" (ngoài bước xử lý được giao)"),
    }
    question = (text or "").strip()[:2000] or _(
        "Tôi muốn biết vì sao cán bộ này xem hồ sơ của tôi."
    )
    submitted = feedback_submit(
        kind=FeedbackKind.BEHAVIOUR,
        title=_("Hỏi về một lượt xem hồ sơ %(code)s") % {"code": d.code or d.pk},
        content=f"{question}\n\n{facts}",
        channel=FeedbackChannel.PORTAL,
        submitter=citizen,
        dossier=d,
        subject_officer=locked.actor,
    )
    locked.question = submitted.feedback
    locked.save(update_fields=["question"])
    return submitted.feedback
