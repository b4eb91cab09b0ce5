"""Background tasks (django.tasks) owned by core, and the periodic tasks named in
motcua.config.schedules.

`deadline_sweep` and `weekly_friday_report` are real, idempotent tasks whose work is
supplied by other apps through `register_periodic_hook()` (call it from the app's
AppConfig.ready()). Until an app registers a hook they do nothing and say so in the log.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.tasks import task
from django.utils import timezone

from motcua.core.audit import audit_seal, verify_chain
from motcua.core.models import AuditVerification

logger = logging.getLogger(__name__)

Hook = Callable[[dt.datetime], Any]
_HOOKS: dict[str, list[Hook]] = {"deadline-sweep": [], "weekly-report": []}


def register_periodic_hook(job: str, func: Hook) -> None:
    """Attach work to a periodic core task. `func(slot)` receives the slot (aware UTC
    datetime) and must be idempotent: a slot may run late, and more than once if a
    worker crashes mid-run."""
    if job not in _HOOKS:
        raise ValueError(f"Unknown periodic job {job!r}; known: {sorted(_HOOKS)}")
    if func not in _HOOKS[job]:
        _HOOKS[job].append(func)


def _run_hooks(job: str, slot: str) -> dict[str, Any]:
    slot_at = dt.datetime.fromisoformat(slot) if slot else timezone.now()
    hooks = list(_HOOKS[job])
    if not hooks:
        logger.info("%s for slot %s: no hook registered yet, nothing to do", job, slot)
    for hook in hooks:
        hook(slot_at)
    return {"job": job, "slot": slot, "hooks": len(hooks)}


def _previous_anchor(
    verification: AuditVerification,
) -> tuple[tuple[int, str] | None, tuple[int, str] | None]:
    """(seal, chain-0 anchor) recorded by the latest successful run: its seal, or for a
    run from before the lanes, the chain-0 tip it saw."""
    previous = (
        AuditVerification.objects.filter(ok=True, last_sequence__gt=0)
        .exclude(pk=verification.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if previous is None or previous.last_sequence is None:
        return None, None
    if previous.seal_number:
        return (previous.seal_number, previous.last_hash), None
    return None, (previous.last_sequence, previous.last_hash)


def run_verification(verification: AuditVerification) -> AuditVerification:
    """Verify every chain against the seal recorded by the latest successful run, then
    seal the verified tips and record the outcome (the seal is also logged, so an
    off-site log keeps an anchor even if the database is rewritten)."""
    seal, anchor = _previous_anchor(verification)
    result = verify_chain(anchor=anchor, seal=seal)
    verification.ok = result.ok
    verification.entry_count = result.count
    verification.broken_sequence = result.broken_sequence
    verification.broken_entry_id = result.broken_id
    verification.reason = str(result.reason)[:300]
    verification.last_sequence = None
    verification.last_hash = ""
    if result.ok:
        sealed = audit_seal(result.heads)
        verification.last_sequence = result.last_sequence
        verification.last_hash = sealed.seal_hash
        verification.seal_number = sealed.number
    verification.finished_at = timezone.now()
    verification.save()
    if result.ok:
        logger.info(
            "Audit chain OK: %s entries, head seal:%s:%s",
            result.count,
            verification.seal_number,
            verification.last_hash,
        )
    else:
        logger.error(
            "Audit chain BROKEN at sequence %s (id %s): %s",
            result.broken_sequence,
            result.broken_id,
            result.reason,
        )
    return verification


@task()
def audit_chain_verify(verification_id: int) -> dict[str, Any]:
    """Verify the chain for a verification requested in the audit browser."""
    verification = AuditVerification.objects.get(pk=verification_id)
    if verification.is_finished:  # re-delivered task: the outcome is already recorded
        return {"ok": verification.ok, "count": verification.entry_count}
    run_verification(verification)
    return {"ok": verification.ok, "count": verification.entry_count}


@task()
def audit_chain_verify_nightly(slot: str = "") -> dict[str, Any]:
    verification = run_verification(AuditVerification.objects.create())
    return {"ok": verification.ok, "count": verification.entry_count, "slot": slot}


@task()
def deadline_sweep(slot: str = "") -> dict[str, Any]:
    """Every 15 minutes: recompute dossier deadline states (hooked in by the dossier app)."""
    return _run_hooks("deadline-sweep", slot)


@task()
def weekly_friday_report(slot: str = "") -> dict[str, Any]:
    """Friday 16:00: weekly report to leaders (hooked in by the reporting app)."""
    return _run_hooks("weekly-report", slot)


@task()
def requeue_stale_tasks(slot: str = "") -> dict[str, Any]:
    """Jobs left RUNNING by a worker that died (django-tasks-db never retries them) go
    back to the queue after an hour; every job must therefore be idempotent
    (docs/operations/faults.md)."""
    from motcua.core.task_recovery import requeue_stale

    return {"slot": slot, "requeued": requeue_stale(older_than=dt.timedelta(hours=1))}
