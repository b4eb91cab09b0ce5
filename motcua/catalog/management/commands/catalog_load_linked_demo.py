"""`motcua catalog_load_linked_demo`: the Social Security unit and officers, the
member procedures and the two Project 06 linked bundles (law.md R40). Run by
`demo_load` after the demo history, so the generated year stays as it was. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from motcua.catalog.demo import load_demo_linked
from motcua.org.demo import linked_demo_load


class Command(BaseCommand):
    help = "Nạp nhóm thủ tục liên thông trình diễn (khai sinh, khai tử) (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        org = linked_demo_load()
        procedures, (created, updated) = load_demo_linked()
        for warning in procedures.warnings:
            self.stderr.write(warning)
        # Signing credentials for the officers just added (idempotent).
        call_command("documents_demo_pki", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(
            f"Liên thông: tài khoản thêm {org.users_created}; thủ tục thêm "
            f"{procedures.created}; nhóm thêm {created}, cập nhật {updated}."
        )
