"""`motcua run_worker`: start the background-job worker of the configured backend.

MOTCUA_TASKS_BACKEND=db (default) runs django-tasks-db's `db_worker` (claims rows with
SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so several hosts can run it);
MOTCUA_TASKS_BACKEND=redis runs django-tasks-redis's `run_redis_tasks`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý công việc nền theo cấu hình MOTCUA_TASKS_BACKEND."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-tasks", type=int, default=None, help="stop after N tasks")
        parser.add_argument(
            "--batch", action="store_true", help="stop when the queue is empty (db backend)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS_BACKEND
        max_tasks = options["max_tasks"]
        if backend == "db":
            extra = ["--max-tasks", str(max_tasks)] if max_tasks else []
            if options["batch"]:
                extra += ["--batch", "--no-startup-delay"]
            call_command("db_worker", "--queue-name", "*", *extra)
        elif backend == "redis":
            extra = ["--max-tasks", str(max_tasks)] if max_tasks else ["--continuous"]
            call_command("run_redis_tasks", *extra)
        elif backend == "immediate":
            self.stdout.write("Tasks run immediately in-process; no worker needed.")
        else:
            raise CommandError(f"Unknown MOTCUA_TASKS_BACKEND {backend!r}")
