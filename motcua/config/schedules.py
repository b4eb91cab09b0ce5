"""Periodic jobs, declared in one place: (name, schedule, task path).

`motcua run_scheduler` reads JOBS and enqueues each due slot through django.tasks;
a worker (`motcua db_worker`) runs it. Schedule syntax: motcua.core.scheduling
("every N minutes", "daily at HH:MM", "weekly on friday at HH:MM", optional IANA time
zone at the end; default is settings.TIME_ZONE, Asia/Ho_Chi_Minh). Every task receives
the slot as an ISO-8601 keyword argument `slot` and must be safe to run late or twice.

The job name is stored with every enqueued slot: renaming a job makes the scheduler
treat it as new (its latest slot runs once more).
"""

JOBS: list[tuple[str, str, str]] = [
    # Nightly integrity check of the hash-chained audit log (docs/audit.md).
    ("audit-chain-verify", "daily at 02:30", "motcua.core.tasks.audit_chain_verify_nightly"),
    # Deadline sweep: recompute due/overdue states of dossiers. No-op until the dossier
    # app hooks in (motcua.core.tasks.DEADLINE_SWEEP_HOOKS).
    ("deadline-sweep", "every 15 minutes", "motcua.core.tasks.deadline_sweep"),
    # Decree 118/2025 Art. 19(5): close dossiers whose supplement ran out of time.
    (
        "close-expired-supplements",
        "every 15 minutes",
        "motcua.dossiers.tasks.close_expired_supplements",
    ),
    # law.md R12c: supplement notices with no delivery evidence go to the receptionists.
    (
        "supplement-delivery-escalate",
        "every 15 minutes",
        "motcua.notifications.tasks.escalate_undelivered_supplements",
    ),
    # Weekly report to leaders, Friday afternoon. No-op until reporting hooks in.
    # Expired failed-login counters (accounts lockout).
    ("purge-login-throttles", "daily at 03:00", "motcua.accounts.tasks.purge_login_throttles"),
    # Payments: expire stale attempts; reconcile against the provider's settlement file.
    ("payments-expire", "every 5 minutes", "motcua.payments.tasks.expire_stale"),
    ("payments-reconcile", "daily at 03:00", "motcua.payments.tasks.reconcile_daily"),
    # Catalogue: versions whose effective period ended are marked retired.
    ("catalog-retire-expired", "daily at 00:10", "motcua.catalog.tasks.retire_expired_versions"),
    # National portal (DVCQG) sync outbox and notifications.
    ("national-portal-sync", "every 1 minutes", "motcua.integrations.tasks.sync_national_portal"),
    (
        "notifications-deliver",
        "every 1 minutes",
        "motcua.notifications.tasks.deliver_notifications",
    ),
    (
        "step-deadline-reminders",
        "every 15 minutes",
        "motcua.notifications.tasks.remind_step_deadlines",
    ),
    ("leader-daily-digest", "daily at 07:00", "motcua.notifications.tasks.leader_daily_digest"),
    # Issue 27: each head of unit's colour forecast (Friday, month end), working mornings.
    ("colour-forecast", "daily at 07:30", "motcua.monitoring.tasks.colour_forecast_morning"),
    # Jobs stuck RUNNING after a worker crash go back to the queue (jobs are idempotent).
    ("requeue-stale-tasks", "every 10 minutes", "motcua.core.tasks.requeue_stale_tasks"),
    # Gaming detectors (law.md R28b): new signals for inspection, once a night.
    ("gaming-detect", "daily at 02:45", "motcua.monitoring.tasks.gaming_detect_daily"),
    ("weekly-report", "weekly on friday at 16:00", "motcua.core.tasks.weekly_friday_report"),
    # Law.md R28a: the frozen weekly reports are re-verified every night.
    (
        "weekly-snapshots-verify",
        "daily at 03:15",
        "motcua.monitoring.tasks.weekly_snapshots_verify_nightly",
    ),
]
