"""Background tasks: delivery (kicked after each notification, and periodically for
retries), officer reminders and the leaders' daily digest."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from motcua.notifications import delivery, reminders


@task()
def deliver_notifications(slot: str = "") -> dict[str, Any]:
    from motcua.notifications.channels import SandboxSmsGateway, sms_gateway

    r = delivery.deliver_due()
    out: dict[str, Any] = {"sent": r.sent, "retry": r.retry, "failed": r.failed}
    gateway = sms_gateway()
    if isinstance(gateway, SandboxSmsGateway):
        out["reports"] = gateway.report_due()
    return out


@task()
def escalate_undelivered_supplements(slot: str = "") -> dict[str, Any]:
    """Supplement notices without delivery evidence go to the receptionists (R12c)."""
    from motcua.dossiers.services.notice import supplement_notices_escalate

    return {"slot": slot, "escalated": supplement_notices_escalate()}


@task()
def remind_step_deadlines(slot: str = "") -> dict[str, Any]:
    """Every 15 minutes: steps due soon, and consulted bodies late to answer (R16a)."""
    return {
        "reminders": reminders.remind_step_deadlines(),
        "late_consultations": reminders.notify_late_consultations(),
    }


@task()
def leader_daily_digest(slot: str = "") -> dict[str, Any]:
    return {"digests": reminders.leader_daily_digest()}
