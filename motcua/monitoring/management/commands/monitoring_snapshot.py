"""`motcua monitoring_snapshot --period month --date 2026-10-15 [--replace]`: freeze the
scores of a closed period (the scheduler does it automatically after each close)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.monitoring.periods import PeriodError, period_for
from motcua.monitoring.services import period_snapshot_take


class Command(BaseCommand):
    help = "Chốt số liệu điểm của một kỳ đã kết thúc."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", default="month", help="week, month, quarter, year")
        parser.add_argument("--date", required=True, help="một ngày trong kỳ (YYYY-MM-DD)")
        parser.add_argument("--replace", action="store_true", help="chốt lại (ghi nhật ký)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_for(options["period"], dt.date.fromisoformat(options["date"]))
        except (PeriodError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        taken = period_snapshot_take(
            kind=period.kind, start=period.start, end=period.end, replace=options["replace"]
        )
        self.stdout.write(f"Đã chốt {taken} đơn vị cho kỳ {period.start} – {period.end}.")
