"""Smoke test of `make bench-quick` (issue 23 deliverable 6): the quick benchmark runs on a
tiny count and reports CPU and queries for its three operations. Timings are never
checked (a benchmark, not a test); about 40 s, most of it loading the demo province."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the smoke run uses SQLite whatever the suite's database: CI runs it once, on SQLite",
)
def test_bench_quick_runs_and_reports_every_operation() -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {"BENCH_QUICK_N": "1", "BENCH_QUICK_WARMUP": "0", "BENCH_QUICK_WRITE": "0"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_quick.py")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = {
        line.rsplit(None, 2)[0]: float(line.rsplit(None, 2)[1])
        for line in proc.stdout.splitlines()
        if line.startswith("sqlite: ")
    }
    for operation in (
        "portal submission (form GET + POST)",
        "follow-up jobs per submission",
        "API create (create + attach + submit)",
    ):
        # Every operation really ran: it issued SQL (the count, not a time, is checked).
        assert figures[f"sqlite: {operation} queries"] > 0, proc.stdout
        assert f"sqlite: {operation} CPU" in figures
