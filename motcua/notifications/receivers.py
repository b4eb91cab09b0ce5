"""Notify the applicant (and the officer assigned) after each dossier transition."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.signals import dossier_transitioned
from motcua.notifications.messages import ascii_fold
from motcua.notifications.services import notify

logger = logging.getLogger(__name__)

# workflow action → event told to the applicant
APPLICANT_EVENTS: dict[str, str] = {
    "submit_online": "dossier_submitted",
    "create_at_counter": "dossier_submitted",
    "resubmit": "dossier_submitted",
    "receive": "dossier_received",
    "return_for_completion": "dossier_returned_for_completion",
    "refuse_reception": "dossier_refused_reception",
    "request_supplement": "dossier_supplement_requested",
    "request_payment": "dossier_payment_requested",
    "issue_result": "dossier_resolved",
    "return_result": "dossier_result_returned",
    "refuse_after_appraisal": "dossier_refused",
    "extend_with_apology": "dossier_extended",
    "withdraw": "dossier_withdrawn",
    "stop_by_applicant": "dossier_stopped",  # Decree 118/2025 Art. 21
    "close_unsupplemented": "dossier_closed_unsupplemented",  # Art. 19(5)
    "request_correction": "dossier_correction_requested",  # Art. 23(1)
    "decline_correction": "dossier_correction_declined",
}
# Decree 118/2025 Art. 17(2) (law.md R11a): an online dossier alerts the reception
# officers of the receiving unit at once (within the 2 hours), with the 8 working hours
# they have to receive it or ask for corrections.
RECEPTION_ALERT_ACTIONS = ("submit_online", "resubmit")
OFFICER_EVENTS = {"assign": "dossier_assigned"}


def dossier_context(d: Dossier, reason: str = "") -> dict[str, Any]:
    procedure = d.procedure_version.name
    return {
        "code": d.code or "",
        "procedure": procedure,
        "procedure_ascii": ascii_fold(procedure)[:60],
        "unit": d.receiving_unit.name,
        "due_at": d.due_at,
        "reason": reason or d.status_reason,
    }


@receiver(dossier_transitioned, dispatch_uid="notifications.on_transition")
def on_transition(
    sender: Any, *, dossier_id: int, action: str, event_id: int | None = None, **kwargs: Any
) -> None:
    try:
        _notify(dossier_id, action, event_id)
    except Exception:  # sent after commit: a notification problem must not fail the request
        logger.exception("notifications for dossier %s (%s) failed", dossier_id, action)


def _notify(dossier_id: int, action: str, event_id: int | None) -> None:
    if action not in APPLICANT_EVENTS and action not in OFFICER_EVENTS:
        return
    if action in RECEPTION_ALERT_ACTIONS:
        _alert_reception(dossier_id, event_id)
    if action == "request_correction":
        _alert_correction(dossier_id, event_id)
    d = Dossier.objects.select_related(
        "applicant", "assignee", "procedure_version", "receiving_unit"
    ).get(pk=dossier_id)
    event = DossierEvent.objects.filter(pk=event_id).first() if event_id else None
    ctx = dossier_context(d, event.reason if event else "")
    key = f"ev:{event_id}" if event_id else None
    if action in APPLICANT_EVENTS and d.group_id is not None and action == "issue_result":
        from motcua.dossiers.services.linked import child_result_held, result_notice_key

        # A linked application returning results together: the notice waits for the
        # release (linked.group_results_release), both paths share one dedup key (R40).
        if child_result_held(d):
            return
        key = result_notice_key(d)
        notify(
            recipient=d.applicant,
            event=APPLICANT_EVENTS[action],
            context=ctx,
            dossier=d,
            url=reverse("my_dossiers:detail", args=[d.pk]),
            dedup_key=key,
        )
    elif action in APPLICANT_EVENTS:
        notify(
            recipient=d.applicant,
            event=APPLICANT_EVENTS[action],
            context=ctx,
            dossier=d,
            url=reverse("my_dossiers:detail", args=[d.pk]),
            dedup_key=f"{key}:applicant" if key else None,
        )
    if action in OFFICER_EVENTS and d.assignee_id:
        notify(
            recipient=d.assignee,
            event=OFFICER_EVENTS[action],
            context=ctx,
            dossier=d,
            url=reverse("dossiers:detail", args=[d.pk]),
            dedup_key=f"{key}:assignee:{d.assignee_id}" if key else None,
        )


def _alert_reception(dossier_id: int, event_id: int | None) -> None:
    from motcua.dossiers.constants import Channel, DossierStatus
    from motcua.dossiers.services import reception_due_at

    d = Dossier.objects.select_related("procedure_version", "receiving_unit").get(pk=dossier_id)
    if d.channel != Channel.ONLINE or d.status != DossierStatus.SUBMITTED:
        return
    due = reception_due_at(d)
    if due is None:  # the dossier's rule set has no such limit (Decree 61/2018)
        return
    ctx = {**dossier_context(d), "reception_due_at": due}
    _notify_role(
        d,
        d.receiving_unit_id,
        "receptionist",
        "dossier_waiting_reception",
        ctx,
        event_id,
        "reception",
    )


def _alert_correction(dossier_id: int, event_id: int | None) -> None:
    """Decree 118/2025 Art. 23(1) (law.md R19a): the leaders of the competent authority
    learn at once that the applicant reported an error in the result, and by when the
    corrected result is due."""
    d = Dossier.objects.select_related("procedure_version", "receiving_unit").get(pk=dossier_id)
    if d.correction_requested_at is None:
        return
    event = DossierEvent.objects.filter(pk=event_id).first() if event_id else None
    ctx = {
        **dossier_context(d, event.reason if event else ""),
        "correction_due_at": d.correction_due_at,
    }
    _notify_role(
        d, d.competent_unit_id, "leader", "result_correction_requested", ctx, event_id, "correction"
    )


def notify_role(
    d: Dossier, unit_id: int, role: str, event: str, ctx: dict[str, Any], key: str
) -> None:
    """Tell every officer holding `role` in the unit today, once per `key`."""
    _notify_role(d, unit_id, role, event, ctx, None, key, dedup=key)


def _notify_role(
    d: Dossier,
    unit_id: int,
    role: str,
    event: str,
    ctx: dict[str, Any],
    event_id: int | None,
    tag: str,
    dedup: str = "",
) -> None:
    """Tell every officer holding `role` in the unit today about the dossier."""
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    officers = StaffAssignment.objects.filter(
        valid_on(timezone.localdate()), unit_id=unit_id, role=role
    ).select_related("user")
    for assignment in officers:
        notify(
            recipient=assignment.user,
            event=event,
            context=ctx,
            dossier=d,
            url=reverse("dossiers:detail", args=[d.pk]),
            dedup_key=f"ev:{event_id}:{tag}:{assignment.user_id}"
            if event_id
            else (f"{dedup}:{assignment.user_id}" if dedup else None),
        )
