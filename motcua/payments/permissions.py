"""Who may do what with payments.

There is no accountant role in org.Role. Finance screens go to the **clerk (văn thư)
and the leader of the collecting unit**: in one-stop units the clerk keeps the receipt
books and the leader is the chủ tài khoản (account holder) who signs off money going
out, so refunds are proposed by either and completed only by the leader (four eyes).
Cash at the counter is recorded by the receptionist of the receiving unit (the
collecting unit is the receiving unit: fees are paid where the dossier is lodged,
Decree 61/2018 Art. 22). Supervisors and administrators of a parent unit may read.
"""

from __future__ import annotations

from typing import Any

from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import active_assignments, units_visible_to

FINANCE_ROLES = frozenset({Role.CLERK, Role.LEADER})
REFUND_APPROVER_ROLES = frozenset({Role.LEADER})
CASH_ROLES = frozenset({Role.RECEPTIONIST, Role.CLERK, Role.LEADER})
OBLIGATION_ROLES = frozenset({Role.SPECIALIST, Role.LEADER})
READ_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def roles_in(user: Any, unit: OrgUnit | int) -> set[str]:
    if not getattr(user, "is_officer", False):
        return set()
    unit_id = unit if isinstance(unit, int) else unit.pk
    return {a.role for a in active_assignments(user) if a.unit_id == unit_id}


def finance_units(user: Any) -> set[int]:
    """Units where the user is a finance officer."""
    if not getattr(user, "is_officer", False):
        return set()
    return {a.unit_id for a in active_assignments(user) if a.role in FINANCE_ROLES}


def readable_units(user: Any) -> set[int]:
    """Units whose payments the officer may see: finance or cash roles there, or any
    unit under a supervisor's / administrator's unit."""
    if not getattr(user, "is_officer", False):
        return set()
    ids = {
        a.unit_id
        for a in active_assignments(user)
        if a.role in FINANCE_ROLES | CASH_ROLES | OBLIGATION_ROLES
    }
    if any(a.role in READ_ROLES for a in active_assignments(user)):
        ids |= set(units_visible_to(user).values_list("pk", flat=True))
    return ids


def is_finance(user: Any, unit: OrgUnit | int) -> bool:
    return bool(roles_in(user, unit) & FINANCE_ROLES)


def can_approve_refund(user: Any, unit: OrgUnit | int) -> bool:
    return bool(roles_in(user, unit) & REFUND_APPROVER_ROLES)


def refund_approver_units(user: Any) -> set[int]:
    """Units whose refunds the user may approve (one query, for the refund list)."""
    if not getattr(user, "is_officer", False):
        return set()
    return {a.unit_id for a in active_assignments(user) if a.role in REFUND_APPROVER_ROLES}


def can_record_cash(user: Any, unit: OrgUnit | int) -> bool:
    return bool(roles_in(user, unit) & CASH_ROLES)


def can_request_obligation(user: Any, dossier: Any) -> bool:
    return bool(roles_in(user, dossier.competent_unit_id) & OBLIGATION_ROLES)
