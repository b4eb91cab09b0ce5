"""`motcua demo_generate --dossiers N --years Y`: bulk realistic dossiers (issue 11)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from motcua.core.generator import generate


class Command(BaseCommand):
    help = "Sinh N hồ sơ mẫu trong Y năm gần nhất (phục vụ kiểm thử tải, đo hiệu năng)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dossiers", type=int, default=10_000, help="số hồ sơ cần sinh")
        parser.add_argument("--years", type=float, default=1.0, help="số năm lịch sử")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--chunk", type=int, default=5000, help="số hồ sơ mỗi giao dịch")
        parser.add_argument(
            "--check-foreign-keys",
            action="store_true",
            help="luôn kiểm tra khóa ngoại (PostgreSQL: chậm hơn khoảng 3 lần khi nạp số lớn)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] >= 1

        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if verbose and (done == total or done % (options["chunk"] * 20) == 0):
                rate = done / max(time.perf_counter() - started, 1e-9)
                self.stdout.write(f"  {done:,}/{total:,} ({rate:,.0f} hồ sơ/s)")

        result = generate(
            dossiers=options["dossiers"],
            years=options["years"],
            seed=options["seed"],
            chunk=options["chunk"],
            progress=progress,
            check_foreign_keys=options["check_foreign_keys"],
        )
        self.stdout.write(
            f"Đã sinh {result.dossiers:,} hồ sơ ({result.rows:,} dòng) trong "
            f"{result.seconds:.1f} s — {result.rows_per_second:,.0f} dòng/s. "
            "Chạy `motcua monitoring_rebuild` để cập nhật số liệu giám sát."
        )
