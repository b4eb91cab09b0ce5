"""`motcua personal_data_export --user USERNAME --out FILE.zip` (Decree 13/2023 Art. 14)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.privacy import export_personal_data


class Command(BaseCommand):
    help = "Xuất toàn bộ dữ liệu cá nhân của một tài khoản (tệp ZIP) theo yêu cầu của chủ thể."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username of the data subject")
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {options['user']!r}")
        blob = export_personal_data(user=user)
        Path(options["out"]).write_bytes(blob)
        self.stdout.write(f"OK: {len(blob)} bytes -> {options['out']}")
