"""Recovery of background jobs whose worker died (docs/operations/faults.md).

django-tasks-db marks a job RUNNING when a worker claims it and only changes that when
the job ends. A worker killed mid-job (SIGKILL, OOM killer, power loss, container
eviction) therefore leaves the row RUNNING for ever and no other worker will take it.
`requeue_stale()` puts such rows back to READY once they have been running for longer
than any job legitimately runs, so the next worker retries them.

A retried job runs a second time from the start: every job must be idempotent (check
a unique key, or the state it is about to change, before writing), which is the rule in
docs/design.md for all tasks. Choose `older_than` larger than the longest job.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone


def requeue_stale(*, older_than: dt.timedelta, actor: Any = None) -> list[str]:
    """Mark RUNNING jobs started more than `older_than` ago READY again; return their
    ids. Records one audit entry when anything was requeued."""
    from django_tasks_db.models import DBTaskResult

    from motcua.core.audit import audit_record

    cutoff = timezone.now() - older_than
    with transaction.atomic():
        stale = DBTaskResult.objects.select_for_update().filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        rows = list(stale.values_list("id", "task_path", "worker_ids"))
        if not rows:
            return []
        DBTaskResult.objects.filter(id__in=[r[0] for r in rows]).update(
            status=TaskResultStatus.READY
        )
        audit_record(
            action="tasks.requeue_stale",
            actor=actor,
            after={
                "older_than_seconds": int(older_than.total_seconds()),
                "tasks": [
                    {"id": str(pk), "task": path, "workers": workers} for pk, path, workers in rows
                ],
            },
        )
    return [str(r[0]) for r in rows]
