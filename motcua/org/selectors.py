"""Read-side queries for organisation units and staff (design.md: reads in selectors)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.org.constants import Role
from motcua.org.models import Delegation, OrgUnit, StaffAssignment, UnitSuccession


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


SUPERVISORY_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)


def units_visible_to(user, at: dt.date | None = None) -> QuerySet[OrgUnit]:  # type: ignore[no-untyped-def]
    """Units whose data an officer may see: their own units; for supervisors and
    administrators, the whole subtree under each of their units. Scopes follow
    successions (R31): a unit whose records passed to a visible unit is visible too (a
    ward officer sees the dossiers of the commune merged into the ward), and with it,
    for supervisors and administrators, that unit's old subtree."""
    at = at or _today()
    assignments = list(active_assignments(user, at))
    if not assignments:
        return OrgUnit.objects.none()
    own = {a.unit_id for a in assignments}
    roots = [a.unit.path for a in assignments if a.role in SUPERVISORY_ROLES]
    condition = Q(pk__in=own)
    for path in roots:
        condition |= Q(path__startswith=path)
    for pred_id, pred_path, target_id, target_path in _records_chains(at):
        if target_id in own or any(target_path.startswith(p) for p in roots):
            condition |= Q(pk=pred_id)
            if roots:
                condition |= Q(path__startswith=pred_path)
    return OrgUnit.objects.filter(condition)


# --- effective-dated organisation queries (law.md §10.3) -----------------------


