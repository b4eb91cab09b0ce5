"""`motcua demo_load`: load the Quảng Nam demo province — organisation, staff and citizens,
then every app's demo data in dependency order (catalogue, demo PKI, dossiers, …).
Idempotent: safe to run again on an existing database."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from motcua.org.demo import demo_load

# Other apps' demo loaders, in the order their data depend on each other. A loader that
# is not installed (app not present) is skipped.
APP_DEMO_COMMANDS = (
    "catalog_load_demo",
    "documents_demo_pki",
    "dossiers_demo",
    "monitoring_demo",
    "feedback_demo",
    "payments_demo",
    # Last: everything loaded above is history the national portal already has, so
    # the sync relay starts from what is new (issue 18).
    "sync_mark_history",
    # Dossiers filed on the sandbox national portal reach the province (issue 22); new,
    # so they are synced back through the outbox.
    "national_portal_demo",
    # Decision 766 1.4 reads the delivered outbox rows just written (issue 19)
    "monitoring_rebuild",
    # After the history: the Social Security unit and the linked bundles (issue 22).
    "catalog_load_linked_demo",
)


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn (tỉnh Quảng Nam, cán bộ mẫu, công dân mẫu, dữ liệu các phân hệ)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--org-only", action="store_true", help="chỉ nạp tổ chức, cán bộ và công dân mẫu"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load()
        org = result.org
        self.stdout.write(
            f"Đơn vị: thêm {org.created}, cập nhật {org.updated}, không đổi {org.unchanged}; "
            f"quan hệ kế thừa: thêm {org.successions_created}; "
            f"tài khoản: thêm {result.users_created}; phân công: thêm "
            f"{result.assignments_created}; ủy quyền: thêm {result.delegations_created}."
        )
        if not result.changed:
            self.stdout.write("Dữ liệu trình diễn đã có sẵn; không có gì thay đổi.")
        if options["org_only"]:
            return
        available = get_commands()
        for name in APP_DEMO_COMMANDS:
            if name in available:
                self.stdout.write(f"→ {name}")
                call_command(name, stdout=self.stdout, stderr=self.stderr)
