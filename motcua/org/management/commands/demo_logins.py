"""`motcua demo_logins`: print the demo accounts (role, username, password, where to
log in, the page each lands on)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.org.demo import demo_login_rows

HEADERS = ("Vai trò", "Tên đăng nhập", "Mật khẩu", "Đăng nhập tại", "Trang chính")


class Command(BaseCommand):
    help = "In danh sách tài khoản trình diễn."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [HEADERS, *demo_login_rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
        line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
        self.stdout.write(line)
        for index, row in enumerate(rows):
            cells = " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(f"| {cells} |")
            if index == 0:
                self.stdout.write(line)
        self.stdout.write(line)
