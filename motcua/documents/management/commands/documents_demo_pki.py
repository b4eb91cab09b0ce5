"""`motcua documents_demo_pki`: create the demo CA, TSA and officer/unit tokens
(idempotent; run by `make setup` after demo_load)."""

from typing import Any

from django.core.management.base import BaseCommand

from motcua.documents import pki
from motcua.documents.demo_pki import provision


class Command(BaseCommand):
    help = "Tạo CA demo (KHÔNG tin cậy ngoài bản demo), TSA và chứng thư ký số cho cán bộ, đơn vị."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-officers", action="store_true", help="only the CA, TSA, CRL and trust anchor"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = provision(officers=not options["no_officers"])
        self.stdout.write(
            f"Demo PKI in {pki.pki_dir()}: {counts['personal']} officer token(s), "
            f"{counts['agency']} unit token(s) created. Root: {pki.ROOT_NAME}"
        )
