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

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        with path.open(encoding="utf-8-sig") as fh:
            report = import_lines(fh, source=path.name)
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
        for line, code in report.skipped:
            self.stdout.write(f"  dòng {line}: hồ sơ {code} đã có, bỏ qua")
        for line, message in report.errors:
            self.stderr.write(f"  dòng {line}: {message}")
        if report.errors:
            sys.exit(1)
