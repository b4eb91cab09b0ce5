"""`motcua catalog_import FILE`: load procedures in the documented JSON format
(docs/catalog-format.md). All or nothing: any error leaves the catalogue unchanged."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.interchange import CatalogImportError, import_catalogue


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục từ tệp JSON (định dạng docs/catalog-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Đường dẫn tệp JSON, hoặc - để đọc từ stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            if path == "-":
                import sys

                data = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp: {exc}") from exc
        try:
            result = import_catalogue(data)
        except CatalogImportError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        for warning in result.warnings:
            self.stderr.write(warning)
        self.stdout.write(
            f"Thủ tục: thêm {result.created}, phiên bản mới {result.new_versions}, "
            f"không đổi {result.unchanged}; thẩm quyền: thêm {result.competences_created}."
        )
