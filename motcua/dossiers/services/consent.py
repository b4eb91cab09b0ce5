"""Consent at the counter (law.md R4a, issue 26): the citizen confirms a dossier a
receptionist submitted on their account with a one-time code sent to their phone; the
receptionist may go on without it (the dossier is then marked as submitted without the
applicant's consent) and the citizen answers on the portal at their next visit.

Consent never blocks reception: the record is opened with the dossier and only ever
marks it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.dossiers.errors import ConsentRefused, IllegalTransition, NotPermitted, ReasonRequired
from motcua.dossiers.models import ConsentAnswer, ConsentState, CounterConsent, Dossier
from motcua.dossiers.permissions import roles_in_units
from motcua.org.constants import Role

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
MAX_ATTEMPTS = 5
MAX_CODES = 5  # codes sent per dossier (no SMS flooding of the citizen's phone)


def code_ttl() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "MOTCUA_CONSENT_CODE_TTL_MINUTES", 10)))


def _hash(consent_pk: int, code: str) -> str:
    # Keyed and bound to the record: the stored value says nothing about the code.
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"counter-consent:{consent_pk}:{code}".encode(),
        hashlib.sha256,
    ).hexdigest()


def _normal(code: str) -> str:
    return "".join(c for c in str(code or "") if c.isdigit())


def _require_receptionist(actor: Any, dossier: Dossier) -> None:
    if Role.RECEPTIONIST not in roles_in_units(actor).get(dossier.receiving_unit_id, set()):
        raise NotPermitted(_("Chỉ cán bộ tiếp nhận của đơn vị đã nhận hồ sơ mới thực hiện được."))


def _locked(dossier: Dossier) -> CounterConsent:
    consent = CounterConsent.objects.select_for_update().filter(dossier_id=dossier.pk).first()
    if consent is None:
        raise IllegalTransition(_("Hồ sơ này không được nộp thay tại quầy."))
    return consent


def counter_consent_open(*, dossier: Dossier, actor: Any, now: dt.datetime | None = None) -> Any:
    """Open the pending consent of a dossier just submitted at the counter on the
    citizen's account (called inside the reception's transaction)."""
    consent, created = CounterConsent.objects.get_or_create(
        dossier=dossier, defaults={"created_at": now or timezone.now()}
    )
    if created:
        audit_record(
            action="counter_consent.open",
            actor=actor,
            obj=consent,
            after={"dossier": dossier.pk, "state": consent.state},
        )
    return consent


def counter_consent_request(
    *, dossier: Dossier, actor: Any, now: dt.datetime | None = None
) -> CounterConsent:
    """Send a new 6-digit one-time code by SMS to the applicant's phone (through the
    SMS gateway of the notifications app); earlier codes stop working. Only the code's
    HMAC is stored. Raises ConsentRefused when the phone is missing, the SMS could not
    be sent, or too many codes were sent already."""
    from motcua.notifications.channels import ChannelError, sms_gateway

    _require_receptionist(actor, dossier)
    now = now or timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        consent = _locked(dossier)
        if consent.state != ConsentState.PENDING:
            raise IllegalTransition(_("Bước xác nhận của người nộp đã kết thúc."))
        phone = (getattr(dossier.applicant, "phone", "") or "").strip()
        if not phone:
            raise ConsentRefused(
                _(
                    "Tài khoản của người nộp chưa có số điện thoại: không gửi được mã. "
                    "Hãy tiếp tục không có xác nhận và ghi rõ lý do."
                )
            )
        if consent.codes_sent >= MAX_CODES:
            raise ConsentRefused(
                _("Đã gửi %(n)d mã cho hồ sơ này; không gửi thêm được.") % {"n": MAX_CODES}
            )
        consent.phone = phone
        consent.code_hash = _hash(consent.pk, code)
        consent.code_sent_at = now
        consent.code_expires_at = now + code_ttl()
        consent.attempts = 0
        consent.codes_sent += 1
        consent.save()
        audit_record(
            action="counter_consent.request",
            actor=actor,
            obj=consent,
            after={
                "dossier": dossier.pk,
                "expires_at": consent.code_expires_at,
                "codes_sent": consent.codes_sent,
            },
        )
    site = getattr(settings, "MOTCUA_SITE_NAME", "Motcua")
    # ASCII (GSM 7-bit), one SMS part. The code is only in the message itself.
    text = (
        f"{site}: Ma xac nhan {code} - ho so {dossier.code or dossier.pk} nop tai Bo phan "
        f"Mot cua. Chi doc ma nay cho can bo neu ban dang nop ho so. Het han sau "
        f"{int(code_ttl().total_seconds() // 60)} phut."
    )
    try:
        sms_gateway().send(to=phone, text=text)
    except ChannelError as exc:
        logger.warning("counter consent SMS failed for dossier %s: %s", dossier.pk, exc)
        with transaction.atomic():
            consent = _locked(dossier)
            consent.code_hash = ""
            consent.code_expires_at = None
            consent.save(update_fields=["code_hash", "code_expires_at"])
            audit_record(
                action="counter_consent.sms_failed",
                actor=actor,
                obj=consent,
                after={"dossier": dossier.pk},
            )
        raise ConsentRefused(
            _(
                "Không gửi được tin nhắn chứa mã; thử lại sau ít phút hoặc tiếp tục "
                "không có xác nhận."
            )
        ) from exc
    return consent


def counter_consent_confirm(
    *, dossier: Dossier, actor: Any, code: str, now: dt.datetime | None = None
) -> CounterConsent:
    """Check the code the citizen reads out (constant-time comparison of HMACs). Right:
    the consent is confirmed at the server's time by `actor`, the code is spent. Wrong:
    one attempt is used (MAX_ATTEMPTS per code); expired or exhausted codes are refused
    and a new code must be sent."""
    _require_receptionist(actor, dossier)
    now = now or timezone.now()
    error: str | None = None
    with transaction.atomic():
        consent = _locked(dossier)
        if consent.state != ConsentState.PENDING:
            raise IllegalTransition(_("Bước xác nhận của người nộp đã kết thúc."))
        if not consent.code_hash:
            raise ConsentRefused(_("Chưa gửi mã cho người nộp; hãy bấm Gửi mã trước."))
        if consent.attempts >= MAX_ATTEMPTS:
            raise ConsentRefused(
                _("Đã nhập sai quá %(n)d lần; hãy gửi mã mới.") % {"n": MAX_ATTEMPTS}
            )
        if not consent.code_live(now):
            raise ConsentRefused(_("Mã đã hết hạn; hãy gửi mã mới."))
        given = _normal(code)
        if len(given) == CODE_DIGITS and constant_time_compare(
            _hash(consent.pk, given), consent.code_hash
        ):
            consent.state = ConsentState.CONFIRMED
            consent.confirmed_at = timezone.now()  # the server's clock, never the client's
            consent.confirmed_by = actor
            consent.code_hash = ""
            consent.save()
            audit_record(
                action="counter_consent.confirm",
                actor=actor,
                obj=consent,
                after={
                    "dossier": dossier.pk,
                    "state": consent.state,
                    "attempts": consent.attempts + 1,
                },
            )
            return consent
        consent.attempts += 1
        consent.save(update_fields=["attempts"])
        audit_record(
            action="counter_consent.wrong_code",
            actor=actor,
            obj=consent,
            after={"dossier": dossier.pk, "attempts": consent.attempts},
        )
        left = MAX_ATTEMPTS - consent.attempts
        error = (
            _("Mã không đúng; còn %(n)d lần thử.") % {"n": left}
            if left
            else _("Mã không đúng. Đã nhập sai %(n)d lần; hãy gửi mã mới.") % {"n": MAX_ATTEMPTS}
        )
    # Outside the transaction: the used attempt stays counted.
    raise ConsentRefused(error)


def counter_consent_waive(
    *, dossier: Dossier, actor: Any, reason: str, now: dt.datetime | None = None
) -> CounterConsent:
    """The receptionist goes on without the citizen's confirmation: the dossier is
    marked "nộp không có xác nhận của người nộp" and the citizen is told at their next
    visit to the portal."""
    _require_receptionist(actor, dossier)
    reason = " ".join((reason or "").split())[:500]
    if len(reason) < 5:
        raise ReasonRequired(_("Vui lòng nêu lý do không có xác nhận của người nộp."))
    with transaction.atomic():
        consent = _locked(dossier)
        if consent.state != ConsentState.PENDING:
            raise IllegalTransition(_("Bước xác nhận của người nộp đã kết thúc."))
        consent.state = ConsentState.ABSENT
        consent.waived_at = now or timezone.now()
        consent.waived_by = actor
        consent.waive_reason = reason
        consent.code_hash = ""
        consent.code_expires_at = None
        consent.save()
        audit_record(
            action="counter_consent.waive",
            actor=actor,
            obj=consent,
            after={"dossier": dossier.pk, "state": consent.state, "reason": reason},
        )
    return consent


def counter_consent_answer(
    *, dossier: Dossier, citizen: Any, answer: str, text: str = "", now: dt.datetime | None = None
) -> CounterConsent:
    """The applicant's answer on the portal to a dossier submitted at the counter
    without their confirmation: "Tôi xác nhận đã nộp", or "Tôi không nộp hồ sơ này",
    which files a behaviour complaint about the receptionist (feedback routing, law.md
    §7.5: inspection above the officer's unit, hidden from the officer). Once."""
    from motcua.feedback.constants import FeedbackChannel, FeedbackKind
    from motcua.feedback.services import feedback_submit

    if answer not in (ConsentAnswer.CONFIRMED, ConsentAnswer.DISOWNED):
        raise ConsentRefused(_("Lựa chọn không hợp lệ."))
    now = now or timezone.now()
    with transaction.atomic():
        consent = _locked(dossier)
        if dossier.applicant_id != getattr(citizen, "pk", None):
            raise NotPermitted
        if consent.answer or not consent.without_consent:
            raise IllegalTransition(_("Bạn đã trả lời về hồ sơ này."))
        if consent.state == ConsentState.PENDING:
            # Left pending at the counter: it was submitted without a confirmation.
            consent.state = ConsentState.ABSENT
            consent.code_hash = ""
            consent.code_expires_at = None
        consent.answer = answer
        consent.answered_at = now
        if answer == ConsentAnswer.DISOWNED:
            receptionist = dossier.submitted_on_behalf_by
            facts = _(
                "Hồ sơ %(code)s (%(procedure)s) được cán bộ tiếp nhận nộp thay qua tài "
                "khoản của tôi tại %(unit)s lúc %(at)s, không có xác nhận của tôi."
            ) % {
                "code": dossier.code or dossier.pk,
                "procedure": dossier.procedure_version.name,
                "unit": dossier.receiving_unit.name,
                "at": timezone.localtime(consent.created_at).strftime("%H:%M %d/%m/%Y"),
            }
            said = " ".join((text or "").split())[:2000] or _("Tôi không nộp hồ sơ này.")
            submitted = feedback_submit(
                kind=FeedbackKind.BEHAVIOUR,
                title=_("Tôi không nộp hồ sơ %(code)s") % {"code": dossier.code or dossier.pk},
                content=f"{said}\n\n{facts}",
                channel=FeedbackChannel.PORTAL,
                submitter=citizen,
                dossier=dossier,
                subject_officer=receptionist,
                throttle=False,
                now=now,
            )
            consent.feedback = submitted.feedback
        consent.save()
        audit_record(
            action="counter_consent.answer",
            actor=citizen,
            obj=consent,
            after={
                "dossier": dossier.pk,
                "answer": answer,
                "feedback": consent.feedback_id,
            },
        )
    return consent
