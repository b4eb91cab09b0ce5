"""`motcua restore FILE.tar.gz`: verify, load into an empty migrated database, check
the audit chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a `motcua backup` archive into an EMPTY migrated database: every checksum "
        "is verified before anything is written; the audit chain is verified at the end."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore_backup(
                options["archive"], using=options["database"], log=self.stdout.write
            )
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {report.rows} rows, {report.files} files, "
                f"audit chain {report.audit_entries} entries verified "
                f"(head {report.audit_head})"
            )
        )
