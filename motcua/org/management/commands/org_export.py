"""`motcua org_export [FILE]`: write the organisation as JSON (stdout without FILE)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.org.interchange import export_json


class Command(BaseCommand):
    help = "Xuất cơ cấu tổ chức ra JSON (không có tệp thì in ra màn hình)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="Đường dẫn tệp JSON để ghi")

    def handle(self, *args: Any, **options: Any) -> None:
        text = export_json()
        if options["file"]:
            Path(options["file"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Đã ghi {options['file']}")
        else:
            self.stdout.write(text, ending="")
