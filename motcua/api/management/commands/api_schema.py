"""Write the OpenAPI document to docs/api/openapi.json, or check it is up to date.

motcua api_schema            # regenerate the committed file
motcua api_schema --check    # exit 1 when the served document differs (CI)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.api import openapi


class Command(BaseCommand):
    help = "Write docs/api/openapi.json (or --check that it matches /api/v1/openapi.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if the file is stale")

    def handle(self, *args: Any, **options: Any) -> None:
        schema = openapi.served_schema()
        missing = openapi.problems(schema)
        if missing:
            raise CommandError("incomplete operations:\n" + "\n".join(missing))
        text = openapi.render(schema)
        path = openapi.COMMITTED_PATH
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                raise CommandError(
                    f"{path} is out of date with /api/v1/openapi.json; "
                    f"regenerate it with: {openapi.REGENERATE_COMMAND}"
                )
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path} ({len(schema.get('paths', {}))} paths).")
