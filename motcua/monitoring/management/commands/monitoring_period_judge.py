"""`motcua monitoring_period_judge --period quarter --date 2026-02-10 [--replace]`: judge
the dossiers of a closed period other than a month that were open at their reception
month's end at the end of the period's last day (law.md §4.4; docs/monitoring.md
"Judging instant"). The scheduler and the first query do it automatically; `--replace`
recomputes a kept judgement (audited `monitoring.period_judgement_replace`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.monitoring.periods import PeriodError, period_for
from motcua.monitoring.services import period_judgement_take


class Command(BaseCommand):
    help = "Đánh giá hồ sơ tại ngày cuối của một kỳ đã kết thúc (tuần, quý, năm...)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--period", default="quarter", help="week, quarter, half, nine_months, year"
        )
        parser.add_argument("--date", required=True, help="một ngày trong kỳ (YYYY-MM-DD)")
        parser.add_argument("--replace", action="store_true", help="tính lại (ghi nhật ký)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_for(options["period"], dt.date.fromisoformat(options["date"]))
        except (PeriodError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        judged = period_judgement_take(
            start=period.start, end=period.end, replace=options["replace"]
        )
        self.stdout.write(f"Đã đánh giá {judged} hồ sơ cho kỳ {period.start} – {period.end}.")
