"""`motcua backup --out FILE.tar.gz`: database + files in one verified archive."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup (database snapshot, document files, media, PKI) to a "
        "tar.gz archive with a SHA-256 manifest. See docs/operations/backup.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="Archive to write (FILE.tar.gz).")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = create_backup(
                options["out"], using=options["database"], log=self.stdout.write
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {rows} rows, {manifest['documents']} documents, "
                f"{len(manifest['members'])} members -> {options['out']}"
            )
        )
