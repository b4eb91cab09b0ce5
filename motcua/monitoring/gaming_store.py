"""Gaming detectors, database side (law.md R28b): the set-based loader of the rows the
pure rules in gaming.py read (a fixed number of queries whatever the number of
dossiers), the detection run that stores `GamingSignal` rows idempotently, and the
supervisor's decision (confirm / dismiss with a reason, audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.monitoring import gaming
from motcua.monitoring.models import GamingSignal, GamingStatus
from motcua.org.constants import Role
from motcua.org.selectors import user_roles

# Roles that see and decide gaming signals: supervision / inspection only. Unit leaders
# are the subject of some signals, so they do not see them here.
GAMING_ROLES = frozenset({Role.SUPERVISOR})
# Dossiers received this many days before `since` are loaded too, so that a refusal
# early in the period can be paired with a loop that started before it.
LOOKBACK_DAYS = gaming.REFUSE_RESUBMIT_WINDOW_DAYS + 60
_CHUNK = 900  # ids per IN (...) list: under SQLite's 999 variables

# Measured precision per detector on a generated demo history with planted cases
# (`motcua gaming_benchmark`, docs/monitoring.md "Gaming detectors").
MEASURED_PRECISION: dict[str, float] = {
    gaming.REFUSE_LOOP: 0.94,  # 15 of 16: one coincidence in the generated history
    gaming.PAUSE_ONLY: 1.0,
    gaming.DEADLINE_BURST: 1.0,
    gaming.SIGNED_AFTER_RETURN: 1.0,
    gaming.BACKDATED_EVENT: 1.0,
}

KIND_LABELS: dict[str, str] = {
    gaming.REFUSE_LOOP: "Từ chối rồi nộp lại để tính lại thời hạn",
    gaming.PAUSE_ONLY: "Yêu cầu bổ sung chỉ để dừng thời hạn",
    gaming.DEADLINE_BURST: "Kết thúc dồn dập sát giờ hết hạn",
    gaming.SIGNED_AFTER_RETURN: "Kết quả ký sau ngày trả",
    gaming.BACKDATED_EVENT: "Thời điểm ghi trên sự kiện lệch với lúc ghi nhận",
}


def can_see_gaming(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user_roles(user) & GAMING_ROLES)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i : i + _CHUNK])


def gaming_dataset(
    *, since: dt.datetime | None = None, unit_ids: Iterable[int] | None = None
) -> gaming.DataSet:
    """Every row the detectors read for dossiers received from `since` (minus the
    look-back) in `unit_ids` (all units when None): 1 query for the dossiers, and per
    chunk of 900 dossiers one each for events, pauses, audit entries and signatures."""
    from motcua.core.models import AuditEntry
    from motcua.documents.models import IssuedDocument, SignatureRecord
    from motcua.dossiers.models import Dossier, DossierEvent, DossierPause

    qs = Dossier.objects.filter(received_at__isnull=False)
    if since is not None:
        qs = qs.filter(received_at__gte=since - dt.timedelta(days=LOOKBACK_DAYS))
    if unit_ids is not None:
        qs = qs.filter(competent_unit_id__in=list(unit_ids))
    dossiers = [
        gaming.DossierRow(
            id=r["id"],
            code=r["code"] or "",
            unit_id=r["competent_unit_id"],
            unit_code=r["competent_unit__code"] or "",
            assignee=r["assignee__full_name"] or "",
            applicant_id=r["applicant_id"],
            procedure=r["procedure_version__procedure__code"] or "",
            received_at=r["received_at"],
            due_at=r["due_at"],
            original_due_at=r["original_due_at"],
            completed_at=r["completed_at"],
            returned_at=r["returned_at"],
            status=r["status"],
        )
        for r in qs.values(
            "id",
            "code",
            "competent_unit_id",
            "competent_unit__code",
            "assignee__full_name",
            "applicant_id",
            "procedure_version__procedure__code",
            "received_at",
            "due_at",
            "original_due_at",
            "completed_at",
            "returned_at",
            "status",
        ).order_by()
    ]
    ids = [d.id for d in dossiers]
    codes = {d.code: d.id for d in dossiers if d.code}
    events: list[gaming.EventRow] = []
    pauses: list[gaming.PauseRow] = []
    audits: list[gaming.AuditRow] = []
    signatures: list[gaming.SignatureRow] = []
    for chunk in _chunks(ids):
        events += [
            gaming.EventRow(
                dossier_id=r["dossier_id"],
                pk=r["pk"],
                at=r["at"],
                action=r["action"],
                actor=r["actor__full_name"] or "",
            )
            for r in DossierEvent.objects.filter(dossier_id__in=chunk)
            .values("dossier_id", "pk", "at", "action", "actor__full_name")
            .order_by()
        ]
        supplemented = dict(
            Dossier.objects.filter(pk__in=chunk)
            .annotate(n=Count("components", filter=Q(components__supplemented=True)))
            .values_list("pk", "n")
            .order_by()
        )
        pauses += [
            gaming.PauseRow(
                dossier_id=r["dossier_id"],
                kind=r["kind"],
                started_at=r["started_at"],
                ended_at=r["ended_at"],
                supplemented_components=supplemented.get(r["dossier_id"], 0),
            )
            for r in DossierPause.objects.filter(dossier_id__in=chunk)
            .values("dossier_id", "kind", "started_at", "ended_at")
            .order_by()
        ]
        audits += [
            gaming.AuditRow(
                dossier_id=int(r["object_id"]),
                action=r["action"].removeprefix("dossier."),
                occurred_at=r["occurred_at"],
            )
            for r in AuditEntry.objects.filter(
                object_type="dossiers.dossier",
                object_id__in=[str(i) for i in chunk],
                action__startswith="dossier.",
            )
            .values("object_id", "action", "occurred_at")
            .order_by()
        ]
    code_list = list(codes)
    for i in range(0, len(code_list), _CHUNK):
        issued = dict(
            IssuedDocument.objects.filter(
                dossier_code__in=code_list[i : i + _CHUNK], file__isnull=False
            )
            .values_list("file_id", "dossier_code")
            .order_by()
        )
        signatures += [
            gaming.SignatureRow(
                dossier_code=issued[r["file_id"]],
                signed_at=r["signed_at"],
                signer=r["signer__full_name"] or "",
            )
            for r in SignatureRecord.objects.filter(file_id__in=list(issued))
            .values("file_id", "signed_at", "signer__full_name")
            .order_by()
        ]
    return gaming.DataSet(
        dossiers=dossiers, events=events, pauses=pauses, signatures=signatures, audits=audits
    )


@transaction.atomic
def gaming_detect(
    *, since: dt.datetime | None = None, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Run every detector and store the new signals; (found, created). Idempotent: a
    signal already stored (same key) keeps its row and its decision."""
    now = now or timezone.now()
    found = gaming.detect_all(gaming_dataset(since=since))
    existing = set(
        GamingSignal.objects.filter(key__in=[s.key for s in found]).values_list("key", flat=True)
    )
    created = 0
    for s in found:
        if s.key in existing:
            continue
        existing.add(s.key)
        row = GamingSignal.objects.create(
            kind=s.kind,
            key=s.key,
            unit_id=s.unit_id,
            dossier_codes=s.dossier_codes,
            officer=s.officer[:200],
            rule=s.rule[:300],
            evidence=s.evidence,
            detected_at=now,
        )
        row.dossiers.set(s.dossier_ids)
        created += 1
    return len(found), created


