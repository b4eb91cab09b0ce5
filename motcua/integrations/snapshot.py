"""Read a dossier (and one of its events) into the plain snapshots of mapping.py."""

from __future__ import annotations

from typing import Any

from motcua.dossiers.constants import NATIONAL_STATUS, DossierStatus
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import supplement_appointments
from motcua.integrations import mapping as m
from motcua.integrations.models import DossierIdentityFlag
from motcua.org.constants import Role

S = DossierStatus
# Dossiers refused or withdrawn before reception never get a code (Decree 61/2018
# Art. 26 allocates it at reception) but KPI 1.4 counts every dossier (§12.1): they are
# synced under a provisional identifier built from the receiving unit's code.
UNCODED_SYNCED = {S.REJECTED_AT_RECEPTION, S.WITHDRAWN}
REFUSAL_STATES = {S.REJECTED_AT_RECEPTION, S.REFUSED}


def sync_code(dossier: Dossier) -> str | None:
    """MaHoSo used for the national portal, or None while the dossier is not synced."""
    if dossier.code:
        return dossier.code
    from motcua.dossiers.codes import national_code

    if code := national_code(dossier):  # filed on the national portal (law.md R22a)
        return code
    if dossier.status in UNCODED_SYNCED:
        return f"{dossier.receiving_unit.code}-K{dossier.pk:07d}"
    return None


def national_status(status: str) -> int | None:
    return NATIONAL_STATUS.get(status)


def _files(dossier: Dossier) -> tuple[m.Attachment, ...]:
    out: list[m.Attachment] = []
    for comp in dossier.components.all():
        code = comp.component.code if comp.component else ""
        files: list[Any] = comp.files if isinstance(comp.files, list) else []
        for i, f in enumerate(files or [{"name": comp.name}]):
            name = str(f.get("name", comp.name)) if isinstance(f, dict) else str(f)
            out.append(
                m.Attachment(
                    id=f"{comp.pk}-{i}",
                    name=name,
                    component_code=code,
                    url=str(f.get("ref", "")) if isinstance(f, dict) else "",
                    digitized=comp.digitized,
                    reused=comp.reused,
                    from_warehouse=comp.from_warehouse,
                )
            )
    return tuple(out)


def _supplements(dossier: Dossier) -> tuple[m.Supplement, ...]:
    """Each supplement with the appointment before and after it (R12, R23)."""
    return tuple(
        m.Supplement(
            id=str(p.pk),
            requested_by="",
            content=p.reason,
            requested_at=p.started_at,
            provided_at=p.ended_at,
            due_before=before,
            due_after=after,
        )
        for p, before, after in supplement_appointments(dossier)
    )


def _results(dossier: Dossier) -> tuple[m.ResultDoc, ...]:
    files = dossier.result_files if isinstance(dossier.result_files, list) else []
    out = []
    for i, f in enumerate(files):
        if isinstance(f, dict):
            out.append(
                m.ResultDoc(
                    id=str(f.get("ref", i)),
                    name=str(f.get("name", dossier.result_number)),
                    url=str(f.get("url", "")),
                    code=dossier.result_number,
                )
            )
    return tuple(out)


# LoaiPhiLePhi: 1 = lệ phí, 2 = phí (codes unconfirmed, see mapping.Fee).
FEE_KIND = {"le_phi": "1", "phi": "2"}


def _fees(dossier: Dossier) -> tuple[tuple[m.Fee, ...], int]:
    """Fee lines of the dossier's fee requests (copied from the catalogue when the
    request was made) and the DuocThanhToanTrucTuyen code of how they were paid."""
    from motcua.payments.constants import RequestKind
    from motcua.payments.models import PaymentRequest, RequestStatus

    requests = list(
        PaymentRequest.objects.filter(dossier=dossier, kind=RequestKind.FEE)
        .exclude(status=RequestStatus.CANCELLED)
        .prefetch_related("lines")
        .order_by("pk")
    )
    fees = tuple(
        m.Fee(
            code=line.code,
            name=line.name,
            amount=int(line.amount),
            kind=FEE_KIND.get(line.kind, "1"),
        )
        for req in requests
        for line in req.lines.all()
    )
    paid = [r.online_flag for r in requests if r.paid_amount > 0 and r.online_flag]
    return fees, max(paid, default=0)


def _refused_at(dossier: Dossier, event: DossierEvent | None) -> Any:
    if dossier.status not in REFUSAL_STATES:
        return None
    if event is not None and event.to_status in REFUSAL_STATES:
        return event.at
    last = (
        DossierEvent.objects.filter(dossier=dossier, to_status__in=list(REFUSAL_STATES))
        .order_by("-at", "-pk")
        .first()
    )
    return last.at if last else None


def dossier_snapshot(dossier: Dossier, event: DossierEvent | None = None) -> m.DossierSnapshot:
    """Current state of the dossier; TrangThaiHoSo follows the event being synced so the
    sequence of statuses sent is the sequence that happened."""
    code = sync_code(dossier)
    if code is None:
        raise ValueError(f"dossier {dossier.pk} is not synced yet")
    status = event.to_status if event is not None and event.to_status else dossier.status
    nat = national_status(status) or national_status(dossier.status) or 1
    version = dossier.procedure_version
    procedure = version.procedure
    applicant = dossier.applicant
    is_org = applicant.kind == "business"
    flag = DossierIdentityFlag.objects.filter(dossier=dossier).first()
    fees, online_payment = _fees(dossier)
    return m.DossierSnapshot(
        ma_ho_so=code,
        ma_tthc=procedure.code,
        ten_tthc=version.name or procedure.name,
        ma_linh_vuc=procedure.field.code,
        ten_linh_vuc=procedure.field.name,
        channel=dossier.channel,
        applicant_name=applicant.full_name,
        applicant_kind="2" if is_org else "1",
        applicant_id=(applicant.tax_code if is_org else applicant.personal_id) or "",
        email=applicant.email,
        phone=applicant.phone or "",
        summary=version.name,
        national_status=nat,
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        completed_at=dossier.completed_at,
        returned_at=dossier.returned_at,
        refused_at=_refused_at(dossier, event),
        processing_unit=dossier.competent_unit.name,
        return_channel=dossier.return_channel,
        note=dossier.status_reason,
        result_info=dossier.result_summary,
        vneid_authenticated=bool(flag and flag.vneid_authenticated),
        paid_online=online_payment > 0,
        online_payment=online_payment,
        fees=fees,
        attachments=_files(dossier),
        supplements=_supplements(dossier),
        results=_results(dossier),
    )


def progress_snapshot(dossier: Dossier, event: DossierEvent) -> m.ProgressSnapshot:
    code = sync_code(dossier)
    if code is None:
        raise ValueError(f"dossier {dossier.pk} is not synced yet")
    status = event.to_status or dossier.status
    actor = event.actor
    step = event.step
    role_label = str(Role(event.actor_role).label) if event.actor_role in Role.values else ""
    content = event.action_label + (f": {event.reason}" if event.reason else "")
    return m.ProgressSnapshot(
        ma_ho_so=code,
        officer_name=(actor.full_name if actor else "") or "Hệ thống",
        officer_title=role_label or ("Người nộp hồ sơ" if event.actor_role else ""),
        at=event.at,
        department=(event.unit.name if event.unit else dossier.receiving_unit.name),
        content=content[:2000],
        national_status=national_status(status) or 1,
        step_started_at=step.started_at if step else None,
        step_due_at=(step.due_at if step else None) or dossier.due_at,
    )
