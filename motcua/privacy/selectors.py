"""Reads of erasure requests and of the dossier read log (law.md R32a)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from motcua.privacy.models import DossierRead, ErasureRequest


def requests_for_review(status: str = "") -> QuerySet[ErasureRequest]:
    qs = ErasureRequest.objects.select_related("subject", "decided_by", "executed_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-pk")


def requests_of(subject: Any) -> QuerySet[ErasureRequest]:
    return ErasureRequest.objects.filter(subject=subject).order_by("-requested_at", "-pk")


# The applicant's list shows the latest reads (coalesced, so a working day of one
# officer on one dossier is a handful of rows).
READS_SHOWN = 50


def reads_of_dossier(dossier: Any, limit: int = READS_SHOWN) -> list[DossierRead]:
    """The latest officer reads of `dossier`, newest first, for its applicant."""
    return list(
        DossierRead.objects.filter(dossier=dossier)
        .select_related("unit", "client")
        .order_by("-at", "-pk")[:limit]
    )


def read_for_applicant(user: Any, dossier_pk: int, read_pk: int) -> DossierRead | None:
    """One read of the user's own dossier, else None (the page answers 404)."""
    return (
        DossierRead.objects.filter(
            pk=read_pk, dossier_id=dossier_pk, dossier__applicant_id=getattr(user, "pk", None)
        )
        .select_related("dossier", "unit", "actor", "client", "question")
        .first()
    )


def reads_outside_step(user: Any) -> QuerySet[DossierRead]:
    """Reads outside an active step, for a supervisor: those of dossiers received or
    decided in the units they supervise (subtree), never their own reads."""
    from django.db.models import Q

    from motcua.org.constants import Role
    from motcua.org.selectors import active_assignments

    paths = [
        a.unit.path
        for a in active_assignments(user).select_related("unit")
        if a.role == Role.SUPERVISOR
    ]
    if not paths:
        return DossierRead.objects.none()
    where = Q()
    for path in paths:
        where |= Q(dossier__competent_unit__path__startswith=path)
        where |= Q(dossier__receiving_unit__path__startswith=path)
    return (
        DossierRead.objects.filter(where, in_active_step=False)
        .exclude(actor=user)
        .select_related("dossier", "actor", "unit", "client")
        .order_by("-at", "-pk")
    )
