"""`motcua dossier_import FILE.jsonl`: load historical dossiers from a legacy system
(DongBoHoSoMC shape, see motcua/monitoring/legacy_import.py). Invalid lines are
reported with their numbers and write nothing; the exit status is 1 if any line failed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.monitoring.legacy_import import import_lines, refresh_imported


class Command(BaseCommand):
    help = "Nhập hồ sơ lịch sử từ hệ thống cũ (JSONL, cấu trúc DongBoHoSoMC, kèm MaDonVi)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="tệp JSONL, mỗi dòng một hồ sơ")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="chỉ kiểm tra: báo cáo từng dòng sẽ nhập, bỏ qua hay lỗi, không ghi gì",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        dry_run = options["dry_run"]
        with path.open(encoding="utf-8-sig") as fh:
            report = import_lines(fh, source=path.name, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Chạy thử (không ghi): sẽ nhập {len(report.imported)} hồ sơ; bỏ qua "
                f"{len(report.skipped)} hồ sơ đã có; {len(report.errors)} dòng lỗi."
            )
            self._lines(report)
            if report.errors:
                sys.exit(1)
            return
        refresh_imported(report.imported)
        from motcua.core.audit import audit_record

        audit_record(
            action="monitoring.dossier_import",
            after={
                "file": path.name,
                "imported": len(report.imported),
                "skipped": len(report.skipped),
                "errors": len(report.errors),
            },
        )
        self.stdout.write(
            f"Đã nhập {len(report.imported)} hồ sơ; bỏ qua {len(report.skipped)} hồ sơ đã có; "
            f"{len(report.errors)} dòng lỗi."
        )
        self._lines(report)
        if report.errors:
            sys.exit(1)

    def _lines(self, report: Any) -> None:
        for line, code in report.skipped:
            self.stdout.write(f"  dòng {line}: hồ sơ {code} đã có, bỏ qua")
        for line, message in report.errors:
            self.stderr.write(f"  dòng {line}: bị từ chối — {message}")
