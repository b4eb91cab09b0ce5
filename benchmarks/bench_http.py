"""Benchmark: the web tier over real HTTP (issue 11, figures a, b, d, g).

For SQLite (always) and PostgreSQL (BENCH_PG=1, or auto when 127.0.0.1:5432 answers and
BENCH_PG is not 0): a throwaway database with the demo organisation and catalogue plus
BENCH_DOSSIERS generated dossiers (default 5,000; use 100000+ for big runs), gunicorn
with BENCH_WORKERS (2) workers × BENCH_THREADS (1; >1 = gthread) on a loopback port, then:

(a) BENCH_CLIENTS (8) concurrent citizens submit online dossiers through the portal form
    for BENCH_SECONDS (20 s): throughput, p50/p95 (form GET + POST), and a check that
    every acknowledged dossier exists exactly once with one submit event (zero lost or
    duplicated);
(b) officer worklist (/quan-tri/ho-so/) p95, one specialist, sequential;
(d) public tracking look-up (code + second factor) p95, sequential;
(g) peak RSS (VmHWM) of the gunicorn workers after the run.

Every figure names the dataset size and the machine's cores in its note.
Run alone with `python benchmarks/bench_http.py` or `python benchmarks/run.py http`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpload

DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "5000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))  # gunicorn gthread threads per worker
REPEAT = int(os.environ.get("BENCH_REPEAT", "60"))
OFFICER = os.environ.get("BENCH_OFFICER", "chuyenvien.stp")
# The demo staff password (motcua.org.demo.DEMO_PASSWORD); this module avoids importing Django.
DEMO_PASSWORD = os.environ.get("BENCH_OFFICER_PASSWORD", "MotCua@2026!")


PENDING_JOBS = (
    "from django_tasks_db.models import DBTaskResult; "
    "print(DBTaskResult.objects.filter(status='READY').count())"
)


def _backends() -> list[str]:
    flag = os.environ.get("BENCH_PG", "auto")
    out = [] if os.environ.get("BENCH_SQLITE", "1") == "0" else ["sqlite"]
    url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if flag == "1" or (flag == "auto" and httpload.pg_available(url)):
        out.append("postgres")
    return out


def bench(backend: str) -> list[dict]:
    cores = os.cpu_count()
    rows: list[dict] = []
    with httpload.Site(backend=backend) as site:
        info = site.load(dossiers=DOSSIERS, citizens=CLIENTS)
        size = f"{backend}, {DOSSIERS:,} generated dossiers, {cores} cores"
        if info.get("generate_s"):
            rows.append(
                {
                    "name": f"{backend}: demo_generate rows/s",
                    "value": info["generate_rows"] / info["generate_s"],
                    "unit": "rows/s",
                    "note": f"{info['generate_rows']:,} rows; {size}",
                }
            )
        port = site.serve(workers=WORKERS, threads=THREADS)
        start: dict[str, Any] = {}

        def mark_start() -> None:  # after the logins (Argon2) and the workers' warm-up
            start.update(site.cpu_seconds(), client=time.process_time())

        stats = httpload.submit_load(
            port,
            info["citizens"],
            info["versions"],
            clients=CLIENTS,
            seconds=SECONDS,
            on_start=mark_start,
        )
        cpu_after, client_cpu = site.cpu_seconds(), time.process_time() - start["client"]
        cpu_before = start
        s = stats.summary()
        note = (
            f"{CLIENTS} clients, {WORKERS} gunicorn workers × {THREADS} threads, "
            f"{SECONDS:.0f} s; {size}"
        )
        rows += [
            {
                "name": f"{backend}: submit throughput",
                "value": s["throughput"],
                "unit": "dossiers/s",
                "note": note,
            },
            {"name": f"{backend}: submit p50", "value": s["p50_ms"], "unit": "ms", "note": note},
            {"name": f"{backend}: submit p95", "value": s["p95_ms"], "unit": "ms", "note": note},
            {
                "name": f"{backend}: submit errors",
                "value": s["errors"],
                "unit": "requests",
                "note": "; ".join(sorted(set(stats.errors)))[:200],
            },
        ]
        # Where the machine's time went, per acknowledged submission (GET + POST): how many
        # cores a target throughput needs (cores = dossiers/s × CPU ms / 1000).
        if stats.ok:
            per = {
                "web": cpu_after["web"] - cpu_before["web"],
                "db": cpu_after["db"] - cpu_before["db"],
                "load client": client_cpu,
            }
            if backend != "postgres":
                del per["db"]  # SQLite runs inside the web workers
            for part, seconds in per.items():
                rows.append(
                    {
                        "name": f"{backend}: submit CPU per dossier ({part})",
                        "value": seconds * 1000 / len(stats.ok),
                        "unit": "ms",
                        "note": f"{seconds:.1f} CPU s over {len(stats.ok):,} submissions; {note}",
                    }
                )
        check = httpload.verify_submissions(site, stats.ok)
        rows.append(
            {
                "name": f"{backend}: lost+duplicated dossiers",
                "value": check["lost"]
                + check["unacknowledged_extra"]
                + check["duplicated_submit_events"]
                + check["missing_submit_event"]
                + (check["acknowledged"] - check["acknowledged_unique"]),
                "unit": "dossiers",
                "note": f"{check}",
            }
        )
        # The follow-up of each submission (notifications, monitoring contribution, VNeID
        # flag) is a background job: drain the queue with one worker and time it, so the
        # deferred work is measured too, not hidden.
        pending = int(site.manage("shell", "-c", PENDING_JOBS).split()[-1])
        if pending:
            started = time.perf_counter()
            site.manage("run_worker", "--batch", MOTCUA_DVCQG_AUTO_SYNC="0")
            took = time.perf_counter() - started
            rows.append(
                {
                    "name": f"{backend}: follow-up jobs drained",
                    "value": pending / took,
                    "unit": "jobs/s",
                    "note": f"{pending:,} queued jobs in {took:.1f} s, 1 worker "
                    f"(incl. ~2 s start-up); {size}",
                }
            )
        officer = httpload.Browser(port)
        if officer.login(OFFICER, DEMO_PASSWORD):
            for label, path in (
                ("worklist p95 (own tab)", "/quan-tri/ho-so/"),
                ("worklist p95 (all of unit)", "/quan-tri/ho-so/?tab=all"),
                ("worklist p95 (overdue)", "/quan-tri/ho-so/?tab=overdue"),
            ):
                times = httpload.timed_gets(officer, [path], REPEAT)
                rows.append(
                    {
                        "name": f"{backend}: {label}",
                        "value": httpload.percentile(times, 95) * 1000,
                        "unit": "ms",
                        "note": f"{OFFICER} {path}, {len(times)} requests; {size}",
                    }
                )
        if info["tracking"]:
            times = httpload.tracking_load(port, info["tracking"], REPEAT)
            rows.append(
                {
                    "name": f"{backend}: tracking p95",
                    "value": httpload.percentile(times, 95) * 1000,
                    "unit": "ms",
                    "note": f"{len(times)} look-ups (GET form + POST); {size}",
                }
            )
        rss = site.worker_rss_mb()
        if rss:
            rows.append(
                {
                    "name": f"{backend}: worker peak RSS",
                    "value": max(rss),
                    "unit": "MB",
                    "note": f"VmHWM of {len(rss)} gunicorn workers after the run; {size}",
                }
            )
    return rows


def run() -> list[dict]:
    rows: list[dict] = []
    for backend in _backends():
        rows += bench(backend)
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
