"""Long-running scheduler: enqueues the periodic jobs of motcua.config.schedules."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.scheduler import enqueue_due, load_jobs, run_forever


class Command(BaseCommand):
    help = "Enqueue periodic jobs when due (see motcua/config/schedules.py)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue what is due now and exit (for tests and system cron).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = load_jobs()
        if options["once"]:
            for item in enqueue_due(jobs):
                self.stdout.write(f"enqueued {item.job} {item.slot.isoformat()}")
            return

        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            self.stdout.write(f"Received signal {signum}, stopping scheduler")
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        names = ", ".join(f"{job.name} ({job.schedule})" for job in jobs)
        self.stdout.write(f"Scheduler started: {names}")
        run_forever(jobs, stop)
        self.stdout.write("Scheduler stopped")
