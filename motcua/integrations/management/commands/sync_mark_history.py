"""motcua sync_mark_history: record the dossier history that predates the national-portal
sync as already synced, so the relay starts from what is new (integrations/history.py).
Runs once; `motcua demo_load` calls it after loading the demo history."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.integrations.history import outbox_history_mark


class Command(BaseCommand):
    help = "Đánh dấu lịch sử hồ sơ trước khi bật đồng bộ là đã đồng bộ (chạy một lần)."

    def handle(self, *args: Any, **opts: Any) -> None:
        result = outbox_history_mark()
        if result.marked:
            self.stdout.write(
                f"Lịch sử đồng bộ: {result.delivered} hồ sơ đã đồng bộ; "
                f"chuyển tiếp bắt đầu sau sự kiện #{result.watermark}."
            )
        else:
            self.stdout.write("Lịch sử đồng bộ đã được đánh dấu trước đó; không có gì thay đổi.")
