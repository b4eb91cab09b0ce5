"""Periodic notifications: officers are reminded before a step's deadline; heads of
units get a daily digest of their unit's dossiers. Both are idempotent (dedup keys),
so the scheduler may run them late or twice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.constants import DossierStatus, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.notifications.messages import ascii_fold
from motcua.notifications.receivers import dossier_context
from motcua.notifications.services import notify, preference_for
from motcua.org.constants import Role
from motcua.org.models import StaffAssignment
from motcua.org.selectors import valid_on

S = DossierStatus
RUNNING = [S.RECEIVED, S.IN_PROCESS, S.IN_CONSULTATION, S.AWAITING_APPROVAL, S.APPROVED]
PAUSED = [S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED]


def remind_step_deadlines(*, now: dt.datetime | None = None) -> int:
    """One reminder per active step whose deadline falls within the next
    MOTCUA_REMIND_BEFORE_HOURS (default 24) hours, to the officer doing it."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=int(getattr(settings, "MOTCUA_REMIND_BEFORE_HOURS", 24)))
    steps = (
        DossierStep.objects.filter(
            status=StepStatus.ACTIVE,
            due_at__gt=now,
            due_at__lte=horizon,
            dossier__status__in=RUNNING,
        )
        .select_related(
            "assignee",
            "dossier__assignee",
            "dossier__procedure_version",
            "dossier__receiving_unit",
        )
        .order_by("due_at")
    )
    sent = 0
    for step in steps:
        d = step.dossier
        officer = step.assignee or d.assignee
        if officer is None or step.due_at is None:
            continue
        ctx = {
            **dossier_context(d),
            "step": step.name,
            "step_ascii": ascii_fold(step.name)[:40],
            "step_due_at": step.due_at,
        }
        n = notify(
            recipient=officer,
            event="step_due_soon",
            context=ctx,
            dossier=d,
            url=reverse("dossiers:detail", args=[d.pk]),
            dedup_key=f"remind:{step.pk}:{officer.pk}:{step.due_at:%Y%m%d%H%M}",
            now=now,
        )
        sent += n is not None
    return sent


def notify_late_consultations(*, now: dt.datetime | None = None) -> int:
    """A consulted body still silent at its answer deadline is reported, once per body
    and deadline, to the heads of the dossier's one-stop (receiving) unit (Decree
    61/2018 Art. 19(5); Decree 118/2025 Art. 19(4); law.md R16a)."""
    from motcua.dossiers.selectors import consultation_bodies

    now = now or timezone.now()
    today = timezone.localdate(now)
    dossiers = Dossier.objects.filter(status=S.IN_CONSULTATION).select_related(
        "procedure_version", "receiving_unit"
    )
    sent = 0
    for d in dossiers:
        late = [
            (b, b.answer_by)
            for b in consultation_bodies(d)
            if b.answer_by is not None and b.answer_by < now
        ]
        if not late:
            continue
        heads = StaffAssignment.objects.filter(
            valid_on(today), is_head=True, role=Role.LEADER, unit_id=d.receiving_unit_id
        ).select_related("user")
        for body, answer_by in late:
            ctx = {
                **dossier_context(d),
                "body": body.unit.name,
                "body_ascii": ascii_fold(body.unit.name)[:40],
                "answer_by": answer_by,
            }
            for head in heads:
                n = notify(
                    recipient=head.user,
                    event="consultation_late",
                    context=ctx,
                    dossier=d,
                    url=reverse("dossiers:detail", args=[d.pk]),
                    dedup_key=(
                        f"consult-late:{d.pk}:{body.unit.pk}:{head.user_id}:{answer_by:%Y%m%d%H%M}"
                    ),
                    now=now,
                )
                sent += n is not None
    return sent


def unit_digest(unit_id: int, now: dt.datetime) -> dict[str, object]:
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    y0 = dt.datetime.combine(today - dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    y1 = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    mine = Dossier.objects.filter(Q(competent_unit_id=unit_id) | Q(receiving_unit_id=unit_id))
    open_ = mine.filter(status__in=RUNNING + PAUSED)
    overdue = open_.filter(status__in=RUNNING, due_at__lt=now)
    return {
        "open": open_.count(),
        "due_soon": open_.filter(
            status__in=RUNNING, due_at__gte=now, due_at__lt=now + dt.timedelta(days=2)
        ).count(),
        "overdue": overdue.count(),
        "overdue_codes": list(overdue.order_by("due_at").values_list("code", flat=True)[:20]),
        "received_yesterday": mine.filter(received_at__gte=y0, received_at__lt=y1).count(),
        "resolved_yesterday": mine.filter(completed_at__gte=y0, completed_at__lt=y1).count(),
    }


def leader_daily_digest(*, now: dt.datetime | None = None) -> int:
    """One digest a day to each head of unit (leader) who has not opted out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    heads = StaffAssignment.objects.filter(
        valid_on(today), is_head=True, role=Role.LEADER
    ).select_related("user", "unit")
    sent = 0
    for a in heads:
        if not preference_for(a.user).daily_digest:
            continue
        ctx = {"unit": a.unit.name, "day": today, **unit_digest(a.unit_id, now)}
        n = notify(
            recipient=a.user,
            event="leader_digest",
            context=ctx,
            url=reverse("dossiers:worklist"),
            dedup_key=f"digest:{a.user_id}:{a.unit_id}:{today:%Y%m%d}",
            now=now,
        )
        sent += n is not None
    return sent
