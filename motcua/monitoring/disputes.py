"""Disputes of attributed late dossiers (issue 27 point 5, law.md R28a).

The head of the unit a late dossier is attributed to in a frozen weekly report may
dispute the attribution within `MOTCUA_WEEKLY_DISPUTE_DAYS` working days of the freeze
(default 3: a province rule, not a legal time limit); a supervisor whose scope covers the
unit accepts or rejects it with a reason. Both steps are audited. The frozen report is
never rewritten: the next week's report lists the disputes ("Khiếu nại về quy trách
nhiệm tuần trước")."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.monitoring.models import AttributionDispute, WeeklySnapshot
from motcua.org.constants import Role
from motcua.org.models import OrgUnit

DECIDERS = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def dispute_days() -> int:
    return int(getattr(settings, "MOTCUA_WEEKLY_DISPUTE_DAYS", 3))


def dispute_deadline(snapshot: WeeklySnapshot, unit: OrgUnit) -> dt.datetime:
    """End of the dispute window: N working days (the unit's calendar) after the freeze."""
    from motcua.catalog.constants import TimeUnit
    from motcua.dossiers import deadlines

    return deadlines.add(
        unit, snapshot.frozen_at, deadlines.Span(Decimal(dispute_days()), TimeUnit.WORKING_DAYS)
    )


def late_lines(snapshot: WeeklySnapshot) -> list[dict[str, Any]]:
    return list(json.loads(snapshot.data_json).get("late", []))


def headed_units(user: Any, at: dt.date | None = None) -> list[OrgUnit]:
    """Units of which `user` is head (người đứng đầu) on `at`."""
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    at = at or timezone.localdate()
    if not getattr(user, "is_authenticated", False):
        return []
    ids = StaffAssignment.objects.filter(valid_on(at), user=user, is_head=True).values_list(
        "unit_id", flat=True
    )
    return list(OrgUnit.objects.filter(pk__in=list(ids)))


def can_decide(user: Any, unit: OrgUnit) -> bool:
    from motcua.org.selectors import units_visible_to, user_roles

    if not user_roles(user) & DECIDERS:
        return False
    return units_visible_to(user).filter(pk=unit.pk).exists()


def current_snapshots() -> list[WeeklySnapshot]:
    """The newest version of each week still inside a possible dispute window (the
    window is at most a couple of calendar weeks; older reports are closed)."""
    since = timezone.now() - dt.timedelta(days=dispute_days() * 3 + 14)
    newest: dict[str, WeeklySnapshot] = {}
    for snap in WeeklySnapshot.objects.filter(frozen_at__gte=since).defer("pdf", "xlsx"):
        if snap.week not in newest or snap.version > newest[snap.week].version:
            newest[snap.week] = snap
    return sorted(newest.values(), key=lambda s: s.week, reverse=True)


@dataclass
class Disputable:
    snapshot: WeeklySnapshot
    line: dict[str, Any]
    unit: OrgUnit
    deadline: dt.datetime
    dispute: AttributionDispute | None

    @property
    def open(self) -> bool:
        return self.dispute is None and timezone.now() <= self.deadline


def disputable_for(user: Any) -> list[Disputable]:
    """Late lines of the current frozen reports attributed to units the user heads."""
    units = {u.code: u for u in headed_units(user)}
    if not units:
        return []
    out = []
    for snap in current_snapshots():
        existing = {d.dossier_code: d for d in snap.disputes.all()}
        for line in late_lines(snap):
            unit = units.get(line.get("unit", ""))
            if unit is None:
                continue
            out.append(
                Disputable(
                    snapshot=snap,
                    line=line,
                    unit=unit,
                    deadline=dispute_deadline(snap, unit),
                    dispute=existing.get(line.get("code", "")),
                )
            )
    return out


def dispute_create(
    *, snapshot: WeeklySnapshot, dossier_code: str, reason: str, actor: Any
) -> AttributionDispute:
    """A unit head disputes the attribution of a late dossier to their unit."""
    from motcua.core.audit import audit_record
    from motcua.core.audit import snapshot as audit_snapshot

    reason = (reason or "").strip()
    line = next((ln for ln in late_lines(snapshot) if ln.get("code") == dossier_code), None)
    if line is None:
        raise ValidationError(
            _("Hồ sơ %(code)s không có trong danh sách trễ hạn của báo cáo tuần %(week)s.")
            % {"code": dossier_code, "week": snapshot.week}
        )
    unit = OrgUnit.objects.filter(code=line.get("unit", "")).first()
    if unit is None or unit.pk not in {u.pk for u in headed_units(actor)}:
        raise PermissionDenied(
            _("Chỉ người đứng đầu đơn vị bị quy trách nhiệm mới được khiếu nại hồ sơ này.")
        )
    newest = WeeklySnapshot.objects.filter(week=snapshot.week).order_by("-version").first()
    if newest is not None and newest.pk != snapshot.pk:
        raise ValidationError(
            _("Báo cáo tuần %(week)s đã được lập lại; hãy khiếu nại trên bản mới nhất.")
            % {"week": snapshot.week}
        )
    deadline = dispute_deadline(snapshot, unit)
    if timezone.now() > deadline:
        raise ValidationError(
            _(
                "Đã hết hạn khiếu nại (%(days)s ngày làm việc sau khi chốt báo cáo, "
                "đến %(deadline)s)."
            )
            % {
                "days": dispute_days(),
                "deadline": timezone.localtime(deadline).strftime("%H:%M %d/%m/%Y"),
            }
        )
    if not reason:
        raise ValidationError(_("Vui lòng nêu lý do khiếu nại."))
    try:
        with transaction.atomic():
            dispute = AttributionDispute.objects.create(
                snapshot=snapshot,
                dossier_code=dossier_code,
                unit=unit,
                raised_by=actor,
                reason=reason[:4000],
                deadline=deadline,
            )
            audit_record(
                action="monitoring.attribution_dispute_create",
                actor=actor,
                obj=dispute,
                after=audit_snapshot(dispute),
                unit_code=unit.code,
                role="leader",
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Hồ sơ %(code)s đã được khiếu nại cho báo cáo tuần này.") % {"code": dossier_code}
        ) from exc
    transaction.on_commit(lambda: dispute_notify_deciders(dispute))
    return dispute


def deciders_of(unit: OrgUnit, at: dt.date | None = None) -> list[Any]:
    """The supervisors and administrators who may decide a dispute of `unit` today:
    those assigned to the unit or to one of its ancestors (their scope covers its
    subtree, org.selectors.units_visible_to)."""
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    ancestors = [int(p) for p in unit.path.strip("/").split("/") if p]
    rows = (
        StaffAssignment.objects.filter(
            valid_on(at or timezone.localdate()), role__in=DECIDERS, unit_id__in=ancestors
        )
        .select_related("user")
        .order_by("user_id")
    )
    users: dict[int, Any] = {}
    for a in rows:
        users.setdefault(a.user_id, a.user)
    return list(users.values())


def dispute_notify_deciders(dispute: AttributionDispute) -> int:
    """Tell the supervisors who may decide that a unit disputes an attribution (once
    per dispute and person); returns how many were told."""
    from django.urls import reverse

    from motcua.notifications.services import notify

    sent = 0
    for user in deciders_of(dispute.unit):
        n = notify(
            recipient=user,
            event="attribution_dispute_filed",
            context={
                "unit": dispute.unit.name,
                "code": dispute.dossier_code,
                "week": dispute.snapshot.week,
                "reason": dispute.reason,
                "raised_by": dispute.raised_by.full_name if dispute.raised_by else "",
            },
            url=reverse("monitoring:disputes"),
            dedup_key=f"dispute:{dispute.pk}:{user.pk}",
        )
        sent += n is not None
    return sent


def dispute_decide(*, dispute_id: int, accept: bool, reason: str, actor: Any) -> AttributionDispute:
    """The supervisor accepts or rejects a pending dispute, with a reason."""
    from motcua.core.audit import audit_record
    from motcua.core.audit import snapshot as audit_snapshot

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Vui lòng nêu lý do quyết định."))
    with transaction.atomic():
        dispute = (
            AttributionDispute.objects.select_for_update()
            .select_related("unit")
            .filter(pk=dispute_id)
            .first()
        )
        if dispute is None:
            raise AttributionDispute.DoesNotExist
        if not can_decide(actor, dispute.unit):
            raise PermissionDenied(_("Chỉ cán bộ giám sát phụ trách đơn vị mới được quyết định."))
        if dispute.status != AttributionDispute.Status.PENDING:
            raise ValidationError(_("Khiếu nại này đã được quyết định."))
        before = audit_snapshot(dispute)
        dispute.status = (
            AttributionDispute.Status.ACCEPTED if accept else AttributionDispute.Status.REJECTED
        )
        dispute.decided_by = actor
        dispute.decided_at = timezone.now()
        dispute.decision_reason = reason[:4000]
        dispute.save(
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
        )
        audit_record(
            action="monitoring.attribution_dispute_decide",
            actor=actor,
            obj=dispute,
            before=before,
            after=audit_snapshot(dispute),
            unit_code=dispute.unit.code,
            role="supervisor",
        )
    return dispute


# --- the next week's report -----------------------------------------------------------


@dataclass
class DisputeLine:
    week: str
    code: str
    unit: str
    raised_by: str
    reason: str
    status: str
    status_label: str
    decided_by: str
    decided_at: dt.datetime | None
    decision_reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "code": self.code,
            "unit": self.unit,
            "raised_by": self.raised_by,
            "reason": self.reason,
            "status": self.status,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.astimezone(dt.UTC).isoformat()
            if self.decided_at
            else None,
            "decision_reason": self.decision_reason,
        }


