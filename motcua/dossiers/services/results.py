"""End of processing: result issued and returned, refusal, withdrawal, extension
with apology (Decree 61/2018 Art. 19(8)–(9), Art. 20)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.catalog.constants import TimeUnit
from motcua.dossiers import deadlines
from motcua.dossiers.constants import (
    DelayReasonKind,
    ReturnChannel,
)
from motcua.dossiers.errors import (
    DossierError,
    ExtensionRefused,
    InvalidDossierData,
)
from motcua.dossiers.models import (
    Dossier,
)
from motcua.dossiers.services import _pipeline as p
from motcua.dossiers.services._steps import (
    _complete_step,
)
from motcua.org.constants import Role


def dossier_issue_result(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    result_number: str,
    result_summary: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """The clerical officer numbers and issues the result: end of processing (status 9).
    The result signed by the leader receives the agency seal (Decree 30/2020 Art. 8:
    the clerk numbers the document and signs with the agency's credential), is linked
    to the dossier (`result_files`, sent to the national portal) and pushed to the
    applicant's e-data warehouse."""
    from motcua.documents.constants import SignerRole
    from motcua.dossiers.services.e_result import (
        REQUIRED_SIGNATURES,
        require_signatures,
        result_file_entry,
        result_sign,
    )

    number = (result_number or "").strip()
    with transaction.atomic():
        d = p._begin(dossier, actor, "issue_result", expected_version, now).dossier
    if not number:
        raise InvalidDossierData(_("Vui lòng nhập số, ký hiệu văn bản kết quả."))
    require_signatures(d, (SignerRole.LEADER,))
    result_sign(
        dossier=d,
        actor=actor,
        role=SignerRole.AGENCY,
        reason=_("Ban hành văn bản số %(number)s") % {"number": number},
        stamp_note=_("Số: %(number)s") % {"number": number},
    )
    with transaction.atomic():
        act = p._begin(dossier, actor, "issue_result", expected_version, now)
        issued = require_signatures(act.dossier, REQUIRED_SIGNATURES)
        p._write(
            act,
            completed_at=act.now,
            result_number=number,
            result_summary=result_summary,
            result_files=[result_file_entry(issued)],
        )
        step = _complete_step(act.dossier, Role.CLERK, actor, act.now)
        p._record(act, payload={"result_number": number, "result_code": issued.code}, step=step)
    return act.dossier


@transaction.atomic
def dossier_return_result(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    channel: str,
    collected_by: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """Deliver the result (Decree 61/2018 Art. 20; R18): counter, post, online, warehouse.
    Only a result carrying the required signatures is returned."""
    from motcua.dossiers.services.e_result import REQUIRED_SIGNATURES, require_signatures

    act = p._begin(dossier, actor, "return_result", expected_version, now)
    if channel not in ReturnChannel.values:
        raise InvalidDossierData(_("Hình thức trả kết quả không hợp lệ."))
    if channel == ReturnChannel.COUNTER and not collected_by.strip():
        raise InvalidDossierData(_("Vui lòng ghi tên người nhận kết quả tại quầy."))
    require_signatures(act.dossier, REQUIRED_SIGNATURES)
    from motcua.dossiers.services.linked import child_result_held

    if child_result_held(act.dossier):
        # Decree 63/2024 (law.md R40): the linked results go back together.
        raise InvalidDossierData(
            _(
                "Hồ sơ thuộc hồ sơ liên thông trả kết quả cùng lúc: chờ các hồ sơ thành phần "
                "khác giải quyết xong."
            )
        )
    p._write(act, returned_at=act.now, return_channel=channel, result_collected_by=collected_by)
    step = _complete_step(act.dossier, Role.RECEPTIONIST, actor, act.now)
    p._record(act, payload={"channel": channel, "collected_by": collected_by}, step=step)
    return act.dossier


@transaction.atomic
def dossier_refuse_after_appraisal(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Refusal with written reasons (Decree 61/2018 Art. 19(8)); it must come within the
    deadline — a late refusal is recorded with a warning."""
    act = p._begin(dossier, actor, "refuse_after_appraisal", expected_version, now, reason)
    d = act.dossier
    if d.due_at is not None and act.now > d.due_at:
        act.warnings.append(_("Từ chối giải quyết sau thời hạn giải quyết."))
    p._write(act, completed_at=act.now, status_reason=reason)
    p._record(act, reason=reason)
    return d


@transaction.atomic
def dossier_withdraw(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Withdrawal at the applicant's request (national status 7); the clock stops."""
    act = p._begin(dossier, actor, "withdraw", expected_version, now, reason)
    p._write(act, completed_at=act.now, status_reason=reason)
    act.dossier.pauses.filter(ended_at__isnull=True).update(ended_at=act.now)
    p._record(act, reason=reason)
    return act.dossier


@transaction.atomic
def dossier_extend_with_apology(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    new_due_at: dt.datetime,
    reason: str,
    reason_kind: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Form 04 (Decree 61/2018 Art. 19(9); R14): once only, at least 1 working day before
    the deadline, with reason (subjective/objective) and new appointment. KPIs keep
    `original_due_at`/`due_before_extension` for the "late" statistics."""
    act = p._begin(dossier, actor, "extend_with_apology", expected_version, now, reason)
    d = act.dossier
    if reason_kind not in DelayReasonKind.values:
        raise InvalidDossierData(_("Vui lòng chọn loại lý do chậm (chủ quan / khách quan)."))
    if d.extended_at is not None:
        raise ExtensionRefused(
            _("Hồ sơ đã được hẹn lại ngày trả kết quả một lần; không thể gia hạn lần nữa.")
        )
    if d.due_at is None:
        raise ExtensionRefused(_("Hồ sơ chưa có hạn giải quyết."))
    try:
        new_due = deadlines.check_extension(
            d.receiving_unit,
            original_due=d.due_at,
            new_due=new_due_at,
            requested_at=act.now,
            already_extended=False,
        )
    except deadlines.ExtensionError as exc:
        raise ExtensionRefused(str(exc)) from exc
    previous = d.due_at
    p._write(
        act,
        extended_at=act.now,
        due_before_extension=previous,
        due_at=new_due,
        extension_reason=reason,
        extension_reason_kind=reason_kind,
    )
    p._record(
        act,
        reason=reason,
        payload={"previous_due_at": previous, "new_due_at": new_due, "reason_kind": reason_kind},
    )
    return d


def dossier_correct_result(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    result_file: Any = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Correct or replace an issued result (law.md R19): a new result, generated again
    from the template or uploaded (`result_file`), is signed by the leader and sealed
    with the agency credential (AGENCY_ROLES include the leader); the old one is kept,
    revoked with the reason and linked from the new one. The dossier's result link and
    the national sync follow the new one; the state does not change."""
    from motcua.documents.services.issued import issued_document_replace
    from motcua.dossiers.services.e_result import (
        REQUIRED_SIGNATURES,
        require_signatures,
        result_document_generate,
        result_document_of,
        result_document_upload,
        result_file_entry,
        result_sign,
    )

    with transaction.atomic():
        d = p._begin(dossier, actor, "correct_result", expected_version, now, reason).dossier
    old = result_document_of(d)
    if result_file is not None:
        new = result_document_upload(dossier=d, actor=actor, upload=result_file)
    else:
        new = result_document_generate(dossier=d, actor=actor)
        if old is not None:
            issued_document_replace(old=old, new=new, actor=actor, reason=reason)
    for role in REQUIRED_SIGNATURES:
        result_sign(
            dossier=d,
            actor=actor,
            role=role,
            reason=_("Đính chính, thay thế kết quả: %(reason)s") % {"reason": reason[:200]},
        )
    with transaction.atomic():
        act = p._begin(dossier, actor, "correct_result", expected_version, now, reason)
        issued = require_signatures(act.dossier, REQUIRED_SIGNATURES)
        payload: dict[str, Any] = {
            "result_code": issued.code,
            "replaces": old.code if old else "",
            **_correction_outcome(act.dossier, act.now),
        }
        p._write(
            act,
            result_files=[result_file_entry(issued)],
            correction_requested_at=None,
            correction_due_at=None,
        )
        p._record(act, reason=reason, payload=payload)
    return act.dossier


def correction_due(d: Dossier, start: dt.datetime) -> dt.datetime | None:
    """When a result correction asked at `start` is due back (Decree 118/2025 Art.
    23(1), law.md R19a): N working days on the competent authority's calendar; None
    under a rule set without the limit (Decree 61/2018 sets none)."""
    days = d.rules.correction_working_days
    if days is None:
        return None
    span = deadlines.Span(Decimal(days), TimeUnit.WORKING_DAYS)
    return deadlines.add(d.competent_unit, start, span)


def _correction_outcome(d: Dossier, now: dt.datetime) -> dict[str, Any]:
    """What the event closing an open correction request records: when it was asked,
    when it was due and whether the answer came late."""
    if d.correction_requested_at is None:
        return {}
    due = d.correction_due_at
    return {
        "correction_requested_at": d.correction_requested_at,
        "correction_due_at": due,
        "correction_late": bool(due is not None and now > due),
    }


@transaction.atomic
def dossier_request_correction(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """The applicant reports an error in the issued result (Decree 118/2025 Art. 23(1),
    law.md R19a); the competent authority must correct it and have the corrected
    result back within the rule set's working days. One open request at a time."""
    act = p._begin(dossier, actor, "request_correction", expected_version, now, reason)
    d = act.dossier
    if d.correction_requested_at is not None:
        raise DossierError(
            _("Đề nghị đính chính trước đó đang được xử lý (hạn %(moment)s).")
            % {"moment": deadlines.format_moment(d.correction_due_at) or "—"}
        )
    if not d.result_files:
        raise DossierError(_("Hồ sơ chưa có kết quả điện tử để đính chính."))
    due = correction_due(d, act.now)
    p._write(act, correction_requested_at=act.now, correction_due_at=due)
    p._record(act, reason=reason, payload={"due_at": due, "basis": "Điều 23 khoản 1 NĐ 118/2025"})
    return d


@transaction.atomic
def dossier_decline_correction(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """The competent authority answers that the result holds no error, with reasons
    (law.md R19a); the request is closed and the applicant told."""
    act = p._begin(dossier, actor, "decline_correction", expected_version, now, reason)
    d = act.dossier
    if d.correction_requested_at is None:
        raise DossierError(_("Không có đề nghị đính chính nào đang chờ trả lời."))
    payload = _correction_outcome(d, act.now)
    p._write(act, correction_requested_at=None, correction_due_at=None)
    p._record(act, reason=reason, payload=payload)
    return d
