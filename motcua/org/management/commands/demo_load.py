"""`motcua demo_load`: load the Quảng Nam demo organisation, staff and citizens.
Idempotent: safe to run again on an existing database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.org.demo import demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn (tỉnh Quảng Nam, cán bộ mẫu, công dân mẫu)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load()
        org = result.org
        self.stdout.write(
            f"Đơn vị: thêm {org.created}, cập nhật {org.updated}, không đổi {org.unchanged}; "
            f"quan hệ kế thừa: thêm {org.successions_created}; "
            f"tài khoản: thêm {result.users_created}; phân công: thêm "
            f"{result.assignments_created}; ủy quyền: thêm {result.delegations_created}."
        )
        if not result.changed:
            self.stdout.write("Dữ liệu trình diễn đã có sẵn; không có gì thay đổi.")
