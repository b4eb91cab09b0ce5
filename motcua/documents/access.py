"""Who may open a stored file: a registry of access policies.

A policy is `policy(user, stored_file) -> bool`; access is granted when any policy
says True. Built in: the owner (citizen), the officer who uploaded or digitized it,
and officers of units that hold the file (`StoredFile.unit`, scoped with
org.selectors.units_visible_to). The dossiers app registers its own policy ("officers
of units handling a dossier linked to the file") in its AppConfig.ready():

    from motcua.documents.access import register_access_policy
    register_access_policy(dossier_file_policy)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from motcua.documents.models import StoredFile

AccessPolicy = Callable[[Any, StoredFile], bool]

_POLICIES: list[AccessPolicy] = []


def register_access_policy(policy: AccessPolicy) -> AccessPolicy:
    """Register (idempotently); usable as a decorator."""
    if policy not in _POLICIES:
        _POLICIES.append(policy)
    return policy


def unregister_access_policy(policy: AccessPolicy) -> None:
    if policy in _POLICIES:
        _POLICIES.remove(policy)


def owner_policy(user: Any, stored_file: StoredFile) -> bool:
    return stored_file.owner_id is not None and stored_file.owner_id == user.pk


def handler_policy(user: Any, stored_file: StoredFile) -> bool:
    if not getattr(user, "is_officer", False):
        return False
    return user.pk in (stored_file.uploaded_by_id, stored_file.digitized_by_id)


def unit_policy(user: Any, stored_file: StoredFile) -> bool:
    if stored_file.unit_id is None or not getattr(user, "is_officer", False):
        return False
    from motcua.org.selectors import units_visible_to

    return units_visible_to(user).filter(pk=stored_file.unit_id).exists()


BUILTIN_POLICIES: tuple[AccessPolicy, ...] = (owner_policy, handler_policy, unit_policy)


def can_access(user: Any, stored_file: StoredFile) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    return any(policy(user, stored_file) for policy in (*BUILTIN_POLICIES, *_POLICIES))


# --- read observers ----------------------------------------------------------------------

ReadObserver = Callable[[Any, StoredFile], None]
_READ_OBSERVERS: list[ReadObserver] = []


def register_read_observer(observer: ReadObserver) -> ReadObserver:
    """Called with (request, stored file) each time a file is opened after the access
    check (the privacy app's read log, law.md R32a); idempotent."""
    if observer not in _READ_OBSERVERS:
        _READ_OBSERVERS.append(observer)
    return observer


def file_opened(request: Any, stored_file: StoredFile) -> None:
    for observer in _READ_OBSERVERS:
        observer(request, stored_file)
