"""A task worker killed in the middle of a job: the job is retried after recovery and
its effect happens exactly once (docs/operations/faults.md)."""

from __future__ import annotations

import json
import time
from pathlib import Path

SETTINGS = "tests.reliability.worker_settings"

STATUS_SCRIPT = """
import json
from django_tasks_db.models import DBTaskResult
print(json.dumps([[r.status, r.return_value, len(r.worker_ids)]
                  for r in DBTaskResult.objects.all()]))
"""


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _status(run_motcua, env) -> list:
    done = run_motcua("shell", "-c", STATUS_SCRIPT, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_killed_worker_job_is_retried_and_applied_exactly_once(
    tmp_path: Path, run_motcua, empty_database, worker
):
    env = {"DATABASE_URL": empty_database("worker"), "DJANGO_SETTINGS_MODULE": SETTINGS}
    assert run_motcua("migrate", "--noinput", "-v0", env=env).returncode == 0
    work = tmp_path / "work"
    work.mkdir()
    (work / "hold").touch()
    enqueue = (
        "from tests.reliability.jobs import record_and_hold;"
        f"print(record_and_hold.enqueue(key='receipt-42', workdir={str(work)!r}).id)"
    )
    done = run_motcua("shell", "-c", enqueue, env=env)
    assert done.returncode == 0, done.stderr

    running = worker.start(env)
    try:
        attempts = work / "attempts.log"
        assert _wait_for(lambda: attempts.exists() and attempts.read_text().count("\n") == 1)
    finally:
        running.kill()  # SIGKILL: no chance to clean up
        running.wait(timeout=30)

    # The dead worker's claim stays: without recovery no worker would ever take it.
    assert _status(run_motcua, env) == [["RUNNING", None, 1]]
    # A job that has not been running for long is left alone (it may be alive).
    kept = run_motcua("tasks_requeue_stale", "--older-than", "3600", env=env)
    assert kept.returncode == 0 and "requeued: 0" in kept.stdout

    requeued = run_motcua("tasks_requeue_stale", "--older-than", "0", env=env)
    assert requeued.returncode == 0, requeued.stderr
    assert "requeued: 1" in requeued.stdout

    (work / "hold").unlink()
    second = worker.run_once(env, timeout=120)
    assert second.returncode == 0, second.stderr

    # Ran twice (killed once), finished once, and the effect exists exactly once.
    assert attempts.read_text().splitlines() == ["receipt-42", "receipt-42"]
    assert sorted(p.name for p in work.glob("effect-*")) == ["effect-receipt-42"]
    assert _status(run_motcua, env) == [["SUCCESSFUL", "already-applied", 2]]
    verified = run_motcua("audit_verify", env=env)
    assert verified.returncode == 0 and "OK: 1 entries" in verified.stdout
