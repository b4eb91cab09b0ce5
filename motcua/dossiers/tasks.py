"""Background follow-up of dossier transitions.

Each committed transition enqueues one `dossier_transition_fanout` job; the job sends
`dossier_transitioned`, whose receivers (notifications, monitoring contributions, the
VNeID flag, the national-portal sync kick) used to run inside the web request after
commit and cost about a third of a submission's time. They are all idempotent and
re-derive their input from the stored dossier and event, so running them late, or twice
after a worker crash, is safe. With the immediate backend (tests) nothing changes.
"""

from __future__ import annotations

import logging
from typing import Any

from django.tasks import task

from motcua.dossiers.models import Dossier
from motcua.dossiers.signals import dossier_transitioned

logger = logging.getLogger(__name__)


def send_transitioned(
    *, dossier_id: int, action: str, from_status: str, to_status: str, event_id: int
) -> None:
    # send_robust: one failing receiver (say, the SMS gateway) must not keep the others
    # (monitoring, sync) from running; failures are logged with their traceback.
    results = dossier_transitioned.send_robust(
        sender=Dossier,
        dossier_id=dossier_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        event_id=event_id,
    )
    for receiver, outcome in results:
        if isinstance(outcome, Exception):
            logger.error(
                "follow-up of dossier %s (%s) failed in %s",
                dossier_id,
                action,
                getattr(receiver, "__qualname__", receiver),
                exc_info=outcome,
            )


@task()
def dossier_transition_fanout(
    dossier_id: int, action: str, from_status: str, to_status: str, event_id: int
) -> None:
    send_transitioned(
        dossier_id=dossier_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        event_id=event_id,
    )


def fanout_after_commit(
    *, dossier_id: int, action: str, from_status: str, to_status: str, event_id: int
) -> None:
    """Called by on_commit: queue the follow-up; if the queue cannot take it (broker
    down), do it here rather than lose a notification."""
    kwargs: dict[str, Any] = {
        "dossier_id": dossier_id,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "event_id": event_id,
    }
    try:
        dossier_transition_fanout.enqueue(**kwargs)
    except Exception:
        logger.warning("task queue unavailable; running the transition follow-up inline")
        send_transitioned(**kwargs)


@task()
def close_expired_supplements(slot: str = "") -> dict[str, Any]:
    """Decree 118/2025 Art. 19(5): close dossiers not completed in time after the
    supplement notice. Safe to run late or twice: a closed dossier is no longer waiting."""
    from motcua.dossiers.services.stops import close_expired_supplements as sweep

    return {"slot": slot, "closed": sweep()}
