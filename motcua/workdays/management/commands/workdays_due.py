"""`motcua workdays_due --start 2026-02-13T16:00 (--days N | --hours N | --same-day)
[--unit CODE] [--explain]` — print the due moment (ISO 8601, +07:00) as the last line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.org.models import OrgUnit
from motcua.workdays.calendar import CalendarError, Duration, to_local
from motcua.workdays.selectors import get_calendar


class Command(BaseCommand):
    help = "Tính hạn giải quyết theo ngày/giờ làm việc (in ra thời điểm ISO 8601 ở dòng cuối)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--start", required=True, help="Thời điểm tiếp nhận, ISO 8601 (không múi giờ: giờ VN)"
        )
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--days", type=int, help="Số ngày làm việc")
        group.add_argument("--hours", type=int, help="Số giờ làm việc")
        group.add_argument("--same-day", action="store_true", help="Thủ tục giải quyết trong ngày")
        parser.add_argument("--unit", help="Mã đơn vị (giờ làm việc, ngày nghỉ riêng)")
        parser.add_argument("--explain", action="store_true", help="In giải thích từng ngày")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = to_local(dt.datetime.fromisoformat(options["start"]))
        except ValueError as exc:
            raise CommandError(f"--start không hợp lệ: {options['start']}") from exc
        try:
            if options["same_day"]:
                duration = Duration.same_day()
            elif options["days"] is not None:
                duration = Duration.days(options["days"])
            else:
                duration = Duration.hours(options["hours"])
        except CalendarError as exc:
            raise CommandError(str(exc)) from exc
        unit = None
        if options.get("unit"):
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"Không có đơn vị mã {options['unit']}")
        try:
            calendar = get_calendar(unit)
            if options["explain"]:
                explanation = calendar.explain(start, duration)
                for line in explanation.as_text():
                    self.stdout.write(line)
                due = explanation.due
            else:
                due = calendar.add(start, duration)
        except CalendarError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(to_local(due).isoformat())
