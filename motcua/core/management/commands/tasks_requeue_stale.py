"""`motcua tasks_requeue_stale --older-than SECONDS`: retry jobs left RUNNING by a dead
worker (see motcua.core.task_recovery)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.task_recovery import requeue_stale


class Command(BaseCommand):
    help = (
        "Đưa các công việc nền đang ở trạng thái RUNNING quá lâu (tiến trình xử lý đã chết) "
        "về hàng đợi để chạy lại."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=3600,
            metavar="SECONDS",
            help="Only jobs started more than this many seconds ago (longer than any job).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = requeue_stale(older_than=dt.timedelta(seconds=options["older_than"]))
        self.stdout.write(f"requeued: {len(ids)}")
        for pk in ids:
            self.stdout.write(f"  {pk}")