def disputes_for_report(week_start: dt.date, cutoff: dt.datetime) -> list[DisputeLine]:
    """For the report of the week starting `week_start`: the disputes about the previous
    week's report (whatever their state at the cut-off) and those about older reports
    decided since this week began. A decision after the cut-off shows as pending."""
    from django.db.models import Q

    from motcua.monitoring.reports import week_of

    previous = week_of(week_start - dt.timedelta(days=7))
    tz = timezone.get_current_timezone()
    # decisions since the previous report's cut-off (its newest freeze, at the latest
    # the end of its week), so one made after that report is not lost
    start = dt.datetime.combine(week_start, dt.time.min, tzinfo=tz)
    last = (
        WeeklySnapshot.objects.filter(week=previous)
        .order_by("-version")
        .values_list("frozen_at", flat=True)
        .first()
    )
    since = min(last, start) if last is not None else start
    rows = (
        AttributionDispute.objects.filter(created_at__lte=cutoff)
        .filter(Q(snapshot__week=previous) | Q(decided_at__gt=since, decided_at__lte=cutoff))
        .select_related("snapshot", "unit", "raised_by", "decided_by")
        .defer("snapshot__pdf", "snapshot__xlsx", "snapshot__data_json")
        .order_by("snapshot__week", "unit__code", "dossier_code")
    )
    labels = dict(AttributionDispute.Status.choices)
    out = []
    for d in rows:
        decided = d.decided_at is not None and d.decided_at <= cutoff
        status = d.status if decided else AttributionDispute.Status.PENDING
        out.append(
            DisputeLine(
                week=d.snapshot.week,
                code=d.dossier_code,
                unit=d.unit.name,
                raised_by=d.raised_by.full_name,
                reason=d.reason,
                status=status,
                status_label=str(labels[status]),
                decided_by=d.decided_by.full_name if decided and d.decided_by else "",
                decided_at=d.decided_at if decided else None,
                decision_reason=d.decision_reason if decided else "",
            )
        )
    return out
