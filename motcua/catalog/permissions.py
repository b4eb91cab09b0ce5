"""Who may read and who may change the catalogue."""

from __future__ import annotations

from typing import Any

from motcua.org.constants import Role
from motcua.org.selectors import user_roles


def can_view_catalog_backoffice(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_officer", False))


def can_manage_catalog(user: Any) -> bool:
    """Only administrators edit the catalogue; supervisors and officers read it.
    `None` is the system (management commands, imports)."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Role.ADMINISTRATOR in user_roles(user)
