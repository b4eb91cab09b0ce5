"""Benchmark: what the read log (issue 26, law.md R32a) adds to the officer's dossier page
and the worklist.

Run alone with `python benchmarks/bench_readlog.py` (figures printed and written to
benchmarks/results/<date>-readlog[-postgresql].json) or through `make bench`. A throwaway
SQLite file unless DATABASE_URL is set (then that database is migrated and used: give a
throwaway one). Test personas, one received and assigned dossier, the specialist's test
client; wall-clock p95 of BENCH_READLOG_N (default 200) GETs, the variants interleaved in
blocks of 10 so that machine noise hits them alike:

- dossier page, read log off (`read_note` replaced by a no-op): the baseline;
- dossier page, read log on, coalesced (the usual case: the officer comes back to a page
  within 10 minutes: noting + one SELECT, no INSERT);
- dossier page, read log on, every request writes (coalescing window 0: noting + SELECT +
  one INSERT; the worst case);
- worklist, read log off and on (the worklist notes nothing: the middleware's cost alone).

Per variant: process CPU p95 of the whole request (machine load from other processes
does not count), mean SQL statements, and — the figure the issue asks for — the p95 of
the process CPU time spent inside the read log itself (`read_note` + `reads_flush`; with
SQLite the database engine runs in process and counts too), which is what it adds to the
page; wall-clock differences drown in the noise of a shared machine.

A benchmark, not a test: nothing here checks a timing.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_READLOG_N", "200"))
BLOCK = 10


def _setup_django() -> str:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings_bench")
    var = tempfile.mkdtemp(prefix="bench-readlog-")
    atexit.register(shutil.rmtree, var, ignore_errors=True)
    os.environ["MOTCUA_VAR_DIR"] = var
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var}/bench.sqlite3")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0, skip_checks=True)
    from django.db import connection

    return connection.vendor


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return round(ordered[max(0, round(0.95 * (len(ordered) - 1)))] * 1000, 2)


def run() -> list[dict]:
    vendor = _setup_django()
    from django.test import Client
    from django.urls import reverse

    from motcua.core.testing.fixtures import (
        assign_dossier,
        make_published_version,
        receive_dossier,
        submit_online_dossier,
    )
    from motcua.core.testing.personas import build_personas, login, make_officer
    from motcua.org.constants import Role
    from motcua.privacy import readlog
    from motcua.privacy.models import DossierRead

    p = build_personas()
    specialist = make_officer("chuyenvien.x", p.unit_x, Role.SPECIALIST)
    version = make_published_version(p.unit_x)
    d = submit_online_dossier(version=version, applicant=p.citizen_a, unit=p.unit_x)
    d = receive_dossier(d, receptionist=p.receptionist_x)
    d = assign_dossier(d, leader=p.leader_x, assignee=specialist)
    client = login(Client(), specialist)
    dossier_url = reverse("dossiers:detail", args=[d.pk])
    worklist_url = reverse("dossiers:worklist")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    real_note, real_flush, window = readlog.read_note, readlog.reads_flush, readlog.COALESCE
    spent: list[float] = []  # CPU seconds inside read_note + reads_flush, this request

    def noop(*args: Any, **kwargs: Any) -> None:
        return None

    def timed_note(*args: Any, **kwargs: Any) -> None:
        started = time.process_time()
        try:
            real_note(*args, **kwargs)
        finally:
            spent.append(time.process_time() - started)

    def timed_flush(reads: Any) -> int:
        started = time.process_time()
        try:
            return real_flush(reads)
        finally:
            spent.append(time.process_time() - started)

    def variant(url: str, on: bool, coalesce: dt.timedelta) -> Callable[[], tuple[float, int]]:
        def get() -> tuple[float, int]:
            readlog.read_note = timed_note if on else noop
            readlog.reads_flush, readlog.COALESCE = timed_flush, coalesce
            connection.queries_log.clear()  # the capture counts wrong once the log is full
            try:
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
            finally:
                readlog.read_note, readlog.reads_flush = real_note, real_flush
                readlog.COALESCE = window
            return time.process_time(), len(queries)

        return get

    # dossiers.views imports read_note at call time and the middleware calls
    # reads_flush through the module: patching the module attributes switches them.
    variants: dict[str, Callable[[], tuple[float, int]]] = {
        "dossier page, read log off": variant(dossier_url, False, window),
        "dossier page, read log on (coalesced)": variant(dossier_url, True, window),
        "dossier page, read log on (every request writes)": variant(
            dossier_url, True, dt.timedelta(0)
        ),
        "worklist, read log off": variant(worklist_url, False, window),
        "worklist, read log on": variant(worklist_url, True, window),
    }
    for get in variants.values():  # warm-up
        for _ in range(3):
            get()
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    own: dict[str, list[float]] = {name: [] for name in variants}
    sql: dict[str, list[int]] = {name: [] for name in variants}
    for _ in range(N // BLOCK):
        for name, get in variants.items():
            for _ in range(BLOCK):
                spent.clear()
                before = time.process_time()
                after, queries = get()
                cpu[name].append(after - before)
                own[name].append(sum(spent))
                sql[name].append(queries)
    rows = []
    for name in variants:
        rows += [
            {"name": f"{name}: CPU p95", "value": _p95(cpu[name]), "unit": "ms", "note": vendor},
            {
                "name": f"{name}: SQL statements",
                "value": round(sum(sql[name]) / len(sql[name]), 2),
                "unit": "queries",
                "note": vendor,
            },
        ]
        if "on" in name.split(", ")[-1]:
            rows.append(
                {
                    "name": f"{name}: time in the read log, p95",
                    "value": _p95(own[name]),
                    "unit": "ms",
                    "note": f"{vendor}; process CPU inside read_note + reads_flush",
                }
            )
    rows.append(
        {
            "name": "read rows written",
            "value": DossierRead.objects.filter(dossier=d).count(),
            "unit": "rows",
            "note": f"{N} + warm-up requests per variant",
        }
    )
    return rows


def main() -> int:
    rows = run()
    from run import machine  # benchmarks/run.py, on sys.path after _setup_django

    for row in rows:
        print(f"{row['name']:<75} {row['value']:>10} {row['unit']}")
    vendor = rows[0]["note"]
    suffix = "" if vendor == "sqlite" else f"-{vendor}"
    out = ROOT / "benchmarks" / "results" / f"{dt.date.today():%Y-%m-%d}-readlog{suffix}.json"
    out.write_text(
        json.dumps({"machine": machine(), "n": N, "results": rows}, ensure_ascii=False, indent=2)
        + "\n",
        encoding="utf-8",
    )
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
