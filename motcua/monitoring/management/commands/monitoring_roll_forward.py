"""`motcua monitoring_roll_forward OLD_CODE NEW_CODE`: count a unit's history under its
successor (after a reorganisation); closed-period snapshots are not changed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from motcua.monitoring.services import roll_forward_create
from motcua.org.models import OrgUnit


class Command(BaseCommand):
    help = "Chuyển số liệu lịch sử của đơn vị cũ sang đơn vị kế thừa."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source")
        parser.add_argument("target")
        parser.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source = OrgUnit.objects.get(code=options["source"])
            target = OrgUnit.objects.get(code=options["target"])
        except OrgUnit.DoesNotExist as exc:
            raise CommandError("Không tìm thấy đơn vị.") from exc
        try:
            roll_forward_create(actor=None, source=source, target=target, note=options["note"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Đã chuyển lịch sử {source.code} → {target.code}.")
