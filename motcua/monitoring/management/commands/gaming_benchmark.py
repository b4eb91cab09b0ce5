"""`motcua gaming_benchmark [--dossiers N] [--per-kind K] [--json]`: precision of the
gaming detectors (law.md R28b). Generates N demo dossiers (`demo_generate`; 0 = use the
history already in the database), runs the detectors on that clean history, plants K
cases of each signal, runs them again and prints found / planted / precision / recall
per detector. Everything is rolled back at the end: the database is left unchanged."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from motcua.monitoring import gaming_bench


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Đo độ chính xác của các bộ phát hiện gian lận số liệu trên lịch sử mẫu."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dossiers", type=int, default=2000, help="số hồ sơ mẫu sinh thêm")
        parser.add_argument("--per-kind", type=int, default=gaming_bench.PLANTED_PER_KIND)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.core.generator import generate

        started = time.perf_counter()
        result: dict[str, Any] = {}
        try:
            with transaction.atomic():
                if options["dossiers"] > 0:
                    generate(dossiers=options["dossiers"], seed=options["seed"])
                result = gaming_bench.measure(per_kind=options["per_kind"])
                raise _Rollback
        except _Rollback:
            pass
        elapsed = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(
            f"{'detector':<24} {'clean':>6} {'found':>6} {'true':>5} {'planted':>8}"
            f" {'precision':>10} {'recall':>7}"
        )
        for kind, r in result.items():
            p = "-" if r["precision"] is None else f"{r['precision']:.2f}"
            rc = "-" if r["recall"] is None else f"{r['recall']:.2f}"
            self.stdout.write(
                f"{kind:<24} {r['clean']:>6} {r['found']:>6} {r['true']:>5} {r['planted']:>8}"
                f" {p:>10} {rc:>7}"
            )
            if options["verbosity"] >= 2:
                for line in r["clean_rules"]:
                    self.stdout.write(f"    clean: {line}")
        self.stdout.write(f"({elapsed:.1f} s)")
