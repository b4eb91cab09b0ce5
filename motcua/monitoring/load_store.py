"""Load forecast of a unit (selector, a fixed number of queries) and applying one of its
suggestions (service, through the head's `assign`: audited, notified). The rules are
in monitoring/load.py; docs/monitoring.md "Load forecast and rebalancing"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core.audit import audit_record
from motcua.dossiers import deadlines
from motcua.dossiers.constants import DossierStatus, StepStatus
from motcua.dossiers.errors import ConcurrentModification, DossierError
from motcua.dossiers.models import Dossier, DossierStep
from motcua.monitoring import load as rules
from motcua.org.constants import Role
from motcua.org.models import Absence, Delegation, OrgUnit, StaffAssignment
from motcua.org.selectors import units_visible_to, user_roles, valid_on
from motcua.org.services import is_unit_head

S = DossierStatus

# Steps of these dossiers are worked on now; a dossier waiting for the applicant (a
# supplement or a payment) has its clock stopped and its steps re-planned on return.
OPEN_STATUSES = (S.RECEIVED, S.IN_PROCESS, S.IN_CONSULTATION, S.AWAITING_APPROVAL, S.APPROVED)
# Where the head's `assign` (Decree 61/2018 Art. 19(1)) may move a specialist's steps.
ASSIGNABLE = (S.RECEIVED, S.IN_PROCESS)
WORKING_ROLES = (Role.RECEPTIONIST, Role.SPECIALIST, Role.LEADER, Role.CLERK)


class StaleSuggestion(DossierError):
    default_message = gettext_lazy(
        "Đề xuất này không còn phù hợp: bước xử lý đã được phân công lại, đã hoàn thành "
        "hoặc hồ sơ đã thay đổi. Trang đã được cập nhật theo tình hình mới."
    )
    code = "stale_suggestion"


@dataclass
class UnitLoad:
    unit: OrgUnit
    today: dt.date
    forecast: rules.Forecast
    officers: dict[int, rules.Officer]
    steps: dict[int, rules.Step]

    def row_list(self) -> list[tuple[rules.Officer | None, list[rules.Cell]]]:
        out: list[tuple[rules.Officer | None, list[rules.Cell]]] = [
            (self.officers[o], self.forecast.rows[o])
            for o in sorted(self.officers, key=lambda k: (self.officers[k].name, k))
        ]
        if None in self.forecast.rows:
            out.append((None, self.forecast.rows[None]))
        return out


def horizon(unit: OrgUnit, today: dt.date, n: int = rules.HORIZON) -> list[dt.date]:
    """The next `n` working days of the unit's calendar, today included if worked."""
    cal = deadlines.calendar_for(unit)
    first = today if cal.is_working_day(today) else cal.next_working_day(today)
    return [first] + [cal.next_working_day(first, k) for k in range(1, n)]


