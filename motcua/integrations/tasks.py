"""Background work: relay events to the outbox and deliver it (the periodic job and
the on-transition kick both run this task; it is safe to run late or twice)."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from motcua.integrations import delivery, relay, webhooks


def run_sync(*, deliver: bool = True) -> dict[str, Any]:
    r = relay.relay()
    out: dict[str, Any] = {"events": r.events, "messages": r.messages}
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


@task()
def sync_national_portal(slot: str = "") -> dict[str, Any]:
    return run_sync()
