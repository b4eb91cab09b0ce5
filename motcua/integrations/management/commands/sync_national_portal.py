"""motcua sync_national_portal [--once] [--relay-only] [--interval N]"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations.tasks import run_sync


class Command(BaseCommand):
    help = "Relay dossier events to the national-portal outbox and deliver due messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--relay-only", action="store_true", help="do not send")
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between passes")

    def handle(self, *args: Any, **opts: Any) -> None:
        while True:
            result = run_sync(deliver=not opts["relay_only"])
            self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
            if opts["once"]:
                return
            time.sleep(opts["interval"])
