"""Writes of the payments app (design.md: `<entity>_<verb>(*, kw-only)`, one transaction
each, permission and state checked, audited).

Every provider outcome (IPN, transaction query, bank statement line, counter cash)
goes through `_apply_outcome`, which locks the attempt and its request and is
idempotent: the same message twice changes nothing, a second success on a paid request
is kept as a duplicate (not counted) and put up for refund.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.payments import conf, permissions, state
from motcua.payments.constants import (
    AttemptStatus,
    Direction,
    MessageKind,
    OnlineFlag,
    RefundStatus,
    RequestKind,
    RequestStatus,
)
from motcua.payments.errors import NotAllowed, PaymentError
from motcua.payments.models import (
    FeeLine,
    PaymentAttempt,
    PaymentRequest,
    ProviderMessage,
    Refund,
)
from motcua.payments.providers.base import ProviderOutcome, get_provider
from motcua.payments.providers.sandbox_gateway import protocol
from motcua.payments.providers.sandbox_gateway.provider import outcome_from_params, secret

logger = logging.getLogger(__name__)

# Crockford base32 without I, L, O, U: survives banks upper-casing transfer texts.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REF_RE = r"MC[0-9A-HJKMNP-TV-Z]{10}"


def new_reference(prefix: str = "MC") -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(10))


def _audit(action: str, actor: Any, obj: Any, after: dict[str, Any], unit: Any = None) -> None:
    from motcua.core.audit import audit_record

    audit_record(
        action=f"payments.{action}",
        actor=actor,
        obj=obj,
        after=after,
        unit_code=getattr(unit, "code", "") if unit is not None else "",
    )


def message_store(
    *,
    provider: str,
    direction: str,
    kind: str,
    raw: str,
    attempt: PaymentAttempt | None = None,
    signature_ok: bool | None = None,
    outcome: str = "",
    remote_addr: str | None = None,
) -> ProviderMessage:
    return ProviderMessage.objects.create(
        provider=provider,
        direction=direction,
        kind=kind,
        raw=raw,
        attempt=attempt,
        signature_ok=signature_ok,
        outcome=outcome[:120],
        remote_addr=remote_addr or None,
    )


# --- requests ---------------------------------------------------------------------


def _channel(dossier: Any) -> str:
    from motcua.catalog import fees

    return fees.ONLINE if str(dossier.channel) == "2" else "counter"


def _refresh_request(req: PaymentRequest) -> None:
    if req.status == RequestStatus.WAIVED and req.cancelled_at is None and req.amount > 0:
        # An officer's waiver (payment_request_waive) is a decision, not a total.
        req.save(update_fields=["paid_amount", "refunded_amount", "paid_at", "updated_at"])
        return
    has_open = req.attempts.filter(status__in=state.OPEN).exists()
    expired = req.due_at is not None and timezone.now() > req.due_at
    req.status = state.request_status(
        amount=req.amount,
        paid=req.paid_amount,
        refunded=req.refunded_amount,
        has_open_attempt=has_open,
        expired=expired,
        cancelled=req.cancelled_at is not None,
    )
    req.save(
        update_fields=[
            "status",
            "paid_amount",
            "refunded_amount",
            "paid_at",
            "updated_at",
            "online_flag",
        ]
    )


@transaction.atomic
def payment_request_for_fees(*, dossier: Any, actor: Any) -> PaymentRequest:
    """The catalogue fees of a dossier as one payment request (idempotent: the open
    fee request is returned if there is one). Lines keep amount, exemption and the
    online-channel discount computed by catalog.fees from the pinned version."""
    from motcua.catalog.selectors import fee_lines

    is_applicant = getattr(actor, "pk", None) == dossier.applicant_id
    if not is_applicant and not permissions.roles_in(actor, dossier.receiving_unit_id):
        raise NotAllowed(_("Bạn không có quyền tạo yêu cầu thanh toán cho hồ sơ này."))
    existing = (
        PaymentRequest.objects.select_for_update()
        .filter(dossier=dossier, kind=RequestKind.FEE, cancelled_at__isnull=True)
        .first()
    )
    if existing is not None:
        return existing
    lines = fee_lines(
        dossier.procedure_version,
        dossier.form_answers or {},
        _channel(dossier),
        dossier.case.code if dossier.case_id else None,
    )
    total = sum(line.amount for line in lines)
    req = PaymentRequest.objects.create(
        dossier=dossier,
        collecting_unit=dossier.receiving_unit,
        kind=RequestKind.FEE,
        reference=new_reference("PR"),
        description=(_("Phí, lệ phí: %(name)s") % {"name": dossier.procedure_version.name})[:255],
        amount=total,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        status=RequestStatus.WAIVED if total == 0 else RequestStatus.UNPAID,
    )
    FeeLine.objects.bulk_create(
        FeeLine(
            request=req,
            code=line.code,
            kind=line.kind,
            name=line.name,
            quantity=line.quantity,
            copies=line.copies,
            gross=line.gross,
            discount=line.discount,
            amount=line.amount,
            exempt=line.exempt,
            exemption_reason=line.exemption_reason,
        )
        for line in lines
    )
    _audit(
        "request_create", actor, req, {"amount": total, "lines": len(lines)}, req.collecting_unit
    )
    return req


def payment_request_at_submission(*, dossier: Any, actor: Any) -> PaymentRequest | None:
    """Fees the catalogue says are collected "Khi nộp hồ sơ" (fee_collection_timing
    at_submission) are requested with the online submission, so that the applicant pays
    right away (Decree 45/2020 Art. 12: fees of online services paid online). None when
    the procedure collects fees later, or when nothing is owed."""
    from motcua.catalog.constants import CollectionTiming

    if dossier.procedure_version.fee_collection_timing != CollectionTiming.AT_SUBMISSION:
        return None
    req = payment_request_for_fees(dossier=dossier, actor=actor)
    return req if req.outstanding > 0 else None


@transaction.atomic
def payment_request_combined(*, dossiers: list[Any], actor: Any) -> PaymentRequest | None:
    """One payment for every fee of a linked application (law.md R40): each child's
    fee request is made as usual (so receipts, monitoring and the national sync see
    each child's fees) and one combined request, collected by the one-stop unit that
    received the application, covers what they owe; paying it settles them all
    (`_settle_combined_members`). Idempotent: the open combined request is returned.
    None when nothing is owed."""
    from motcua.catalog.constants import CollectionTiming

    owing: list[PaymentRequest] = []
    for dossier in dossiers:
        if dossier.procedure_version.fee_collection_timing != CollectionTiming.AT_SUBMISSION:
            continue
        child = payment_request_for_fees(dossier=dossier, actor=actor)
        if child.outstanding > 0 and not child.is_settled:
            owing.append(child)
    if not owing:
        return None
    existing = next(
        (
            r.combined_into
            for r in owing
            if r.combined_into is not None and r.combined_into.cancelled_at is None
        ),
        None,
    )
    if existing is not None:
        return existing
    lead = dossiers[0]
    combined = PaymentRequest.objects.create(
        dossier=lead,
        collecting_unit=lead.receiving_unit,
        kind=RequestKind.COMBINED,
        reference=new_reference("PR"),
        description=(_("Phí, lệ phí của hồ sơ liên thông (%(n)s hồ sơ)") % {"n": len(owing)})[:255],
        amount=sum(r.outstanding for r in owing),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    FeeLine.objects.bulk_create(
        FeeLine(
            request=combined,
            code=line.code,
            kind=line.kind,
            name=f"{line.name} ({r.dossier.procedure_version.name})"[:255],
            quantity=line.quantity,
            copies=line.copies,
            gross=line.gross,
            discount=line.discount,
            amount=line.amount,
            exempt=line.exempt,
            exemption_reason=line.exemption_reason,
        )
        for r in owing
        for line in r.lines.all()
    )
    PaymentRequest.objects.filter(pk__in=[r.pk for r in owing]).update(combined_into=combined)
    _audit(
        "request_combine",
        actor,
        combined,
        {"amount": combined.amount, "members": [r.reference for r in owing]},
        combined.collecting_unit,
    )
    return combined


def _settle_combined_members(req: PaymentRequest, actor: Any = None) -> None:
    """The combined request of a linked application is paid: each child's fee request
    is recorded as paid by it (same time, same online flag) and its dossier resumes
    if it was waiting for the payment (caller's transaction)."""
    if req.kind != RequestKind.COMBINED:
        return
    for member in PaymentRequest.objects.select_for_update().filter(
        combined_into=req, cancelled_at__isnull=True
    ):
        if member.is_settled:
            continue
        member.paid_amount = member.amount
        member.paid_at = req.paid_at
        member.online_flag = req.online_flag
        _refresh_request(member)
        _audit(
            "request_settled_by_combined",
            actor,
            member,
            {"amount": member.amount, "combined": req.reference},
            member.collecting_unit,
        )
        _resume_dossier(member, actor)


def _check_not_combined(req: PaymentRequest) -> None:
    combined = req.combined_into
    if combined is not None and combined.cancelled_at is None:
        raise PaymentError(
            _("Khoản này được thanh toán gộp trong yêu cầu %(ref)s của hồ sơ liên thông.")
            % {"ref": combined.reference}
        )


@dataclass(frozen=True)
class ObligationLine:
    name: str
    amount: int
    code: str = "NVTC"


@transaction.atomic
def payment_request_for_obligation(
    *,
    dossier: Any,
    actor: Any,
    lines: Iterable[ObligationLine],
    description: str,
    pause_clock: bool = True,
    due_at: dt.datetime | None = None,
) -> PaymentRequest:
    """A financial obligation during processing (national status 6, e.g. land levy).
    With `pause_clock` the dossier moves to "waiting for financial obligation" through
    dossiers.services.dossier_request_payment, which pauses the clock (R13)."""
    if not permissions.can_request_obligation(actor, dossier):
        raise NotAllowed(_("Chỉ chuyên viên hoặc lãnh đạo cơ quan giải quyết được yêu cầu."))
    items = [line for line in lines if line.amount > 0]
    if not items:
        raise PaymentError(_("Vui lòng nhập ít nhất một khoản phải nộp."))
    if not description.strip():
        raise PaymentError(_("Vui lòng nhập nội dung yêu cầu."))
    total = sum(line.amount for line in items)
    req = PaymentRequest.objects.create(
        dossier=dossier,
        collecting_unit=dossier.receiving_unit,
        kind=RequestKind.OBLIGATION,
        reference=new_reference("PR"),
        description=description[:255],
        amount=total,
        pauses_clock=pause_clock,
        due_at=due_at,
        created_by=actor,
    )
    FeeLine.objects.bulk_create(
        FeeLine(request=req, code=line.code, name=line.name, gross=line.amount, amount=line.amount)
        for line in items
    )
    if pause_clock:
        from motcua.dossiers.services import dossier_request_payment

        dossier_request_payment(
            dossier=dossier, actor=actor, expected_version=dossier.version, reason=description
        )
    _audit(
        "request_create",
        actor,
        req,
        {"amount": total, "kind": RequestKind.OBLIGATION, "pause_clock": pause_clock},
        req.collecting_unit,
    )
    return req


@transaction.atomic
def payment_request_cancel(*, request: PaymentRequest, actor: Any, reason: str) -> PaymentRequest:
    req = PaymentRequest.objects.select_for_update().get(pk=request.pk)
    if not permissions.is_finance(actor, req.collecting_unit_id):
        raise NotAllowed(_("Chỉ cán bộ tài chính của đơn vị thu được hủy yêu cầu."))
    if req.paid_amount > 0:
        raise PaymentError(_("Yêu cầu đã có tiền nộp; hãy lập đề nghị hoàn tiền."))
    if not reason.strip():
        raise PaymentError(_("Vui lòng nhập lý do."))
    req.cancelled_at = timezone.now()
    req.save(update_fields=["cancelled_at"])
    for attempt in req.attempts.select_for_update().filter(status__in=state.OPEN):
        attempt.status = state.check_move(attempt.status, AttemptStatus.CANCELLED)
        attempt.failure_reason = reason[:255]
        attempt.save(update_fields=["status", "failure_reason"])
    _refresh_request(req)
    _audit("request_cancel", actor, req, {"reason": reason}, req.collecting_unit)
    # A cancelled obligation no longer binds: the dossier resumes if nothing else is owed.
    _resume_dossier(req, actor)
    return req


@transaction.atomic
def payment_request_waive(*, request: PaymentRequest, actor: Any, reason: str) -> PaymentRequest:
    """A finance officer of the collecting unit waives what is still owed (e.g. an
    exemption decided by the tax authority), with a reason; audited. A waived
    clock-pausing obligation lets the dossier resume like a paid one (R13)."""
    req = PaymentRequest.objects.select_for_update().select_related("dossier").get(pk=request.pk)
    if not permissions.is_finance(actor, req.collecting_unit_id):
        raise NotAllowed(_("Chỉ cán bộ tài chính của đơn vị thu được miễn nghĩa vụ."))
    if not reason.strip():
        raise PaymentError(_("Vui lòng nhập lý do miễn."))
    if req.cancelled_at is not None or req.is_settled:
        raise PaymentError(_("Yêu cầu này đã được thanh toán, miễn hoặc hủy."))
    if req.attempts.filter(status__in=state.OPEN).exists():
        raise PaymentError(_("Yêu cầu đang có giao dịch chờ kết quả; vui lòng thử lại sau."))
    req.status = RequestStatus.WAIVED
    req.save(update_fields=["status", "updated_at"])
    _audit(
        "request_waive",
        actor,
        req,
        {"reason": reason.strip()[:255], "outstanding": req.outstanding},
        req.collecting_unit,
    )
    _resume_dossier(req, actor)
    return req


# --- attempts -----------------------------------------------------------------------


@transaction.atomic
def attempt_start(
    *,
    request: PaymentRequest,
    provider_code: str,
    actor: Any,
    idempotency_key: str,
    return_url: str = "",
    client_ip: str = "",
) -> PaymentAttempt:
    """Start (or resume) paying a request. The same idempotency key returns the same
    attempt (a double click creates one transaction); an open attempt with the same
    provider is reused; a paid request cannot be paid again."""
    provider = get_provider(provider_code)
    req = PaymentRequest.objects.select_for_update().select_related("dossier").get(pk=request.pk)
    if getattr(actor, "pk", None) != req.dossier.applicant_id or not provider.citizen_selectable:
        raise NotAllowed(_("Chỉ người nộp hồ sơ được thanh toán yêu cầu này."))
    key = (idempotency_key or "").strip()[:64]
    if not key:
        raise PaymentError(_("Thiếu khóa chống gửi trùng; vui lòng tải lại trang."))
    same = PaymentAttempt.objects.filter(idempotency_key=key).first()
    if same is not None:
        if same.request_id != req.pk:
            raise PaymentError(_("Khóa chống gửi trùng không hợp lệ."))
        return same
    _expire_if_due(req)
    _check_not_combined(req)
    if req.cancelled_at is not None:
        raise PaymentError(_("Yêu cầu thanh toán đã bị hủy."))
    if req.status in (RequestStatus.PAID, RequestStatus.WAIVED) or req.paid_amount >= req.amount:
        raise PaymentError(_("Yêu cầu này đã được thanh toán."))
    now = timezone.now()
    reusable = (
        req.attempts.filter(provider=provider_code, status__in=state.OPEN, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if reusable is not None:
        return reusable
    attempt = PaymentAttempt.objects.create(
        request=req,
        provider=provider_code,
        txn_ref=new_reference("MC"),
        idempotency_key=key,
        amount=req.outstanding,
        actor=actor,
    )
    result = provider.start(attempt, return_url=return_url, client_ip=client_ip)
    attempt.payload = result.redirect_url or result.qr_payload
    attempt.expires_at = result.expires_at or now + provider.attempt_ttl
    attempt.status = state.check_move(attempt.status, AttemptStatus.PENDING)
    attempt.save(update_fields=["payload", "expires_at", "status"])
    message_store(
        provider=provider_code,
        direction=Direction.OUTBOUND,
        kind=MessageKind.QR if result.qr_payload else MessageKind.REDIRECT,
        raw=result.raw or attempt.payload,
        attempt=attempt,
        outcome="started",
    )
    _refresh_request(req)
    _audit(
        "attempt_start",
        actor,
        attempt,
        {"provider": provider_code, "amount": attempt.amount, "request": req.reference},
    )
    return attempt


def _expire_if_due(req: PaymentRequest) -> None:
    now = timezone.now()
    for attempt in req.attempts.select_for_update().filter(
        status__in=state.OPEN, expires_at__lte=now
    ):
        attempt.status = state.check_move(attempt.status, AttemptStatus.EXPIRED)
        attempt.completed_at = now
        attempt.save(update_fields=["status", "completed_at"])


def _lock(attempt_id: int) -> tuple[PaymentAttempt, PaymentRequest]:
    attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
    req = (
        PaymentRequest.objects.select_for_update()
        .select_related("dossier")
        .get(pk=attempt.request_id)
    )
    return attempt, req


def _apply_outcome(attempt_id: int, outcome: ProviderOutcome, *, actor: Any = None) -> str:
    """Apply what the provider says (caller holds a transaction). Returns one of
    "succeeded", "failed", "cancelled", "duplicate", "already", "ignored"."""
    attempt, req = _lock(attempt_id)
    if attempt.status in state.PAID or attempt.status == AttemptStatus.FAILED:
        return "already"
    now = timezone.now()
    if not outcome.succeeded:
        if attempt.status not in state.OPEN:
            return "ignored"  # a failure notice for an expired/cancelled attempt
        target = AttemptStatus.CANCELLED if outcome.cancelled else AttemptStatus.FAILED
        attempt.status = state.check_move(attempt.status, target)
        attempt.failure_reason = outcome.reason[:255]
        attempt.completed_at = now
        attempt.provider_txn_id = outcome.provider_txn_id or None
        attempt.save(update_fields=["status", "failure_reason", "completed_at", "provider_txn_id"])
        _refresh_request(req)
        _audit(f"attempt_{attempt.status}", actor, attempt, {"reason": outcome.reason})
        return str(attempt.status)
    attempt.status = state.check_move(attempt.status, AttemptStatus.SUCCEEDED)
    attempt.provider_txn_id = outcome.provider_txn_id or None
    attempt.bank_code = outcome.bank_code[:32]
    attempt.completed_at = now
    duplicate = req.paid_amount >= req.amount
    attempt.duplicate = duplicate
    attempt.save(
        update_fields=["status", "provider_txn_id", "bank_code", "completed_at", "duplicate"]
    )
    provider = get_provider(attempt.provider)
    if duplicate:
        Refund.objects.create(
            request=req,
            attempt=attempt,
            amount=attempt.amount,
            reason=_("Thanh toán trùng: yêu cầu %(ref)s đã được thanh toán trước đó.")
            % {"ref": req.reference},
        )
        _refresh_request(req)
        _audit("attempt_duplicate", actor, attempt, {"amount": attempt.amount})
        return "duplicate"
    req.paid_amount += attempt.amount
    req.paid_at = now
    if provider.online:
        req.online_flag = OnlineFlag.PROVINCIAL
    _refresh_request(req)
    from motcua.payments.receipts import receipt_issue

    receipt_issue(attempt=attempt, actor=actor)
    _audit(
        "attempt_succeeded",
        actor,
        attempt,
        {"amount": attempt.amount, "provider_txn_id": outcome.provider_txn_id},
        req.collecting_unit,
    )
    if req.is_settled:
        _settle_combined_members(req, actor)
        _resume_dossier(req, actor)
    return "succeeded"


def _resume_dossier(req: PaymentRequest, actor: Any = None) -> None:
    """When the last clock-pausing request of a dossier waiting for its financial
    obligation is paid, the dossier resumes (dossier_payment_fulfilled, R13). A failure
    there must not lose the payment: it runs in a savepoint and is logged."""
    from motcua.dossiers.constants import DossierStatus
    from motcua.payments.selectors import obligations_outstanding

    dossier = req.dossier
    dossier.refresh_from_db()
    if not req.pauses_clock or dossier.status != DossierStatus.PAYMENT_REQUESTED:
        return
    if obligations_outstanding(dossier=dossier):
        return
    from motcua.dossiers.errors import DossierError
    from motcua.dossiers.services import dossier_payment_fulfilled

    try:
        with transaction.atomic():
            dossier_payment_fulfilled(
                dossier=dossier, actor=actor, expected_version=dossier.version
            )
    except DossierError:
        logger.exception("payment %s: could not resume dossier %s", req.reference, dossier.pk)


# --- sandbox / redirect gateway -----------------------------------------------------


def gateway_ipn(*, params: dict[str, str], raw: str, remote_addr: str = "") -> tuple[str, str]:
    """Server-to-server notification: verify signature, order, amount, currency and
    replay; answer with the gateway's RspCode. Idempotent."""
    code = "sandbox_gateway"
    with transaction.atomic():
        ok = protocol.verify(params, secret())
        attempt = (
            PaymentAttempt.objects.filter(
                txn_ref=params.get("vnp_TxnRef", ""), provider=code
            ).first()
            if ok
            else None
        )

        def answer(rsp: tuple[str, str], note: str) -> tuple[str, str]:
            message_store(
                provider=code,
                direction=Direction.INBOUND,
                kind=MessageKind.IPN,
                raw=raw,
                attempt=attempt,
                signature_ok=ok,
                outcome=f"{rsp[0]} {note}",
                remote_addr=remote_addr,
            )
            return rsp

        if not ok:
            return answer(protocol.RSP_BAD_SIGNATURE, "signature")
        if params.get("vnp_TmnCode") != str(conf.get("MOTCUA_PAYGATE_TMN_CODE")):
            return answer(protocol.RSP_NOT_FOUND, "merchant")
        if attempt is None:
            return answer(protocol.RSP_NOT_FOUND, "order")
        outcome = outcome_from_params(params)
        if outcome.amount != attempt.amount:
            return answer(protocol.RSP_BAD_AMOUNT, "amount")
        if outcome.currency != "VND":
            return answer(protocol.RSP_BAD_AMOUNT, "currency")
        if attempt.status in state.PAID or attempt.status == AttemptStatus.FAILED:
            return answer(protocol.RSP_ALREADY, "replay")
        result = _apply_outcome(attempt.pk, outcome)
        if result in ("already", "ignored"):
            return answer(protocol.RSP_ALREADY, result)
        return answer(protocol.RSP_OK, result)


def gateway_return(*, params: dict[str, str], raw: str) -> tuple[PaymentAttempt | None, bool]:
    """The browser came back from the gateway. The query string is recorded and its
    signature checked, but the state only changes from the IPN or from the
    gateway's own answer to a server-to-server query. Returns (attempt, signature_ok)."""
    code = "sandbox_gateway"
    ok = protocol.verify(params, secret())
    attempt = (
        PaymentAttempt.objects.filter(txn_ref=params.get("vnp_TxnRef", ""), provider=code).first()
        if ok
        else None
    )
    with transaction.atomic():
        message_store(
            provider=code,
            direction=Direction.INBOUND,
            kind=MessageKind.RETURN,
            raw=raw,
            attempt=attempt,
            signature_ok=ok,
            outcome="return",
        )
    if attempt is not None and attempt.status in state.OPEN:
        attempt_refresh(attempt=attempt)
        attempt.refresh_from_db()
    return attempt, ok


def attempt_refresh(*, attempt: PaymentAttempt) -> PaymentAttempt:
    """Used by the status poll and the return page: ask the provider; expire the attempt
    when its time is up and the provider knows nothing of it."""
    if attempt.status not in state.OPEN:
        return attempt
    provider = get_provider(attempt.provider)
    outcome = provider.query(attempt)
    with transaction.atomic():
        if outcome is not None:
            message_store(
                provider=attempt.provider,
                direction=Direction.INBOUND,
                kind=MessageKind.QUERY,
                raw=repr(outcome),
                attempt=attempt,
                signature_ok=True,
                outcome="query",
            )
            if outcome.amount == attempt.amount and outcome.txn_ref == attempt.txn_ref:
                _apply_outcome(attempt.pk, outcome)
        else:
            locked, req = _lock(attempt.pk)
            if (
                locked.status in state.OPEN
                and locked.expires_at
                and locked.expires_at <= timezone.now()
            ):
                locked.status = state.check_move(locked.status, AttemptStatus.EXPIRED)
                locked.completed_at = timezone.now()
                locked.save(update_fields=["status", "completed_at"])
                _refresh_request(req)
    attempt.refresh_from_db()
    return attempt


def attempts_expire_stale(*, now: dt.datetime | None = None) -> int:
    """Periodic job: settle or expire open attempts past their expiry."""
    now = now or timezone.now()
    count = 0
    for attempt in PaymentAttempt.objects.filter(status__in=state.OPEN, expires_at__lte=now):
        attempt_refresh(attempt=attempt)
        count += 1
    return count


# --- cash at the counter ----------------------------------------------------------------


@transaction.atomic
def cash_record(
    *, request: PaymentRequest, actor: Any, amount: int, note: str = ""
) -> PaymentAttempt:
    """The receptionist takes the cash and a receipt is issued at once."""
    req = PaymentRequest.objects.select_for_update().get(pk=request.pk)
    if not permissions.can_record_cash(actor, req.collecting_unit_id):
        raise NotAllowed(_("Bạn không thu tiền cho đơn vị này."))
    _check_not_combined(req)
    if req.cancelled_at is not None:
        raise PaymentError(_("Yêu cầu thanh toán đã bị hủy."))
    if req.outstanding <= 0:
        raise PaymentError(_("Yêu cầu này đã được thanh toán."))
    if amount != req.outstanding:
        raise PaymentError(
            _("Số tiền thu phải đúng số còn phải nộp: %(n)s đồng.") % {"n": f"{req.outstanding:,}"}
        )
    attempt = PaymentAttempt.objects.create(
        request=req,
        provider="cash",
        txn_ref=new_reference("MC"),
        idempotency_key=f"cash-{new_reference('K')}",
        amount=amount,
        actor=actor,
        status=AttemptStatus.CREATED,
    )
    message_store(
        provider="cash",
        direction=Direction.INBOUND,
        kind=MessageKind.CASH,
        raw=f"amount={amount}; officer={actor.get_username()}; note={note}",
        attempt=attempt,
        outcome="cash",
    )
    _apply_outcome(
        attempt.pk,
        ProviderOutcome(txn_ref=attempt.txn_ref, succeeded=True, amount=amount),
        actor=actor,
    )
    attempt.refresh_from_db()
    return attempt


# --- paid on the national portal --------------------------------------------------------

NATIONAL_PROVIDER = "dvcqg"


@transaction.atomic
def national_payment_record(
    *, dossier: Any, actor: Any, amount: int, transaction_ids: list[str], paid_at: dt.datetime
) -> PaymentRequest | None:
    """Fees the applicant already paid on the national portal's payment platform
    (Decree 118/2025 Art. 24; law.md R21), recorded on the dossier's fee request: a
    settled attempt by provider "dvcqg" (the portal issues the receipt), the request's
    online flag NATIONAL (DuocThanhToanTrucTuyen = 1). Idempotent per dossier. None when
    nothing was paid."""
    if amount <= 0:
        return None
    req = payment_request_for_fees(dossier=dossier, actor=actor)
    key = f"dvcqg-{dossier.pk}"
    if PaymentAttempt.objects.filter(idempotency_key=key).exists():
        return req
    req = PaymentRequest.objects.select_for_update().get(pk=req.pk)
    attempt = PaymentAttempt.objects.create(
        request=req,
        provider=NATIONAL_PROVIDER,
        txn_ref=new_reference("MC"),
        idempotency_key=key,
        provider_txn_id=",".join(transaction_ids)[:64] or None,
        amount=amount,
        actor=actor,
        status=AttemptStatus.SUCCEEDED,
        completed_at=paid_at,
    )
    message_store(
        provider=NATIONAL_PROVIDER,
        direction=Direction.INBOUND,
        kind=MessageKind.IPN,
        raw=f"amount={amount}; transactions={','.join(transaction_ids)}",
        attempt=attempt,
        outcome="paid on the national portal",
    )
    req.paid_amount += amount
    req.paid_at = paid_at
    req.online_flag = OnlineFlag.NATIONAL
    _refresh_request(req)
    _audit(
        "attempt_succeeded",
        actor,
        attempt,
        {"amount": amount, "provider": NATIONAL_PROVIDER},
        req.collecting_unit,
    )
    return req


# --- refunds -----------------------------------------------------------------------------


def _dossier_refundable(dossier: Any) -> bool:
    return dossier.status in conf.get("MOTCUA_REFUNDABLE_DOSSIER_STATUSES")


def _pending_refunds(qs: Any) -> int:
    return int(qs.filter(status=RefundStatus.REQUESTED).aggregate(s=Sum("amount"))["s"] or 0)


def refund_shares(attempt: PaymentAttempt) -> list[PaymentRequest]:
    """The children of a linked application whose share of a combined payment may go
    back (law.md R40: each child is its own dossier, so only the fees of a child that
    was refused, withdrawn… are refunded, never the whole payment): member requests
    with `refund_room` set, in the children's order. Empty for other payments."""
    if attempt.duplicate or attempt.request.kind != RequestKind.COMBINED:
        return []
    shares = []
    for member in attempt.request.combined_members.select_related(
        "dossier__procedure_version"
    ).order_by("pk"):
        if member.cancelled_at is not None or not _dossier_refundable(member.dossier):
            continue
        pending = _pending_refunds(member.member_refunds.all())
        member.refund_room = member.paid_amount - member.refunded_amount - pending  # type: ignore[attr-defined]
        if member.refund_room > 0:  # type: ignore[attr-defined]
            shares.append(member)
    return shares


def refundable_reason(attempt: PaymentAttempt) -> str:
    """Why money may go back, or "" when the rules do not allow it: a duplicate payment,
    or a dossier that was refused or withdrawn (statuses configurable); for a linked
    application's combined payment, a child in such a status (`refund_shares`)."""
    if attempt.duplicate:
        return "duplicate"
    if attempt.request.kind == RequestKind.COMBINED:
        shares = refund_shares(attempt)
        return str(shares[0].dossier.status) if shares else ""
    status = attempt.request.dossier.status
    if _dossier_refundable(attempt.request.dossier):
        return str(status)
    return ""


def _refund_room(attempt: PaymentAttempt, member: PaymentRequest | None = None) -> int:
    room = attempt.amount - attempt.refunded_amount - _pending_refunds(attempt.refunds.all())
    if member is not None:
        share = next((m for m in refund_shares(attempt) if m.pk == member.pk), None)
        room = min(room, share.refund_room if share is not None else 0)  # type: ignore[attr-defined]
    return room


@transaction.atomic
def refund_request(
    *,
    attempt: PaymentAttempt,
    actor: Any,
    amount: int,
    reason: str,
    member: PaymentRequest | int | None = None,
) -> Refund:
    """A finance officer asks for money back; the collecting unit's leader decides. For
    a linked application's combined payment `member` names the child whose share goes
    back, and at most that share can (law.md R40)."""
    attempt, req = _lock(attempt.pk)
    if not permissions.is_finance(actor, req.collecting_unit_id):
        raise NotAllowed(_("Chỉ cán bộ tài chính của đơn vị thu được đề nghị hoàn tiền."))
    if attempt.status not in state.PAID:
        raise PaymentError(_("Chỉ hoàn được giao dịch đã thu tiền."))
    share: PaymentRequest | None = None
    if req.kind == RequestKind.COMBINED and not attempt.duplicate:
        member_pk = member.pk if isinstance(member, PaymentRequest) else member
        share = next((m for m in refund_shares(attempt) if m.pk == member_pk), None)
        if share is None:
            raise PaymentError(
                _(
                    "Khoản thanh toán gộp của hồ sơ liên thông chỉ hoàn phần phí của hồ sơ "
                    "thành phần đã bị từ chối hoặc rút: vui lòng chọn hồ sơ thành phần."
                )
            )
    elif not refundable_reason(attempt):
        raise PaymentError(
            _("Chưa đủ điều kiện hoàn tiền: hồ sơ chưa bị từ chối hoặc rút, và không thu trùng.")
        )
    if not reason.strip():
        raise PaymentError(_("Vui lòng nhập lý do hoàn tiền."))
    room = _refund_room(attempt, share)
    if amount <= 0 or amount > room:
        raise PaymentError(
            _("Số tiền hoàn phải lớn hơn 0 và không vượt quá %(n)s đồng.")
            % {"n": f"{max(0, room):,}"}
        )
    refund = Refund.objects.create(
        request=req,
        attempt=attempt,
        member=share,
        amount=amount,
        reason=reason,
        requested_by=actor,
    )
    after: dict[str, Any] = {"amount": amount, "reason": reason}
    if share is not None:
        after["member"] = share.reference
    _audit("refund_request", actor, refund, after, req.collecting_unit)
    return refund


@transaction.atomic
def refund_complete(*, refund: Refund, actor: Any) -> Refund:
    """The leader of the collecting unit approves; the provider pays back (the
    counter pays cash back) and totals move once."""
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    attempt, req = _lock(refund.attempt_id)
    if not permissions.can_approve_refund(actor, req.collecting_unit_id):
        raise NotAllowed(_("Chỉ lãnh đạo đơn vị thu được duyệt hoàn tiền."))
    if refund.status != RefundStatus.REQUESTED:
        raise PaymentError(_("Đề nghị hoàn tiền này đã được xử lý."))
    if refund.amount > attempt.amount - attempt.refunded_amount:
        raise PaymentError(_("Số tiền hoàn vượt quá số tiền còn lại của giao dịch."))
    result = get_provider(attempt.provider).refund(attempt, refund.amount, refund.reason)
    message_store(
        provider=attempt.provider,
        direction=Direction.OUTBOUND,
        kind=MessageKind.REFUND,
        raw=result.raw or f"refund {refund.amount}",
        attempt=attempt,
        outcome="ok" if result.ok else f"refused {result.message}",
    )
    if not result.ok:
        raise PaymentError(_("Nhà cung cấp từ chối hoàn tiền: %(m)s") % {"m": result.message})
    now = timezone.now()
    refund.status = RefundStatus.COMPLETED
    refund.decided_by = actor
    refund.decided_at = now
    refund.provider_refund_id = result.provider_refund_id[:64]
    refund.save(update_fields=["status", "decided_by", "decided_at", "provider_refund_id"])
    attempt.refunded_amount += refund.amount
    attempt.status = state.check_move(
        attempt.status, state.refund_status(attempt.amount, attempt.refunded_amount)
    )
    attempt.save(update_fields=["refunded_amount", "status"])
    if not attempt.duplicate:  # duplicates were never counted as paid
        req.refunded_amount += refund.amount
    _refresh_request(req)
    if refund.member_id is not None:  # the child's own fee request shows its refund
        member = PaymentRequest.objects.select_for_update().get(pk=refund.member_id)
        member.refunded_amount += refund.amount
        _refresh_request(member)
    _audit("refund_complete", actor, refund, {"amount": refund.amount}, req.collecting_unit)
    return refund


@transaction.atomic
def refund_reject(*, refund: Refund, actor: Any, note: str) -> Refund:
    refund = Refund.objects.select_for_update().select_related("request").get(pk=refund.pk)
    if not permissions.can_approve_refund(actor, refund.request.collecting_unit_id):
        raise NotAllowed(_("Chỉ lãnh đạo đơn vị thu được duyệt hoàn tiền."))
    if refund.status != RefundStatus.REQUESTED:
        raise PaymentError(_("Đề nghị hoàn tiền này đã được xử lý."))
    refund.status = RefundStatus.REJECTED
    refund.decided_by = actor
    refund.decided_at = timezone.now()
    refund.note = note[:255]
    refund.save(update_fields=["status", "decided_by", "decided_at", "note"])
    _audit("refund_reject", actor, refund, {"note": note}, refund.request.collecting_unit)
    return refund
