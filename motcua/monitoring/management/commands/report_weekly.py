"""`motcua report_weekly --week 2026-W48 --out DIR`: build, sign and archive the Friday
weekly report (Directive 04, law.md §13.3) and write its PDF and XLSX to DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.monitoring.periods import PeriodError
from motcua.monitoring.reports import iso_week, week_of, weekly_report_generate


class Command(BaseCommand):
    help = "Lập báo cáo tuần (PDF, XLSX), ký số, lưu trữ và gửi thư cho lãnh đạo."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--week", help="tuần ISO, ví dụ 2026-W48 (mặc định: tuần hiện tại)")
        parser.add_argument("--out", help="thư mục ghi tệp PDF và XLSX")
        parser.add_argument("--no-email", action="store_true", help="không gửi thư")

    def handle(self, *args: Any, **options: Any) -> None:
        week = options["week"] or week_of(timezone.localdate())
        try:
            iso_week(week)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        report = weekly_report_generate(week=week, send=not options["no_email"])
        self.stdout.write(
            f"Báo cáo tuần {report.week}: {report.start:%d/%m/%Y} – {report.end:%d/%m/%Y}; "
            f"ký bởi: {report.signed_by or 'chưa ký (không có chứng thư cơ quan)'}; "
            f"gửi thư: {len(report.emailed_to)} người."
        )
        for error in report.summary.get("invariant_errors", []):
            self.stderr.write(f"Cảnh báo số liệu: {error}")
        if options["out"]:
            out = Path(options["out"])
            out.mkdir(parents=True, exist_ok=True)
            pdf = out / f"bao-cao-tuan-{report.week}.pdf"
            xlsx = out / f"bao-cao-tuan-{report.week}.xlsx"
            pdf.write_bytes(bytes(report.pdf))
            xlsx.write_bytes(bytes(report.xlsx))
            self.stdout.write(f"Đã ghi {pdf} và {xlsx}.")
