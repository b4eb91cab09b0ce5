"""`motcua workdays_recompute [--apply] [--provider NAME]` — list issued appointments whose
due moment would change under the current calendar; `--apply` writes them (audited)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.workdays.calendar import to_local
from motcua.workdays.recompute import appointments_recompute, providers


class Command(BaseCommand):
    help = "Liệt kê (và với --apply: cập nhật) các ngày hẹn đã cấp sẽ thay đổi theo lịch hiện tại."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Cập nhật ngày hẹn mới")
        parser.add_argument("--provider", action="append", help="Chỉ xét nguồn này")

    def handle(self, *args: Any, **options: Any) -> None:
        if not providers():
            self.stdout.write("Chưa có nguồn ngày hẹn nào được đăng ký.")
        changes = appointments_recompute(apply=options["apply"], names=options.get("provider"))
        for item in changes:
            change = item.change
            new = to_local(change.new_due).isoformat()
            self.stdout.write(
                f"{item.provider}:{change.appointment.id}\t"
                f"{to_local(change.appointment.issued_due).isoformat()} -> {new}"
            )
        verb = f"đã cập nhật {len(changes)}" if options["apply"] else "chưa cập nhật (dùng --apply)"
        self.stdout.write(f"{len(changes)} ngày hẹn sẽ thay đổi; {verb}.")
