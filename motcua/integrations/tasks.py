"""Background work: relay events to the outbox and deliver it (the periodic job and
the on-transition kick both run this task; it is safe to run late or twice)."""

from __future__ import annotations

import logging
from typing import Any

from django.tasks import task

from motcua.integrations import delivery, inbound, relay, webhooks

logger = logging.getLogger(__name__)


def run_sync(*, deliver: bool = True) -> dict[str, Any]:
    # First the dossiers filed on the national portal (law.md R22a): their creation is
    # then relayed and its status sent back in the same run.
    out: dict[str, Any] = _inbound() if deliver else {}
    r = relay.relay()
    out.update(events=r.events, messages=r.messages)
    if deliver:
        d = delivery.deliver()
        out.update(
            delivered=d.delivered,
            failed=d.failed,
            dead=d.dead,
            held=d.held,
            portal_down=d.portal_down,
        )
        out.update({f"webhooks_{k}": v for k, v in webhooks.deliver_webhooks().items()})
    return out


def _inbound() -> dict[str, Any]:
    try:
        return inbound.run_inbound().as_dict()
    except Exception:  # never block the outbound sync
        logger.exception("inbound from the national portal failed")
        return {"inbound_error": True}


@task()
def import_national_dossiers(slot: str = "") -> dict[str, Any]:
    """Enqueued by the push webhook: import and acknowledge what was pushed (no pull)."""
    return inbound.run_inbound(pull=False).as_dict()


@task()
def sync_national_portal(slot: str = "") -> dict[str, Any]:
    return run_sync()
