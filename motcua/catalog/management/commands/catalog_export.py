"""`motcua catalog_export [FILE]`: write the catalogue (version in force of each
procedure) as JSON; to stdout when no file is given. `--xlsx FILE` writes the
officers' spreadsheet instead."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.interchange import export_catalogue
from motcua.catalog.xlsx import catalogue_xlsx


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục ra JSON (mặc định ra stdout) hoặc XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="Tệp đích; bỏ trống để in ra stdout")
        parser.add_argument("--xlsx", action="store_true", help="Xuất bảng tính Excel")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options.get("file")
        if options["xlsx"]:
            if not path:
                self.stderr.write("Cần tên tệp khi xuất XLSX.")
                return
            with open(path, "wb") as fh:
                fh.write(catalogue_xlsx())
            return
        text = json.dumps(export_catalogue(), ensure_ascii=False, indent=1)
        if path:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        else:
            self.stdout.write(text)
