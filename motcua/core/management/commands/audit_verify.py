"""Verify the audit hash chains: exit 0 with "OK: N entries" and the seal appended for
the verified tips ("head: seal:N:HASH", keep it off-site), non-zero when broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.audit import audit_seal, verify_chain


class Command(BaseCommand):
    help = "Recompute every audit entry hash and link; report the first broken entry."
    # Verification must work even when unrelated parts of the project fail their checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000)
        parser.add_argument(
            "--anchor",
            metavar="seal:N:HASH",
            help="A head printed by an earlier run (kept outside the database); fails if "
            "that seal, or a chain tip it sealed, is gone or different. The SEQUENCE:HASH "
            "form printed before the audit lanes names an entry of chain 0.",
        )
        parser.add_argument(
            "--no-seal",
            action="store_true",
            help="Only verify; do not append a seal of the verified tips.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = seal = None
        if options["anchor"]:
            raw = options["anchor"]
            is_seal = raw.startswith("seal:")
            number, _sep, digest = raw.removeprefix("seal:").partition(":")
            if not number.isdigit() or len(digest) != 64:
                raise CommandError("--anchor must look like seal:12:<64 hex characters>")
            if is_seal:
                seal = (int(number), digest.lower())
            else:
                anchor = (int(number), digest.lower())
        result = verify_chain(chunk_size=options["chunk_size"], anchor=anchor, seal=seal)
        if result.ok:
            self.stdout.write(f"OK: {result.count} entries")
            if options["no_seal"]:
                head = result.head or "(no seal yet)"
            else:
                head = str(audit_seal(result.heads))
            self.stdout.write(f"head: {head}")
            return
        raise CommandError(
            f"BROKEN at sequence {result.broken_sequence} (id {result.broken_id}): "
            f"{result.reason_code}: {result.reason} "
            f"[{result.count} entries verified before it]",
            returncode=2,
        )
