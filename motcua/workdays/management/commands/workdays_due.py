"""`motcua workdays_due --start 2026-02-13T16:00 (--days N | --hours N | --same-day |
--calendar-days N | --months N | --paper-transfer) [--across-levels] [--rules NAME]
[--unit CODE] [--explain]` — print the due moment (ISO 8601, +07:00) as the last line.

`--rules` names the rule set (docs/law.md §1): `nd61-2018` (Decree 61/2018 + 107/2021,
Circular 01/2018, until 30/6/2025) or `nd118-2025` (Decree 118/2025, from 1/7/2025);
default: the set in force at `--start`. The sets differ on the paper transfer across
levels (law.md R10b)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.org.models import OrgUnit
from motcua.workdays.calendar import CalendarError, Duration, WorkCalendar, to_local
from motcua.workdays.selectors import civil_end_of_day, get_calendar

# Rule sets by the first day they apply (docs/law.md §1).
RULE_SETS = {
    "nd61-2018": dt.date(2018, 6, 21),
    "nd118-2025": dt.date(2025, 7, 1),
}


def rules_in_force(moment: dt.datetime) -> str:
    """The set in force at `moment`; the oldest one before any applied."""
    day = to_local(moment).date()
    started = [(start, name) for name, start in RULE_SETS.items() if start <= day]
    return max(started or [min((start, name) for name, start in RULE_SETS.items())])[1]


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
        group.add_argument("--calendar-days", type=int, help="Số ngày (theo lịch)")
        group.add_argument("--months", type=int, help="Số tháng")
        group.add_argument(
            "--paper-transfer",
            action="store_true",
            help="Hạn chuyển hồ sơ giấy đến cơ quan giải quyết (quy tắc 15 giờ)",
        )
        parser.add_argument(
            "--across-levels",
            action="store_true",
            help="Với --paper-transfer: chuyển đến cơ quan khác cấp",
        )
        parser.add_argument(
            "--rules",
            choices=sorted(RULE_SETS),
            help="Bộ quy tắc (mặc định: bộ quy tắc có hiệu lực tại --start)",
        )
        parser.add_argument("--unit", help="Mã đơn vị (giờ làm việc, ngày nghỉ riêng)")
        parser.add_argument("--explain", action="store_true", help="In giải thích từng ngày")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = to_local(dt.datetime.fromisoformat(options["start"]))
        except ValueError as exc:
            raise CommandError(f"--start không hợp lệ: {options['start']}") from exc
        rules = options.get("rules") or rules_in_force(start)
        for name in ("days", "hours", "calendar_days", "months"):
            if options.get(name) is not None and options[name] < 0:
                raise CommandError("Thời hạn không được âm")
        unit = None
        if options.get("unit"):
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"Không có đơn vị mã {options['unit']}")
        try:
            calendar = get_calendar(unit)
            due = self._due(calendar, start, rules, options)
        except CalendarError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(to_local(due).isoformat())

    def _due(
        self, calendar: WorkCalendar, start: dt.datetime, rules: str, options: dict[str, Any]
    ) -> dt.datetime:
        if options["explain"]:
            self.stdout.write(f"Bộ quy tắc: {rules}")
        end_of_day = civil_end_of_day()
        if options["calendar_days"] is not None:
            return calendar.add_calendar_days(
                start, options["calendar_days"], end_of_day=end_of_day
            )
        if options["months"] is not None:
            return calendar.add_months(start, options["months"], end_of_day=end_of_day)
        if options["paper_transfer"]:
            # Across levels: 1 working day under Decree 118/2025 Art. 20(1)(a); Decree
            # 61/2018 Art. 19(7) sets no limit, so its 15:00 rule (Art. 18) applies.
            across = options["across_levels"] and rules != "nd61-2018"
            return calendar.paper_transfer_due(start, across_levels=across)
        if options["same_day"]:
            duration = Duration.same_day()
        elif options["days"] is not None:
            duration = Duration.days(options["days"])
        else:
            duration = Duration.hours(options["hours"])
        if options["explain"]:
            explanation = calendar.explain(start, duration)
            for line in explanation.as_text():
                self.stdout.write(line)
            return explanation.due
        return calendar.add(start, duration)
