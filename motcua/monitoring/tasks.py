"""Background tasks of monitoring.

`refresh_dossier_contribution` moves the event→aggregate refresh of a dossier off the
web request (issue 11: it cost ~12 ms of every submission in the request's commit
hooks). The dossier transition enqueues it after commit; a task worker applies it
within its polling interval (about a second with `db_worker`, less with Redis), so the
dashboard stays real time within seconds. The refresh is idempotent and locks the
dossier row, so duplicates, retries and out-of-order runs converge to the same rows.
"""

from __future__ import annotations

from typing import Any

from django.tasks import task


@task()
def refresh_dossier_contribution(dossier_id: int) -> dict[str, Any]:
    from motcua.monitoring.updater import dossier_contribution_refresh

    return {"dossier": dossier_id, "changed": dossier_contribution_refresh(dossier_id=dossier_id)}


@task()
def rebuild_after_reorganisation() -> dict[str, Any]:
    """A succession that carries records changed where history counts (law.md R31):
    the live rows are rebuilt under today's units (closed-period snapshots stay)."""
    from motcua.monitoring.updater import rebuild

    result = rebuild()
    return {"dossiers": result.dossiers, "rows": result.rows}


@task()
def gaming_detect_daily(slot: str = "") -> dict[str, Any]:
    """Daily gaming detection over the last 90 days (law.md R28b); idempotent."""
    import datetime as dt

    from django.utils import timezone

    from motcua.monitoring.gaming_store import gaming_detect

    found, created = gaming_detect(since=timezone.now() - dt.timedelta(days=90))
    return {"found": found, "created": created}


@task()
def colour_forecast_morning(slot: str = "") -> dict[str, Any]:
    """07:30 on working days: the colour forecast to each head of unit (issue 27
    point 1); idempotent (one notification per head, unit and day)."""
    from motcua.monitoring.forecast_data import forecast_notify_heads

    return {"slot": slot, "sent": forecast_notify_heads()}


@task()
def weekly_snapshots_verify_nightly(slot: str = "") -> dict[str, Any]:
    """Every night: verify every frozen weekly report (law.md R28a) — signature, hashes,
    the chain and the audit anchor, as `motcua weekly_verify` does. A broken snapshot is
    logged as an error and told to the supervisors and administrators (once per
    snapshot, problem set and day)."""
    from motcua.monitoring.snapshots import snapshots_verify_and_alert

    return {"slot": slot, **snapshots_verify_and_alert()}
