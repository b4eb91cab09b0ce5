"""motcua national_portal_demo: citizens file sample dossiers on the sandbox national
portal (idempotent demo data); the first ones are imported at once, the last one is left
for the worker's next pull so `make demo` shows the channel working live."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.sandbox_portal.demo import file_samples


class Command(BaseCommand):
    help = "Nộp hồ sơ mẫu trên Cổng DVCQG giả lập và chuyển về tỉnh (dữ liệu trình diễn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=3)

    def handle(self, *args: Any, **opts: Any) -> None:
        from motcua.integrations import inbound

        count = max(opts["count"], 2)
        filed = file_samples(count - 1, push=False, prefix="QG-DEMO")
        # These arrive now, by the pull (as the every-minute job would) …
        result = inbound.run_inbound(pull=True)
        # … and the last one is left on the portal for the worker's next pull.
        filed += file_samples(1, push=False, prefix="QG-DEMO", first=count)
        self.stdout.write(
            f"Cổng DVCQG giả lập: {len(filed)} hồ sơ; "
            + " ".join(f"{k}={v}" for k, v in result.as_dict().items())
        )
