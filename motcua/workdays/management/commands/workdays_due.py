"""`motcua workdays_due --start 2026-02-13T16:00 (--days N | --hours N | --same-day |
--calendar-days N | --months N | --paper-transfer) [--across-levels] [--rules NAME]
[--unit CODE] [--explain]` — print the due moment (ISO 8601, +07:00) as the last line.

`--rules` names a rule set of the registry (`motcua.dossiers.rulesets`, docs/law.md
§0.2: `nd61-2018`, `nd118-2025`, `nd118-2025-tt03`, `nd309-2026`); default: the set in
force at `--start`. The time limits differ between the sets on the paper transfer
across levels (law.md R10b: 1 working day from Decree 118, the 15:00 rule before)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers import rulesets
from motcua.dossiers.deadlines import DECREE_118_FROM as CROSS_LEVEL_FROM
from motcua.org.models import OrgUnit
from motcua.workdays.calendar import CalendarError, Duration, WorkCalendar, to_local
from motcua.workdays.selectors import civil_end_of_day, get_calendar


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
            choices=sorted(rulesets.REGISTRY),
            help="Bộ quy tắc (mặc định: bộ quy tắc có hiệu lực tại --start)",
        )
        parser.add_argument("--unit", help="Mã đơn vị (giờ làm việc, ngày nghỉ riêng)")
        parser.add_argument("--explain", action="store_true", help="In giải thích từng ngày")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = to_local(dt.datetime.fromisoformat(options["start"]))
        except ValueError as exc:
            raise CommandError(f"--start không hợp lệ: {options['start']}") from exc
        rules = (
            rulesets.get(options["rules"]) if options.get("rules") else rulesets.ruleset_at(start)
        )
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
        self,
        calendar: WorkCalendar,
        start: dt.datetime,
        rules: rulesets.RuleSet,
        options: dict[str, Any],
    ) -> dt.datetime:
        if options["explain"]:
            self.stdout.write(f"Bộ quy tắc: {rules.name}")
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
            across = options["across_levels"] and rules.effective_from >= CROSS_LEVEL_FROM
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
