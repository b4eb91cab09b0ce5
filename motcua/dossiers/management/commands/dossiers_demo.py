"""`motcua dossiers_demo`: demo dossiers in various states (after demo_load and
catalog_load_demo). Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.demo import DemoNotReady, dossiers_demo


class Command(BaseCommand):
    help = "Tạo hồ sơ trình diễn ở nhiều trạng thái (chạy sau demo_load và catalog_load_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = dossiers_demo()
        except DemoNotReady as exc:
            raise CommandError(str(exc)) from exc
        if created:
            self.stdout.write(f"Đã tạo {len(created)} hồ sơ trình diễn: {', '.join(created)}.")
        else:
            self.stdout.write("Hồ sơ trình diễn đã có sẵn; không có gì thay đổi.")