def unit_valid_on(at: dt.date) -> Q:
    """Units have optional bounds: a missing valid_from means "since always"."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=at)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=at)
    )


def is_unit_valid(unit: OrgUnit, at: dt.date | None = None) -> bool:
    at = at or _today()
    return (unit.valid_from is None or unit.valid_from <= at) and (
        unit.valid_to is None or unit.valid_to >= at
    )


def head_assignment(unit: OrgUnit, at: dt.date | None = None) -> StaffAssignment | None:
    """The head-of-unit assignment (người đứng đầu) valid on `at`."""
    at = at or _today()
    return (
        StaffAssignment.objects.filter(valid_on(at), unit=unit, is_head=True)
        .select_related("user")
        .order_by("-valid_from", "-pk")
        .first()
    )


def head_of_unit(unit: OrgUnit, at: dt.date | None = None):  # type: ignore[no-untyped-def]
    """The user who was head of `unit` on date `at` (today by default), or None.
    Directive 04 ranks unit heads, so this must stay answerable after transfers."""
    assignment = head_assignment(unit, at)
    return assignment.user if assignment else None


def heads_history(unit: OrgUnit) -> QuerySet[StaffAssignment]:
    """All head-of-unit assignments, most recent first."""
    return (
        StaffAssignment.objects.filter(unit=unit, is_head=True)
        .select_related("user")
        .order_by("-valid_from", "-pk")
    )


def unit_staff(unit: OrgUnit, at: dt.date | None = None) -> QuerySet[StaffAssignment]:
    """Assignments of a unit; only those valid on `at` when a date is given."""
    qs = StaffAssignment.objects.filter(unit=unit).select_related("user")
    if at is not None:
        qs = qs.filter(valid_on(at))
    return qs.order_by("-is_head", "role", "user__full_name", "-valid_from")


def active_delegations(at: dt.date | None = None) -> QuerySet[Delegation]:
    at = at or _today()
    return Delegation.objects.filter(valid_on(at), revoked_at__isnull=True).select_related(
        "delegator", "delegate", "unit"
    )


def acting_for(user, at: dt.date | None = None) -> QuerySet[Delegation]:  # type: ignore[no-untyped-def]
    """Delegations under which `user` acts for someone else on `at` (not revoked)."""
    if not getattr(user, "is_authenticated", False):
        return Delegation.objects.none()
    return active_delegations(at).filter(delegate=user)


def unit_delegations(unit: OrgUnit) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(unit=unit)
        .select_related("delegator", "delegate")
        .order_by("-valid_from", "-pk")
    )


def successors(unit: OrgUnit) -> QuerySet[UnitSuccession]:
    """Direct successor links of a unit (merged_into, split_into, renamed_to, ...)."""
    return (
        UnitSuccession.objects.filter(predecessor=unit)
        .select_related("successor")
        .order_by("effective_date", "successor__code")
    )


def predecessors(unit: OrgUnit) -> QuerySet[UnitSuccession]:
    return (
        UnitSuccession.objects.filter(successor=unit)
        .select_related("predecessor")
        .order_by("effective_date", "predecessor__code")
    )


def resolve_current(unit: OrgUnit, at: dt.date | None = None) -> list[OrgUnit]:
    """Follow successor links whose effective date is on or before `at` until reaching
    units with no further effective succession: "rolled forward to today's successor"
    (law.md §10.3 rule 3). A merge or rename gives one unit; a split can give several.
    A unit that has no effective successor resolves to itself."""
    at = at or _today()
    result: list[OrgUnit] = []
    seen: set[int] = set()
    frontier = [unit]
    while frontier:
        current = frontier.pop(0)
        if current.pk in seen:
            continue
        seen.add(current.pk)
        links = [s for s in successors(current) if s.effective_date <= at]
        if not links:
            if current.pk not in {u.pk for u in result}:
                result.append(current)
            continue
        frontier.extend(link.successor for link in links)
    return result


def _records_chains(at: dt.date) -> list[tuple[int, str, int, str]]:
    """(predecessor id, its path, final holder id, its path) for every unit whose
    records passed on by `at`, chains followed (A → B → C: A's records are at C).
    One query over the carrying links."""
    links = UnitSuccession.objects.filter(carries_records=True, effective_date__lte=at)
    direct: dict[int, tuple[int, str]] = {}
    paths: dict[int, str] = {}
    for pred, pred_path, succ, succ_path in links.values_list(
        "predecessor_id", "predecessor__path", "successor_id", "successor__path"
    ):
        direct[pred] = (succ, succ_path)
        paths[pred] = pred_path
    out = []
    for pred in direct:
        target, target_path = direct[pred]
        seen = {pred}
        while target in direct and target not in seen:
            seen.add(target)
            target, target_path = direct[target]
        out.append((pred, paths[pred], target, target_path))
    return out


def records_successor_map(at: dt.date | None = None) -> dict[int, int]:
    """unit id → id of the unit holding its records on `at` (today by default), for
    every unit whose records passed on through successions that carry them (R31):
    dossiers, officers' scopes and the Decision 766 figures follow this map."""
    return {pred: target for pred, _p, target, _t in _records_chains(at or _today())}


def unit_current(unit: OrgUnit, at: dt.date | None = None) -> OrgUnit:
    """The unit holding `unit`'s records on `at`: itself, or the end of its chain of
    carrying successions (e.g. a Quảng Nam commune → the Đà Nẵng ward it merged into)."""
    target = records_successor_map(at).get(unit.pk)
    return unit if target is None else OrgUnit.objects.get(pk=target)


def record_predecessors(unit_ids: set[int], at: dt.date | None = None) -> dict[int, int]:
    """predecessor id → holder id, for the units whose records are now held by one of
    `unit_ids` (officers of today's unit act on its predecessors' dossiers)."""
    return {p: t for p, t in records_successor_map(at).items() if t in unit_ids}


def records_scope_ids(unit: OrgUnit, at: dt.date | None = None) -> set[int]:
    """Ids of the units whose dossiers count for `unit` on `at` (today by default): its
    subtree *on that day*, read through the successions (law.md R31, §10.3); see
    records_scopes."""
    return records_scopes([unit], at)[unit.pk]


def records_scopes(units: list[OrgUnit], at: dt.date | None = None) -> dict[int, set[int]]:
    """unit id → ids of the units whose dossiers count for it on `at`. A unit belongs to
    a unit's scope when its records are held on `at` inside that unit's subtree (a
    Quảng Nam commune merged into a ward of Đà Nẵng counts for the ward and the city),
    or, for a unit whose records never moved (a provincial department that goes on
    working), when the nearest of itself and its ancestors read through its holder lies
    inside the subtree — so the merged city's subtree today is its communes and wards
    plus the departments of the old province. Two queries for any number of units."""
    at = at or _today()
    holder = records_successor_map(at)
    rows = list(OrgUnit.objects.values_list("pk", "path"))
    paths = dict(rows)
    # every unit's place today: the holder of its records, or of its nearest ancestor's
    place: dict[int, int] = {}
    for pk, path in rows:
        if pk in holder:
            place[pk] = holder[pk]
            continue
        place[pk] = pk
        for node in reversed([int(p) for p in path.strip("/").split("/") if p][:-1]):
            if node in holder:
                place[pk] = holder[node]
                break
    out: dict[int, set[int]] = {}
    for unit in units:
        prefix = unit.path
        out[unit.pk] = {
            pk
            for pk, path in rows
            if (path.startswith(prefix) and pk not in holder)
            or paths.get(place[pk], "").startswith(prefix)
        }
    return out


def unit_successors_at(unit: OrgUnit, at: dt.date | None = None) -> list[OrgUnit]:
    """All of today's successors of `unit` along every succession link (a split gives
    several; records follow only unit_current)."""
    return resolve_current(unit, at)


@dataclass
class TreeNode:
    unit: OrgUnit
    valid: bool
    children: list[TreeNode] = field(default_factory=list)


def unit_tree(
    at: dt.date | None = None, *, within: QuerySet[OrgUnit] | None = None
) -> list[TreeNode]:
    """Units valid on `at`, nested for display. Ancestors that are no longer valid are
    kept (marked `valid=False`) so that a still-valid unit shows where it sits.
    `within` restricts the tree to a visible set of units."""
    at = at or _today()
    base = within if within is not None else OrgUnit.objects.all()
    valid = list(base.filter(unit_valid_on(at)))
    ancestor_ids: set[int] = set()
    for unit in valid:
        ancestor_ids.update(int(part) for part in unit.path.strip("/").split("/")[:-1] if part)
    valid_ids = {u.pk for u in valid}
    extra = list(base.filter(pk__in=ancestor_ids - valid_ids))
    nodes = {u.pk: TreeNode(unit=u, valid=u.pk in valid_ids) for u in valid + extra}
    roots: list[TreeNode] = []
    for node in sorted(nodes.values(), key=lambda n: (n.unit.depth, n.unit.code)):
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def can_access_unit(user, unit: OrgUnit, at: dt.date | None = None) -> bool:  # type: ignore[no-untyped-def]
    """Whether `user` may see the unit's staff and details (units_visible_to)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_officer", False):
        return False
    return units_visible_to(user, at).filter(pk=unit.pk).exists()


def is_administrator(user, at: dt.date | None = None) -> bool:  # type: ignore[no-untyped-def]
    return Role.ADMINISTRATOR in user_roles(user, at)
