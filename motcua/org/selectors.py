"""Read-side queries for organisation units and staff (design.md: reads in selectors)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.org.constants import Role
from motcua.org.models import OrgUnit, StaffAssignment


def _today() -> dt.date:
    return timezone.localdate()


def valid_on(at: dt.date) -> Q:
    return Q(valid_from__lte=at) & (Q(valid_to__isnull=True) | Q(valid_to__gte=at))


def active_assignments(user, at: dt.date | None = None) -> QuerySet[StaffAssignment]:  # type: ignore[no-untyped-def]
    """Assignments of `user` valid on date `at` (today by default)."""
    at = at or _today()
    if not getattr(user, "is_authenticated", False):
        return StaffAssignment.objects.none()
    return StaffAssignment.objects.filter(valid_on(at), user=user).select_related("unit")


def user_roles(user, at: dt.date | None = None) -> set[str]:  # type: ignore[no-untyped-def]
    return set(active_assignments(user, at).values_list("role", flat=True))


def subtree(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The unit and all its descendants (materialised-path prefix query)."""
    return OrgUnit.objects.filter(path__startswith=unit.path)


def units_visible_to(user, at: dt.date | None = None) -> QuerySet[OrgUnit]:  # type: ignore[no-untyped-def]
    """Units whose data an officer may see: their own units; for supervisors and
    administrators, the whole subtree under each of their units."""
    assignments = list(active_assignments(user, at))
    if not assignments:
        return OrgUnit.objects.none()
    condition = Q(pk__in=[a.unit_id for a in assignments])
    for assignment in assignments:
        if assignment.role in (Role.SUPERVISOR, Role.ADMINISTRATOR):
            condition |= Q(path__startswith=assignment.unit.path)
    return OrgUnit.objects.filter(condition)
