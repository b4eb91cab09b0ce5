"""motcua sandbox_idp_seed: demo citizens of the sandbox VNeID provider."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.sandbox_idp.seed import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Create the demo citizens and client of the sandbox VNeID provider."

    def handle(self, *args: Any, **opts: Any) -> None:
        for c in seed():
            self.stdout.write(f"{c.personal_id}  {c.full_name}  level {c.level}")
        self.stdout.write(f"password: {DEMO_PASSWORD}")
