"""Shared pieces of the feedback services: rate limiting, routing, events and audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.feedback import integrity
from motcua.feedback.constants import (
    FeedbackKind,
    FeedbackStatus,
)
from motcua.feedback.models import (
    Feedback,
    FeedbackEvent,
    FeedbackExclusion,
    SubmissionThrottle,
)
from motcua.org.models import OrgUnit
from motcua.org.selectors import active_assignments, head_of_unit, unit_valid_on

S = FeedbackStatus


class RateLimited(Exception):
    """Too many anonymous submissions or look-ups from one client."""


def _audit(**kwargs: Any) -> None:
    from motcua.core.audit import audit_record  # lazy: keeps this module importable early

    audit_record(**kwargs)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- Rate limiting ----------------------------------------------------------------

# (scope, limit, window) — overridable with settings.MOTCUA_FEEDBACK_LIMITS.
DEFAULT_LIMITS: dict[str, tuple[int, dt.timedelta]] = {
    "anon_hour": (5, dt.timedelta(hours=1)),
    "anon_day": (20, dt.timedelta(days=1)),
    "track": (30, dt.timedelta(hours=1)),
}


def _limits() -> dict[str, tuple[int, dt.timedelta]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "MOTCUA_FEEDBACK_LIMITS", {})}


def client_key(ip: str) -> str:
    return integrity.ip_key(ip or "-", settings.SECRET_KEY[:16])


def throttle_hit(*, scope: str, ip: str, now: dt.datetime | None = None) -> None:
    """Count one request of `scope` from `ip`; RateLimited past the limit (fixed
    window, database-backed so all workers share it)."""
    limit, window = _limits()[scope]
    now = _now(now)
    key = client_key(ip)
    with transaction.atomic():
        row, _created = SubmissionThrottle.objects.select_for_update().get_or_create(
            scope=scope, key=key, defaults={"window_started_at": now, "count": 0}
        )
        if now - row.window_started_at >= window:
            row.window_started_at, row.count = now, 0
        if row.count >= limit:
            raise RateLimited(scope)
        row.count += 1
        row.save(update_fields=["window_started_at", "count"])


# --- Routing ----------------------------------------------------------------------


def _primary_unit(user: Any) -> OrgUnit | None:
    assignment = active_assignments(user).order_by("-is_head", "valid_from", "pk").first()
    return assignment.unit if assignment else None


def officers_on_dossier(dossier: Any) -> set[int]:
    """Officers who acted on a dossier: the citizen rarely knows the name of the
    officer who harassed them, so a behaviour complaint about a dossier is hidden from
    all of them."""
    from motcua.accounts.constants import AccountKind
    from motcua.accounts.models import User

    ids: set[int] = set()
    for attr in ("assignee_id", "submitted_on_behalf_by_id"):
        value = getattr(dossier, attr, None)
        if value:
            ids.add(value)
    events = getattr(dossier, "events", None)
    if events is not None:
        ids.update(v for v in events.values_list("actor_id", flat=True) if v)
    steps = getattr(dossier, "steps", None)
    if steps is not None:
        ids.update(v for v in steps.values_list("assignee_id", flat=True) if v)
    return set(User.objects.filter(pk__in=ids, kind=AccountKind.STAFF).values_list("pk", flat=True))


def root_unit() -> OrgUnit:
    unit = (
        OrgUnit.objects.filter(unit_valid_on(timezone.localdate()), parent__isnull=True)
        .order_by("pk")
        .first()
    )
    if unit is None:
        raise ValidationError(_("Chưa khai báo đơn vị nào để tiếp nhận phản ánh."))
    return unit


@dataclass(frozen=True)
class Route:
    handling_unit: OrgUnit
    subject_unit: OrgUnit | None
    excluded: frozenset[int]
    handler: Any


def route(
    *, kind: str, dossier: Any = None, subject_officer: Any = None, unit: OrgUnit | None = None
) -> Route:
    """Where an item goes (law.md §7.5). Behaviour complaints go to the head of the
    PARENT of the subject's unit (a unit does not judge its own staff); when the head
    there is excluded too, one level higher; at the top, the provincial supervisors
    (who see their whole subtree) handle it."""
    if kind == FeedbackKind.BEHAVIOUR:
        excluded: set[int] = set()
        if subject_officer is not None:
            excluded.add(subject_officer.pk)
        if dossier is not None:
            excluded |= officers_on_dossier(dossier)
        subject_unit = (
            _primary_unit(subject_officer) if subject_officer is not None else None
        ) or (dossier.competent_unit if dossier is not None else None)
        if subject_unit is None:
            subject_unit = unit or root_unit()
        target = subject_unit.parent or subject_unit
        head = head_of_unit(target)
        while head is not None and head.pk in excluded and target.parent is not None:
            target = target.parent
            head = head_of_unit(target)
        handler = head if head is not None and head.pk not in excluded else None
        return Route(target, subject_unit, frozenset(excluded), handler)
    if kind == FeedbackKind.DOSSIER and dossier is not None:
        return Route(dossier.competent_unit, None, frozenset(), None)
    return Route(
        unit or (dossier.competent_unit if dossier is not None else root_unit()),
        None,
        frozenset(),
        None,
    )


def _apply_route(feedback: Feedback, r: Route) -> None:
    feedback.handling_unit = r.handling_unit
    feedback.subject_unit = r.subject_unit
    feedback.handler = r.handler
    FeedbackExclusion.objects.filter(feedback=feedback).exclude(user_id__in=r.excluded).delete()
    existing = set(
        FeedbackExclusion.objects.filter(feedback=feedback).values_list("user_id", flat=True)
    )
    FeedbackExclusion.objects.bulk_create(
        [FeedbackExclusion(feedback=feedback, user_id=uid) for uid in r.excluded - existing]
    )


def _restart_clock(feedback: Feedback, at: dt.datetime) -> None:
    from motcua.feedback.deadlines import compute
    from motcua.workdays.selectors import get_calendar

    feedback.clock_started_at = at
    values = compute(get_calendar(feedback.handling_unit), clock_start=at, publication_start=None)
    feedback.handle_due_at = values.handle


# --- Events and audit -------------------------------------------------------------


def _record(
    feedback: Feedback,
    *,
    action: str,
    actor: Any,
    at: dt.datetime,
    before: str,
    note: str = "",
    audit_note: bool = False,
) -> None:
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    FeedbackEvent.objects.create(
        feedback=feedback,
        at=at,
        actor=actor_user,
        action=action,
        from_status=before,
        to_status=feedback.status,
        note=note,
        unit=feedback.handling_unit,
    )
    # The audit entry names the item by its code only: no content, no sender; for a
    # behaviour complaint not even the sender's account or IP (issue 20): the sender is
    # known only to the inspecting body, from the item itself.
    sender_side = actor_user is None or not getattr(actor_user, "is_officer", False)
    _audit(
        anonymous=sender_side and feedback.kind == FeedbackKind.BEHAVIOUR,
        action=f"feedback.{action}",
        actor=actor_user,
        obj=feedback,
        before={"status": before},
        after={
            "status": feedback.status,
            "handling_unit": feedback.handling_unit.code,
            "kind": feedback.kind,
            **({"note": note} if audit_note else {}),
        },
        unit_code=feedback.handling_unit.code,
        object_repr=feedback.code,
    )


def _require(text: str, message: str) -> str:
    if not (text or "").strip():
        raise ValidationError(message)
    return text.strip()
