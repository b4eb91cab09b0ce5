"""`motcua org_import FILE`: upsert organisation units and succession links from JSON
(docs/org-format.md). Nothing is written when the file has any error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.org.interchange import OrgImportError, import_json


class Command(BaseCommand):
    help = "Nhập cơ cấu tổ chức từ tệp JSON (xem docs/org-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Đường dẫn tệp JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from exc
        try:
            result = import_json(text)
        except OrgImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"- {error}")
            raise CommandError(
                f"Tệp có {len(exc.errors)} lỗi; không có dữ liệu nào được ghi."
            ) from exc
        if options["verbosity"] > 1:
            for message in result.messages:
                self.stdout.write(message)
        self.stdout.write(
            f"Đơn vị: thêm {result.created}, cập nhật {result.updated}, "
            f"không đổi {result.unchanged}. Quan hệ kế thừa: thêm "
            f"{result.successions_created}, cập nhật {result.successions_updated}."
        )
