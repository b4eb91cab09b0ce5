"""`motcua weekly_verify [--week 2026-W11]`: verify the frozen weekly reports (issue 27
point 5, law.md R28a): signature, hashes of the stored files and data, the chain to the
previous snapshot and the anchor in the audit chain. Exit code 2 when anything broke."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.monitoring.periods import PeriodError
from motcua.monitoring.reports import iso_week
from motcua.monitoring.snapshots import snapshots_verify


class Command(BaseCommand):
    help = "Kiểm tra các báo cáo tuần đã chốt: chữ ký số, mã băm, chuỗi liên kết."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--week", help="tuần ISO, ví dụ 2026-W48 (mặc định: tất cả)")

    def handle(self, *args: Any, **options: Any) -> None:
        week = options["week"]
        if week:
            try:
                iso_week(week)
            except PeriodError as exc:
                raise CommandError(str(exc)) from exc
            week = week.upper()
        checks = snapshots_verify(week)
        if not checks:
            raise CommandError(
                "Không có báo cáo tuần đã chốt" + (f" cho tuần {week}." if week else ".")
            )
        broken = 0
        for check in checks:
            if check.ok:
                self.stdout.write(
                    f"OK: {check.label}" + (f" — {check.signature}" if check.signature else "")
                )
            else:
                broken += 1
                for problem in check.problems:
                    self.stderr.write(f"HỎNG: {check.label}: {problem}")
        if broken:
            raise CommandError(f"{broken}/{len(checks)} bản chốt không đạt kiểm tra.", returncode=2)
        self.stdout.write(f"Tất cả {len(checks)} bản chốt đều nguyên vẹn.")
