"""`motcua catalog_load_demo`: load the demo procedure catalogue (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.catalog.demo import load_demo_catalogue


class Command(BaseCommand):
    help = "Nạp danh mục thủ tục hành chính trình diễn (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo_catalogue()
        for warning in result.warnings:
            self.stderr.write(warning)
        self.stdout.write(
            f"Thủ tục: thêm {result.created}, phiên bản mới {result.new_versions}, "
            f"không đổi {result.unchanged}; thẩm quyền: thêm {result.competences_created}."
        )
