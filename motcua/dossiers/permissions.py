"""Who may act on a dossier: the applicant for citizen actions; for officers, a role
held today in the dossier's relevant unit (reception roles in the receiving unit,
processing roles in the competent authority). Roles follow successions (law.md R31):
an officer of today's unit holds the same roles on the dossiers of the units whose
records passed to it (a ward officer finishes a dossier of the old commune)."""

from __future__ import annotations

from typing import Any

from motcua.dossiers.constants import APPLICANT
from motcua.dossiers.models import Dossier
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import active_assignments, record_predecessors

RECEPTION_ROLES = frozenset({Role.RECEPTIONIST})


def relevant_unit(dossier: Dossier, role: str) -> OrgUnit:
    if role in RECEPTION_ROLES:
        return dossier.receiving_unit
    return dossier.competent_unit


def roles_in_units(user: Any) -> dict[int, set[str]]:
    """unit id -> roles the officer holds there today, including the units whose
    records their units hold now (R31)."""
    held: dict[int, set[str]] = {}
    if not getattr(user, "is_officer", False):
        return held
    for assignment in active_assignments(user):
        held.setdefault(assignment.unit_id, set()).add(assignment.role)
    if held:
        for predecessor, holder in record_predecessors(set(held)).items():
            held.setdefault(predecessor, set()).update(held[holder])
    return held


def roles_on(user: Any, dossier: Dossier, held: dict[int, set[str]] | None = None) -> set[str]:
    """Workflow roles `user` can play on `dossier` (including "applicant")."""
    roles: set[str] = set()
    if getattr(user, "pk", None) is not None and user.pk == dossier.applicant_id:
        roles.add(APPLICANT)
    held = roles_in_units(user) if held is None else held
    for role in held.get(dossier.receiving_unit_id, set()):
        if role in RECEPTION_ROLES:
            roles.add(role)
    for role in held.get(dossier.competent_unit_id, set()):
        if role not in RECEPTION_ROLES:
            roles.add(role)
    return roles
