"""Scale-out proof (issue 11 §4): several web processes and several task workers against
one PostgreSQL database and one Redis, mixed citizen/officer traffic, then a consistency
check. Used by scripts/scale_demo.sh (full size) and tests/scale/ (reduced size, CI).

Topology on loopback: SCALE_WEB (3) gunicorn masters with 2 sync workers each, each on
its own port (a load balancer would sit in front in production), SCALE_WORKERS (2)
`motcua run_worker` processes with MOTCUA_TASKS_BACKEND=redis, a throwaway PostgreSQL
database (created and dropped), Redis database SCALE_REDIS_DB (15 by default).

Traffic: SCALE_CLIENTS citizens submit online dossiers round-robin over the web
processes while SCALE_OFFICERS officer sessions page through the worklist, open dossiers
and receive the submitted ones (optimistic concurrency: two officers may race for the
same dossier; the loser gets 409). The check: every acknowledged dossier exists exactly
once, no unacknowledged dossier exists, each has exactly one submit event, and the
last event of each dossier leads to its stored status (the history replays).

Exit status 0 when consistent. Prints a JSON summary.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpload

DETAIL_LINK = re.compile(r'href="/quan-tri/ho-so/(\d+)/"')
RECEIVE_VERSION = re.compile(r'name="receive-expected_version" value="(\d+)"')


def officer_load(
    ports: list[int], username: str, password: str, seconds: float, out: dict[str, int]
) -> None:
    b = httpload.Browser(ports[hash(username) % len(ports)])
    if not b.login(username, password):
        out["officer_login_failed"] = out.get("officer_login_failed", 0) + 1
        return
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        _s, _l, page = b.request("GET", "/quan-tri/ho-so/")
        out["worklist_views"] = out.get("worklist_views", 0) + 1
        for pk in DETAIL_LINK.findall(page)[:5]:
            status, _l, detail = b.request("GET", f"/quan-tri/ho-so/{pk}/")
            out["detail_views"] = out.get("detail_views", 0) + 1
            m = RECEIVE_VERSION.search(detail) if status == 200 else None
            if m:
                token = httpload.CSRF.search(detail)
                status, _l, _p = b.request(
                    "POST",
                    f"/quan-tri/ho-so/{pk}/thao-tac/receive/",
                    {
                        "csrfmiddlewaretoken": token.group(1) if token else "",
                        "receive-expected_version": m.group(1),
                    },
                )
                key = "received" if status == 302 else f"receive_http_{status}"
                out[key] = out.get(key, 0) + 1
        time.sleep(0.2)


def main() -> int:
    web = int(os.environ.get("SCALE_WEB", "3"))
    workers = int(os.environ.get("SCALE_WORKERS", "2"))
    clients = int(os.environ.get("SCALE_CLIENTS", "12"))
    seconds = float(os.environ.get("SCALE_SECONDS", "30"))
    dossiers = int(os.environ.get("SCALE_DOSSIERS", "2000"))
    officers = os.environ.get("SCALE_OFFICERS", "tiepnhan.ttpvhcc,tiepnhan.tamky").split(",")
    password = os.environ.get("SCALE_OFFICER_PASSWORD", "MotCua@2026!")
    redis_db = os.environ.get("SCALE_REDIS_DB", "15")
    started = time.perf_counter()
    with httpload.Site(backend="postgres") as site:
        site.env["MOTCUA_TASKS_BACKEND"] = "redis"
        site.env["REDIS_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
        site.env["DB_CONN_MAX_AGE"] = "60"
        info = site.load(dossiers=dossiers, citizens=clients)
        ports = [site.serve(workers=2) for _ in range(web)]
        for _ in range(workers):
            site.spawn("run_worker")
        officer_stats: dict[str, int] = {}
        officer_threads = [
            threading.Thread(
                target=officer_load,
                args=(ports, name, password, seconds, officer_stats),
                daemon=True,
            )
            for name in officers
        ]
        for t in officer_threads:
            t.start()
        stats = httpload.submit_load(
            ports, info["citizens"], info["versions"], clients=clients, seconds=seconds
        )
        for t in officer_threads:
            t.join(timeout=seconds + 60)
        time.sleep(2)  # let the workers drain notification jobs before the check
        check = httpload.verify_submissions(site, stats.ok)
        alive = sum(1 for p in site.procs if p.poll() is None)
        summary = {
            "web_processes": web,
            "task_workers": workers,
            "processes_alive_at_end": alive,
            "generated_dossiers": dossiers,
            "submit": stats.summary(),
            "submit_error_kinds": sorted(set(stats.errors))[:10],
            "officers": officer_stats,
            "check": check,
            "seconds": round(time.perf_counter() - started, 1),
        }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    bad = (
        check["lost"]
        + check["unacknowledged_extra"]
        + check["duplicated_submit_events"]
        + check["missing_submit_event"]
        + check["history_mismatch"]
        + (check["acknowledged"] - check["acknowledged_unique"])
    )
    return 0 if bad == 0 and check["acknowledged"] > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
