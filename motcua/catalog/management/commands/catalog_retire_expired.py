"""`motcua catalog_retire_expired`: mark versions whose end date has passed as retired
(daily; display only — the version in force is always chosen by dates)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.catalog.services import catalog_retire_expired


class Command(BaseCommand):
    help = "Chuyển các phiên bản thủ tục đã hết hiệu lực sang trạng thái 'Hết hiệu lực'."

    def handle(self, *args: Any, **options: Any) -> None:
        count = catalog_retire_expired()
        self.stdout.write(f"Đã chuyển {count} phiên bản sang hết hiệu lực.")