def _pace_window(unit: OrgUnit, today: dt.date) -> tuple[dt.date, int]:
    """The first day of the pace window and its number of working days (L2)."""
    cal = deadlines.calendar_for(unit)
    start = today - dt.timedelta(days=rules.PACE_WINDOW * 7 // 5 + 1)
    worked = cal.working_days_between(start, today - dt.timedelta(days=1))
    return start, max(worked, 1)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def unit_load(unit: OrgUnit, today: dt.date | None = None) -> UnitLoad:
    """The unit's forecast over the next ten working days, in five queries (plus the
    calendar's, cached): staff, absences, delegations, open steps, recent pace."""
    today = today or timezone.localdate()
    days = horizon(unit, today)
    first, last = days[0], days[-1]
    assignments = list(
        StaffAssignment.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=first),
            unit=unit,
            role__in=WORKING_ROLES,
            valid_from__lte=last,
        ).select_related("user")
    )
    roles: dict[int, set[str]] = {}
    on_staff: dict[int, set[dt.date]] = {}
    names: dict[int, str] = {}
    for a in assignments:
        roles.setdefault(a.user_id, set()).add(a.role)
        names[a.user_id] = str(a.user)
        worked = on_staff.setdefault(a.user_id, set())
        worked.update(
            d for d in days if a.valid_from <= d and (a.valid_to is None or d <= a.valid_to)
        )
    ids = list(roles)
    away: dict[int, set[dt.date]] = {u: set(days) - on_staff[u] for u in ids}
    for ab in Absence.objects.filter(
        unit=unit,
        user_id__in=ids,
        revoked_at__isnull=True,
        valid_from__lte=last,
        valid_to__gte=first,
    ):
        away[ab.user_id].update(d for d in days if ab.valid_from <= d <= ab.valid_to)
    delegations = [
        rules.Delegation(dg.delegator_id, dg.delegate_id, dg.valid_from, dg.valid_to)
        for dg in Delegation.objects.filter(
            unit=unit, revoked_at__isnull=True, valid_from__lte=last, valid_to__gte=first
        )
    ]
    window_start, window_days = _pace_window(unit, today)
    done = dict(
        DossierStep.objects.filter(
            unit=unit,
            status=StepStatus.DONE,
            assignee_id__in=ids,
            completed_at__gte=_day_start(window_start),
            completed_at__lt=_day_start(today),
        )
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    officers = {
        u: rules.Officer(
            id=u,
            name=names[u],
            roles=frozenset(roles[u]),
            pace=max(rules.MIN_PACE, done.get(u, 0) / window_days),
            away=frozenset(away[u]),
        )
        for u in ids
    }
    rows = (
        DossierStep.objects.filter(
            unit=unit,
            status__in=(StepStatus.ACTIVE, StepStatus.PENDING),
            dossier__status__in=OPEN_STATUSES,
            due_at__isnull=False,
            due_at__lt=_day_start(last + dt.timedelta(days=1)),
        )
        .select_related("dossier")
        .only(
            "id",
            "name",
            "role",
            "assignee_id",
            "due_at",
            "dossier__id",
            "dossier__code",
            "dossier__version",
            "dossier__status",
            "dossier__assignee_id",
        )
        .order_by("due_at", "pk")
    )
    steps = {}
    for s in rows:
        d = s.dossier
        officer = s.assignee_id
        if officer is None and s.role == Role.SPECIALIST:
            officer = d.assignee_id
        steps[s.pk] = rules.Step(
            id=s.pk,
            dossier_id=d.pk,
            dossier_code=d.code or f"#{d.pk}",
            version=d.version,
            name=s.name,
            role=s.role,
            officer=officer,
            due=timezone.localtime(s.due_at).date(),  # type: ignore[arg-type]
            reassignable=s.role == Role.SPECIALIST and d.status in ASSIGNABLE,
        )
    result = rules.forecast(days, officers.values(), steps.values(), delegations)
    return UnitLoad(unit, today, result, officers, steps)


# --- who sees and who applies ------------------------------------------------------------


def load_units(user: Any) -> QuerySet[OrgUnit]:
    """Units whose load `user` may see: those they lead (head or deputy), and for
    supervisors the units they supervise that have officers processing dossiers."""
    if not getattr(user, "is_officer", False):
        return OrgUnit.objects.none()
    today = timezone.localdate()
    led = StaffAssignment.objects.filter(valid_on(today), user=user, role=Role.LEADER).values(
        "unit_id"
    )
    condition = Q(pk__in=led)
    if Role.SUPERVISOR in user_roles(user):
        staffed = StaffAssignment.objects.filter(valid_on(today), role__in=WORKING_ROLES).values(
            "unit_id"
        )
        condition |= Q(pk__in=units_visible_to(user).values("pk")) & Q(pk__in=staffed)
    return OrgUnit.objects.filter(condition).order_by("path", "code")


def can_apply(user: Any, unit: OrgUnit) -> bool:
    """Only the head of the unit (or the deputy acting for them) applies a suggestion."""
    return is_unit_head(user, unit)


@transaction.atomic
def load_suggestion_apply(
    *,
    actor: Any,
    unit: OrgUnit,
    step_id: int,
    to_user_id: int,
    expected_version: int,
    now: dt.datetime | None = None,
) -> Dossier:
    """Hand a specialist's step at risk to the colleague the forecast suggested, through
    the head's `assign` (event, audit, notifications as for any assignment). A
    suggestion that is no longer what the page showed — the step finished, reassigned,
    the dossier changed, the colleague now away — is refused (StaleSuggestion)."""
    from motcua.dossiers.services import dossier_assign

    if not can_apply(actor, unit):
        raise PermissionDenied(_("Chỉ người đứng đầu đơn vị áp dụng đề xuất phân công lại."))
    step = (
        DossierStep.objects.select_related("dossier").filter(pk=step_id, unit=unit).first()
        if step_id
        else None
    )
    if step is None:
        raise StaleSuggestion()
    dossier = Dossier.objects.select_for_update().get(pk=step.dossier_id)
    step.refresh_from_db()
    current = step.assignee_id or dossier.assignee_id
    load = unit_load(unit)
    wanted = next(
        (
            s
            for s in load.forecast.actionable
            if s.step.id == step.pk and s.to_officer == to_user_id
        ),
        None,
    )
    if (
        step.status == StepStatus.DONE
        or dossier.version != expected_version
        or dossier.status not in ASSIGNABLE
        or current == to_user_id
        or wanted is None
    ):
        raise StaleSuggestion()
    assignee = get_user_model().objects.get(pk=to_user_id)
    try:
        dossier = dossier_assign(
            dossier=dossier,
            actor=actor,
            expected_version=expected_version,
            assignee=assignee,
            now=now,
        )
    except ConcurrentModification as exc:
        raise StaleSuggestion() from exc
    audit_record(
        action="monitoring.load_rebalance",
        actor=actor,
        obj=step,
        before={"assignee": current},
        after={
            "assignee": to_user_id,
            "dossier": dossier.code or dossier.pk,
            "kind": wanted.kind,
            "reason": wanted.reason,
        },
        unit_code=unit.code,
        role=Role.LEADER,
    )
    return dossier
