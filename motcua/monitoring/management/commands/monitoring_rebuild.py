"""`motcua monitoring_rebuild`: recompute every per-unit, per-procedure, per-day
aggregate row from the dossiers and their events, and the feedback (PAKN) and
rating counters of Decision 766 group 5 (gives the same rows as the live
updater)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from motcua.monitoring.updater import rebuild


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu tổng hợp giám sát từ hồ sơ và nhật ký xử lý."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = rebuild()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Đã tính lại: {result.dossiers} hồ sơ, {result.rows} dòng số liệu ngày, "
            f"{result.feedback_days} ngày có phản ánh, kiến nghị ({elapsed:.1f} giây)."
        )
