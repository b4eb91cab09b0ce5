"""Periodic job scheduler: slot arithmetic, declarations, idempotent enqueueing."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from motcua.config.schedules import JOBS
from motcua.core import tasks as core_tasks
from motcua.core.models import AuditVerification, ScheduledJobRun
from motcua.core.scheduler import enqueue_due, load_jobs
from motcua.core.scheduling import (
    ScheduleError,
    latest_slot,
    next_slot,
    parse_jobs,
    parse_schedule,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


# --- slot arithmetic (pure) ---------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (vn(2026, 11, 27, 10, 14, 59), vn(2026, 11, 27, 10, 0)),
        (vn(2026, 11, 27, 10, 15, 0), vn(2026, 11, 27, 10, 15)),
        (vn(2026, 11, 27, 0, 7), vn(2026, 11, 27, 0, 0)),
    ],
)
def test_every_15_minutes_slots_align_to_quarter_hours(now, expected):
    schedule = parse_schedule("every 15 minutes")
    assert latest_slot(schedule, now) == expected
    assert next_slot(schedule, now) == expected + dt.timedelta(minutes=15)


def test_daily_slot_is_local_time_and_rolls_back_before_the_hour():
    schedule = parse_schedule("daily at 02:30")
    assert latest_slot(schedule, vn(2026, 11, 27, 2, 30)) == vn(2026, 11, 27, 2, 30)
    assert latest_slot(schedule, vn(2026, 11, 27, 2, 29)) == vn(2026, 11, 26, 2, 30)
    # 02:30 in Hanoi is 19:30 UTC the day before.
    assert latest_slot(schedule, vn(2026, 11, 27, 9, 0)) == dt.datetime(
        2026, 11, 26, 19, 30, tzinfo=dt.UTC
    )
    assert next_slot(schedule, vn(2026, 11, 27, 9, 0)) == vn(2026, 11, 28, 2, 30)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 2026-11-27 is a Friday.
        (vn(2026, 11, 27, 16, 0), vn(2026, 11, 27, 16, 0)),
        (vn(2026, 11, 27, 15, 59), vn(2026, 11, 20, 16, 0)),
        (vn(2026, 11, 30, 8, 0), vn(2026, 11, 27, 16, 0)),  # Monday after
        (vn(2026, 11, 26, 23, 0), vn(2026, 11, 20, 16, 0)),  # Thursday before
    ],
)
def test_weekly_friday_slot(now, expected):
    schedule = parse_schedule("weekly on Friday at 16:00 Asia/Ho_Chi_Minh")
    assert latest_slot(schedule, now) == expected
    assert latest_slot(schedule, now).astimezone(VN).weekday() == 4


def test_explicit_time_zone_changes_the_instant():
    utc = parse_schedule("daily at 02:30 UTC")
    assert latest_slot(utc, dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)) == dt.datetime(
        2026, 11, 27, 2, 30, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    "spec",
    [
        "every 0 minutes",
        "daily at 25:00",
        "weekly on funday at 10:00",
        "hourly",
        "daily at 10:00 Mars/Base",
    ],
)
def test_invalid_specs_fail_loudly(spec):
    with pytest.raises(ScheduleError):
        parse_schedule(spec)


def test_duplicate_job_names_rejected():
    with pytest.raises(ScheduleError):
        parse_jobs([("a", "daily at 01:00", "x.y"), ("a", "daily at 02:00", "x.z")])


def test_declared_jobs_parse_and_point_at_real_tasks():
    from motcua.core.scheduler import resolve_task

    jobs = load_jobs()
    names = {job.name for job in jobs}
    assert {"audit-chain-verify", "deadline-sweep", "weekly-report"} <= names
    for job in jobs:
        resolve_task(job.task_path)  # raises if the path is not a django.tasks Task
    by_name = {job.name: job for job in jobs}
    friday = by_name["weekly-report"].schedule
    assert latest_slot(friday, vn(2026, 11, 28, 9, 0)) == vn(2026, 11, 27, 16, 0)


# --- enqueueing (database) ------------------------------------------------------


@pytest.fixture
def recorded(monkeypatch):
    """Record periodic hook calls instead of doing real work."""
    calls: list[tuple[str, dt.datetime]] = []
    monkeypatch.setattr(
        core_tasks,
        "_HOOKS",
        {
            "deadline-sweep": [lambda slot: calls.append(("deadline-sweep", slot))],
            "weekly-report": [lambda slot: calls.append(("weekly-report", slot))],
        },
    )
    return calls


@pytest.mark.django_db
def test_enqueue_is_idempotent_per_slot(recorded):
    jobs = parse_jobs([("deadline-sweep", "every 15 minutes", "motcua.core.tasks.deadline_sweep")])
    first = enqueue_due(jobs, now=vn(2026, 11, 27, 10, 3))
    again = enqueue_due(jobs, now=vn(2026, 11, 27, 10, 14))  # same slot: e.g. after a restart
    assert [item.slot for item in first] == [vn(2026, 11, 27, 10, 0)]
    assert again == []
    assert recorded == [("deadline-sweep", vn(2026, 11, 27, 10, 0))]
    later = enqueue_due(jobs, now=vn(2026, 11, 27, 10, 16))
    assert [item.slot for item in later] == [vn(2026, 11, 27, 10, 15)]
    assert ScheduledJobRun.objects.filter(job="deadline-sweep").count() == 2


@pytest.mark.django_db
def test_restart_after_downtime_runs_missed_weekly_slot_once(recorded):
    jobs = parse_jobs(
        [("weekly-report", "weekly on friday at 16:00", "motcua.core.tasks.weekly_friday_report")]
    )
    # Scheduler was down on Friday afternoon; it comes back on Saturday morning.
    enqueue_due(jobs, now=vn(2026, 11, 28, 8, 0))
    enqueue_due(jobs, now=vn(2026, 11, 28, 8, 1))
    assert recorded == [("weekly-report", vn(2026, 11, 27, 16, 0))]


@pytest.mark.django_db
def test_unique_job_slot_constraint_blocks_a_second_scheduler():
    slot = vn(2026, 11, 27, 10, 0)
    ScheduledJobRun.objects.create(job="deadline-sweep", slot=slot, task_path="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledJobRun.objects.create(job="deadline-sweep", slot=slot, task_path="x")


@pytest.mark.django_db
def test_losing_the_race_is_skipped_quietly(recorded, monkeypatch):
    """Another scheduler inserted the slot between our check and our insert."""
    jobs = parse_jobs([("deadline-sweep", "every 15 minutes", "motcua.core.tasks.deadline_sweep")])
    slot = vn(2026, 11, 27, 10, 0)
    real_filter = ScheduledJobRun.objects.filter

    def racing_filter(*args, **kwargs):
        qs = real_filter(*args, **kwargs)
        if not ScheduledJobRun.objects.all().exists():
            ScheduledJobRun.objects.create(job="deadline-sweep", slot=slot, task_path="other")
            return real_filter(pk=-1)  # our check saw nothing
        return qs

    monkeypatch.setattr(ScheduledJobRun.objects, "filter", racing_filter)
    assert enqueue_due(jobs, now=vn(2026, 11, 27, 10, 5)) == []
    assert recorded == []
    assert ScheduledJobRun.objects.get().task_path == "other"


@pytest.mark.django_db
def test_failed_enqueue_is_retried_on_next_tick(recorded, monkeypatch):
    jobs = parse_jobs([("deadline-sweep", "every 15 minutes", "motcua.core.tasks.deadline_sweep")])
    # Simulate a task backend that cannot enqueue at all (queue down).
    import motcua.core.scheduler as scheduler

    def broken_resolve(path):
        raise ConnectionError("queue down")

    monkeypatch.setattr(scheduler, "resolve_task", broken_resolve)
    assert enqueue_due(jobs, now=vn(2026, 11, 27, 10, 5)) == []
    assert not ScheduledJobRun.objects.exists()
    monkeypatch.undo()
    assert len(enqueue_due(jobs, now=vn(2026, 11, 27, 10, 5))) == 1


@pytest.mark.django_db
def test_run_scheduler_once_enqueues_declared_jobs(recorded, personas):
    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    jobs = set(ScheduledJobRun.objects.values_list("job", flat=True))
    assert jobs == {name for name, _schedule, _path in JOBS}
    assert {"audit-chain-verify", "deadline-sweep", "weekly-report"} <= jobs
    assert "enqueued deadline-sweep" in out.getvalue()
    # The nightly verification ran (immediate backend in tests) and recorded its outcome.
    verification = AuditVerification.objects.get()
    assert verification.ok is True and verification.finished_at is not None
    assert {name for name, _ in recorded} == {"deadline-sweep", "weekly-report"}
    call_command("run_scheduler", "--once", stdout=io.StringIO())
    assert ScheduledJobRun.objects.count() == len(JOBS)  # nothing enqueued twice


def test_periodic_tasks_are_no_op_safe_without_hooks(caplog, monkeypatch):
    monkeypatch.setattr(core_tasks, "_HOOKS", {"deadline-sweep": [], "weekly-report": []})
    result = core_tasks.deadline_sweep.call(slot="2026-11-27T03:00:00+00:00")
    assert result == {"job": "deadline-sweep", "slot": "2026-11-27T03:00:00+00:00", "hooks": 0}
    assert "no hook registered" in caplog.text


def test_register_periodic_hook_rejects_unknown_jobs():
    with pytest.raises(ValueError):
        core_tasks.register_periodic_hook("nope", lambda slot: None)


def test_run_forever_survives_a_failing_tick_and_stops_on_signal(monkeypatch):
    """A failing tick (e.g. database restarting) is logged and retried; the stop event
    (set by the SIGTERM handler) ends the loop."""
    import threading

    import motcua.core.scheduler as scheduler

    stop = threading.Event()
    calls: list[int] = []

    def tick(jobs, now=None):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database restarting")
        stop.set()
        return []

    monkeypatch.setattr(scheduler, "enqueue_due", tick)
    monkeypatch.setattr(scheduler, "seconds_until_next", lambda jobs, now: 0.01)
    monkeypatch.setattr("django.db.close_old_connections", lambda: None)
    scheduler.run_forever([], stop)
    assert len(calls) == 2


def test_sleep_until_next_slot_is_bounded():
    from motcua.core.scheduler import MAX_SLEEP_SECONDS, seconds_until_next

    jobs = parse_jobs([("deadline-sweep", "every 15 minutes", "x.y")])
    assert seconds_until_next(jobs, vn(2026, 11, 27, 10, 14, 58)) == 2.0
    weekly = parse_jobs([("w", "weekly on friday at 16:00", "x.y")])
    assert seconds_until_next(weekly, vn(2026, 11, 27, 10, 0)) == MAX_SLEEP_SECONDS


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_each_slot_once(monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: in-memory SQLite has no concurrent connections")
    import threading

    calls: list[dt.datetime] = []
    lock = threading.Lock()

    def hook(slot):
        with lock:
            calls.append(slot)

    monkeypatch.setattr(core_tasks, "_HOOKS", {"deadline-sweep": [hook], "weekly-report": []})
    jobs = parse_jobs([("deadline-sweep", "every 15 minutes", "motcua.core.tasks.deadline_sweep")])
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def scheduler_process() -> None:
        from django.db import connections

        try:
            barrier.wait()
            for minute in (1, 2, 16, 17):
                enqueue_due(jobs, now=vn(2026, 11, 27, 10, minute))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler_process) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(calls) == [vn(2026, 11, 27, 10, 0), vn(2026, 11, 27, 10, 15)]
    assert ScheduledJobRun.objects.count() == 2