def gaming_signals(
    *, kind: str = "", unit_id: int | None = None, status: str = ""
) -> QuerySet[GamingSignal]:
    qs = GamingSignal.objects.select_related("unit", "decided_by")
    if kind:
        qs = qs.filter(kind=kind)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if status:
        qs = qs.filter(status=status)
    return qs


@transaction.atomic
def gaming_signal_decide(
    *, signal: GamingSignal | int, actor: Any, status: str, reason: str
) -> GamingSignal:
    """Confirm or dismiss a signal with a reason (supervisors only, audited). A
    decision may be revised; each one is a new audit entry."""
    from motcua.core.audit import audit_record

    if not can_see_gaming(actor):
        raise PermissionDenied
    if status not in (GamingStatus.CONFIRMED, GamingStatus.DISMISSED):
        raise ValidationError(_("Quyết định không hợp lệ."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Cần ghi lý do xác nhận hoặc bác bỏ."))
    pk = signal.pk if isinstance(signal, GamingSignal) else signal
    row = GamingSignal.objects.select_for_update().get(pk=pk)
    before = {"status": row.status, "reason": row.decision_reason}
    row.status = status
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.decision_reason = reason[:2000]
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(
        action="monitoring.gaming_signal_decide",
        actor=actor,
        obj=row,
        before=before,
        after={"status": status, "reason": row.decision_reason, "kind": row.kind},
        object_repr=row.key,
    )
    return row
