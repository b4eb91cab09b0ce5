"""motcua national_portal_inbound [--no-pull] [--retry-failed]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations import inbound


class Command(BaseCommand):
    help = (
        "Lấy hồ sơ nộp trên Cổng DVCQG, tạo hồ sơ chờ tiếp nhận và xác nhận với Cổng "
        "(một lượt; việc định kỳ national-portal-sync cũng làm việc này)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-pull", action="store_true", help="only import and acknowledge")
        parser.add_argument(
            "--retry-failed", action="store_true", help="queue the failed records again first"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["retry_failed"]:
            self.stdout.write(f"requeued={inbound.inbound_retry_failed()}")
        result = inbound.run_inbound(pull=not opts["no_pull"])
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.as_dict().items()))
