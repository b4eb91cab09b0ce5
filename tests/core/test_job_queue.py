"""Background jobs go through a real queue: django-tasks-db (default) and Redis (by setting)."""

import uuid

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import override_settings

from motcua.accounts.tasks import purge_login_throttles


@pytest.mark.django_db(transaction=True)
def test_database_queue_holds_the_task_until_a_worker_runs_it():
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=tasks):
        result = purge_login_throttles.enqueue(slot="2026-11-27T03:00:00+07:00")
        result.refresh()
        assert result.status == TaskResultStatus.READY  # queued, not run in-process
        call_command("db_worker", "--queue-name", "*", "--batch", "--no-startup-delay")
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value["deleted"] == 0


def _redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping())
    except Exception:
        return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_redis_queue_runs_the_same_task():
    tasks = {
        "default": {
            "BACKEND": "django_tasks_redis.backends.RedisTaskBackend",
            "OPTIONS": {
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "REDIS_KEY_PREFIX": f"motcua-test-{uuid.uuid4().hex[:8]}",
            },
        }
    }
    with override_settings(TASKS=tasks):
        result = purge_login_throttles.enqueue(slot="2026-11-27T03:00:00+07:00")
        assert result.status == TaskResultStatus.READY
        # The worker command object, as `motcua run_worker` runs it with the redis setting.
        from django_tasks_redis.management.commands.run_redis_tasks import Command

        call_command(Command(), "--max-tasks", "1")
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
