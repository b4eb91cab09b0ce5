"""Verify the audit hash chain: exit 0 with "OK: N entries", non-zero when broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute every audit entry hash and link; report the first broken entry."
    # Verification must work even when unrelated parts of the project fail their checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000)
        parser.add_argument(
            "--anchor",
            metavar="SEQUENCE:HASH",
            help="A head printed by an earlier run (kept outside the database); "
            "fails if that entry is gone or different.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = None
        if options["anchor"]:
            sequence, _sep, digest = options["anchor"].partition(":")
            if not sequence.isdigit() or len(digest) != 64:
                raise CommandError("--anchor must look like 1234:<64 hex characters>")
            anchor = (int(sequence), digest.lower())
        result = verify_chain(chunk_size=options["chunk_size"], anchor=anchor)
        if result.ok:
            self.stdout.write(f"OK: {result.count} entries")
            self.stdout.write(f"head: {result.last_sequence}:{result.last_hash}")
            return
        raise CommandError(
            f"BROKEN at sequence {result.broken_sequence} (id {result.broken_id}): "
            f"{result.reason_code}: {result.reason} "
            f"[{result.count} entries verified before it]",
            returncode=2,
        )
