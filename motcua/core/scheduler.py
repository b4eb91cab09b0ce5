"""Database side of the periodic-job scheduler: enqueue each due slot exactly once.

Pure slot arithmetic lives in motcua.core.scheduling; job declarations in
motcua.config.schedules.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from motcua.core.models import ScheduledJobRun
from motcua.core.scheduling import Job, latest_slot, next_slot, parse_jobs

logger = logging.getLogger(__name__)

MAX_SLEEP_SECONDS = 60.0


@dataclass(frozen=True)
class Enqueued:
    job: str
    slot: dt.datetime
    result_id: str


def load_jobs() -> list[Job]:
    from django.conf import settings

    from motcua.config.schedules import JOBS

    return parse_jobs(JOBS, default_tz=settings.TIME_ZONE)


def resolve_task(task_path: str) -> Task:
    obj = import_string(task_path)
    if not isinstance(obj, Task):
        raise TypeError(f"{task_path} is not a django.tasks Task (decorate it with @task)")
    return obj


def enqueue_due(jobs: list[Job], now: dt.datetime | None = None) -> list[Enqueued]:
    """Enqueue the latest due slot of every job that has not been enqueued yet.

    The ScheduledJobRun row and the enqueue share one transaction: with the database
    task backend both commit together; if enqueueing fails the row is rolled back and
    the next tick retries. The unique (job, slot) constraint makes concurrent
    schedulers safe: the loser of the race gets an IntegrityError and skips.
    """
    now = now or timezone.now()
    done: list[Enqueued] = []
    for job in jobs:
        slot = latest_slot(job.schedule, now)
        if ScheduledJobRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledJobRun.objects.create(
                    job=job.name, slot=slot, task_path=job.task_path
                )
                result = resolve_task(job.task_path).enqueue(slot=slot.isoformat())
                run.task_result_id = str(result.id)[:100]
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            logger.info("Job %s slot %s already enqueued by another scheduler", job.name, slot)
            continue
        except Exception:
            logger.exception("Could not enqueue job %s for slot %s", job.name, slot)
            continue
        logger.info("Enqueued job %s for slot %s (%s)", job.name, slot.isoformat(), result.id)
        done.append(Enqueued(job=job.name, slot=slot, result_id=str(result.id)))
    return done


def seconds_until_next(jobs: list[Job], now: dt.datetime) -> float:
    if not jobs:
        return MAX_SLEEP_SECONDS
    soonest = min(next_slot(job.schedule, now) for job in jobs)
    return max(0.5, min(MAX_SLEEP_SECONDS, (soonest - now).total_seconds()))


def run_forever(jobs: list[Job], stop: threading.Event) -> None:
    """Tick until `stop` is set (SIGTERM/SIGINT); sleeps are interruptible."""
    while not stop.is_set():
        try:
            enqueue_due(jobs)
        except Exception:  # e.g. database restarting: log, wait, retry
            logger.exception("Scheduler tick failed")
        finally:
            from django.db import close_old_connections

            close_old_connections()
        stop.wait(seconds_until_next(jobs, timezone.now()))
