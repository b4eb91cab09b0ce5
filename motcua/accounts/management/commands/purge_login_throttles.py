from typing import Any

from django.core.management.base import BaseCommand

from motcua.accounts.services import login_throttles_purge


class Command(BaseCommand):
    help = "Xóa các bộ đếm đăng nhập sai đã hết hạn (chạy hằng ngày)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = login_throttles_purge()
        self.stdout.write(f"Đã xóa {deleted} bộ đếm đăng nhập hết hạn.")
