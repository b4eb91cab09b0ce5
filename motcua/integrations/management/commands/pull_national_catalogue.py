"""motcua pull_national_catalogue [--unit CODE]: LayThuTuc → catalogue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.integrations.services import catalogue_pull


class Command(BaseCommand):
    help = "Pull procedures from the national procedure database (LayThuTuc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", default="", help="madonvi (unit code) filter")

    def handle(self, *args: Any, **opts: Any) -> None:
        pull = catalogue_pull(unit_code=opts["unit"])
        if not pull.ok:
            raise CommandError(pull.error)
        self.stdout.write(
            f"received={pull.received} created={pull.created} "
            f"new_versions={pull.updated} unchanged={pull.unchanged}"
        )
