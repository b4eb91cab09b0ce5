"""Stop-the-clock from delivery (issue 26 point 3, law.md R12c).

Decree 61/2018 Art. 19(4) and Decree 118/2025 Art. 19(5) send the supplement request to
the applicant on Form 02 ("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ") through the
one-stop unit; neither says at which moment the waiting starts. Our reading (R12c): the
applicant cannot act on a notice they have not received, so the clock pauses at the
first evidence that the notice reached them — the SMS provider's delivery report, the
applicant opening the dossier page that shows the request, the applicant's reply, or the
receptionist's phone call — and keeps running until then. Every moment is server time.
A notice with no evidence after MOTCUA_SUPPLEMENT_DELIVERY_ESCALATE_HOURS (default 24)
is escalated to the receptionists of the receiving unit, who phone the applicant."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.dossiers.constants import DossierStatus, PauseKind
from motcua.dossiers.errors import InvalidDossierData
from motcua.dossiers.models import Dossier, DossierPause, SupplementNotice

logger = logging.getLogger(__name__)

Evidence = SupplementNotice.Evidence


def escalate_after() -> dt.timedelta:
    hours = float(getattr(settings, "MOTCUA_SUPPLEMENT_DELIVERY_ESCALATE_HOURS", 24))
    return dt.timedelta(hours=hours)


def supplement_notice_open(d: Dossier) -> SupplementNotice | None:
    """The dossier's supplement notice not delivered yet (at most one is open)."""
    return d.supplement_notices.filter(delivered_at__isnull=True).order_by("-pk").first()


def supplement_notice_write(*, dossier: Dossier, reason: str, now: dt.datetime) -> Any:
    """Called inside the request's transaction: the notice is written, the clock keeps
    running until it is delivered (R12c)."""
    notice = SupplementNotice.objects.create(dossier=dossier, written_at=now)
    audit_record(
        action="supplement_notice.write",
        obj=notice,
        after={"dossier": dossier.pk, "written_at": now.isoformat()},
    )
    return notice


@transaction.atomic
def supplement_notice_delivered(
    *,
    dossier: Dossier | int,
    channel: str,
    evidence: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> SupplementNotice | None:
    """Record the first delivery evidence of the open supplement notice and start the
    pause at that moment (server time). Later evidence changes nothing; returns the
    notice delivered now, or None when nothing was waiting for delivery."""
    now = now or timezone.now()
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    notice = (
        SupplementNotice.objects.select_for_update()
        .filter(dossier_id=pk, delivered_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    if notice is None:
        return None
    if channel not in Evidence.values:
        raise InvalidDossierData(_("Bằng chứng đã nhận thông báo không hợp lệ."))
    start = max(now, notice.written_at)
    notice.delivered_at = start
    notice.channel = channel
    notice.evidence = (evidence or "")[:200]
    notice.delivered_by = actor if getattr(actor, "is_authenticated", False) else None
    status = Dossier.objects.filter(pk=pk).values_list("status", flat=True).first()
    if status == DossierStatus.SUPPLEMENT_REQUESTED or channel == Evidence.REPLY:
        notice.pause = DossierPause.objects.create(
            dossier_id=pk,
            kind=PauseKind.SUPPLEMENT,
            started_at=start,
            written_at=notice.written_at,
            delivery_channel=channel,
            reason=Dossier.objects.filter(pk=pk).values_list("status_reason", flat=True)[0],
        )
    notice.save(update_fields=["delivered_at", "channel", "evidence", "delivered_by", "pause"])
    # Monitoring reads the pauses (law.md R12c): refresh this dossier's contribution.
    transaction.on_commit(functools.partial(_refresh_monitoring, pk))
    audit_record(
        action="supplement_notice.delivered",
        actor=notice.delivered_by,
        obj=notice,
        after={
            "dossier": pk,
            "written_at": notice.written_at.isoformat(),
            "delivered_at": start.isoformat(),
            "channel": channel,
            "evidence": notice.evidence,
        },
    )
    return notice


def supplement_notice_phoned(*, dossier: Dossier, actor: Any, note: str = "") -> SupplementNotice:
    """The receptionist phoned the applicant, who has received the notice (R12c)."""
    from motcua.dossiers.permissions import roles_in_units
    from motcua.org.constants import Role

    if Role.RECEPTIONIST not in roles_in_units(actor).get(dossier.receiving_unit_id, set()):
        raise InvalidDossierData(
            _("Chỉ cán bộ tiếp nhận của bộ phận một cửa ghi nhận cuộc gọi cho người nộp.")
        )
    evidence = f"{actor.get_username()}: {note.strip()}"[:200]
    notice = supplement_notice_delivered(
        dossier=dossier, channel=Evidence.PHONE, evidence=evidence, actor=actor
    )
    if notice is None:
        raise InvalidDossierData(_("Không có thông báo bổ sung nào đang chờ người nộp nhận."))
    return notice


def supplement_notice_viewed(*, dossier: Dossier, user: Any) -> None:
    """The applicant opened the dossier page that shows the request (R12c)."""
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED or dossier.applicant_id != getattr(
        user, "pk", None
    ):
        return
    if not dossier.supplement_notices.filter(delivered_at__isnull=True).exists():
        return
    supplement_notice_delivered(
        dossier=dossier, channel=Evidence.PORTAL, evidence=f"user:{user.pk}", actor=user
    )


def supplement_notices_escalate(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The scheduler's sweep: notices without delivery evidence after the configured
    hours go to the receptionists of the receiving unit, to phone the applicant."""
    from motcua.notifications.receivers import dossier_context

    now = now or timezone.now()
    due = list(
        SupplementNotice.objects.filter(
            delivered_at__isnull=True,
            escalated_at__isnull=True,
            written_at__lte=now - escalate_after(),
            dossier__status=DossierStatus.SUPPLEMENT_REQUESTED,
        ).order_by("pk")[:limit]
    )
    done = 0
    for notice in due:
        with transaction.atomic():
            claimed = SupplementNotice.objects.filter(
                pk=notice.pk, escalated_at__isnull=True, delivered_at__isnull=True
            ).update(escalated_at=now)
            if not claimed:
                continue
            audit_record(
                action="supplement_notice.escalate",
                obj=notice,
                after={"dossier": notice.dossier_id, "escalated_at": now.isoformat()},
            )
            d = Dossier.objects.select_related("procedure_version", "receiving_unit").get(
                pk=notice.dossier_id
            )
            ctx = {**dossier_context(d), "written_at": notice.written_at}
            transaction.on_commit(functools.partial(_tell_receptionists, d, ctx, notice.pk))
            done += 1
    return done


def _tell_receptionists(d: Dossier, ctx: dict[str, Any], notice_pk: int) -> None:
    from motcua.notifications.receivers import notify_role

    notify_role(
        d,
        d.receiving_unit_id,
        "receptionist",
        "supplement_undelivered",
        ctx,
        f"undelivered:{notice_pk}",
    )


def _refresh_monitoring(dossier_id: int) -> None:
    try:
        from motcua.monitoring.tasks import refresh_dossier_contribution

        refresh_dossier_contribution.enqueue(dossier_id=dossier_id)
    except Exception:  # the queue is down: monitoring_rebuild repairs the aggregates
        logger.warning("monitoring refresh of dossier %s not queued", dossier_id)
