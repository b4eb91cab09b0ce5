"""`motcua gaming_detect [--since YYYY-MM-DD]`: run the gaming detectors (law.md R28b)
over dossiers received since the date (default: 90 days ago) and store new signals;
running it again adds nothing new (signals are keyed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.monitoring.gaming_store import gaming_detect


class Command(BaseCommand):
    help = "Phát hiện dấu hiệu gian lận số liệu giải quyết hồ sơ (lưu dấu hiệu mới)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--since", help="từ ngày tiếp nhận (YYYY-MM-DD), mặc định 90 ngày trước"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since: dt.datetime
        if options.get("since"):
            try:
                day = dt.date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError("Ngày không hợp lệ, cần dạng YYYY-MM-DD.") from exc
            since = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        else:
            since = timezone.now() - dt.timedelta(days=90)
        found, created = gaming_detect(since=since)
        self.stdout.write(f"Dấu hiệu phát hiện: {found}, mới: {created}.")
