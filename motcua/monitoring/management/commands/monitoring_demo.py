"""`motcua monitoring_demo`: a year of generated dossier history for the demo province,
then the aggregate rebuild (idempotent; called by `motcua demo_load`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from motcua.monitoring.demo import monitoring_demo


class Command(BaseCommand):
    help = "Sinh lịch sử hồ sơ một năm cho dữ liệu trình diễn và tính số liệu giám sát."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--per-unit", type=int, default=80, help="số hồ sơ bình quân mỗi đơn vị"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = monitoring_demo(per_unit=options["per_unit"])
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Lịch sử trình diễn: thêm {result.dossiers} hồ sơ; số liệu: "
            f"{result.rebuild.dossiers} hồ sơ, {result.rebuild.rows} dòng ({elapsed:.1f} giây)."
        )
