"""`motcua workdays_import FILE [--replace] [--unit CODE]` — load official calendar data.

FILE is JSON: {"days_off": ["2026-02-16", ...], "working_days": ["2026-08-22"],
"basis": "Thông báo ... của Bộ Nội vụ"} (format in docs/workdays.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.org.models import OrgUnit
from motcua.workdays.services import overrides_import


class Command(BaseCommand):
    help = "Nạp dữ liệu lịch làm việc chính thức (ngày nghỉ, ngày làm việc bù) từ tệp JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Tệp JSON (xem docs/workdays.md)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Xóa dữ liệu đã có của các năm trong tệp (cùng phạm vi) trước khi nạp",
        )
        parser.add_argument("--unit", help="Mã đơn vị, nếu là quyết định riêng của đơn vị")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được {path}: {exc}") from exc
        unit = None
        if options.get("unit"):
            try:
                unit = OrgUnit.objects.get(code=options["unit"])
            except OrgUnit.DoesNotExist as exc:
                raise CommandError(f"Không có đơn vị mã {options['unit']}") from exc
        try:
            result = overrides_import(actor=None, data=data, unit=unit, replace=options["replace"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        years = ", ".join(str(y) for y in result.years)
        self.stdout.write(
            f"Đã nạp {result.created_or_updated} ngày cho năm {years}"
            f" (xóa {result.deleted} ngày cũ)."
        )
