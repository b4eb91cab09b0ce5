"""Quick benchmark (issue 23 deliverable 6): CPU ms and SQL queries per operation, in process.

`make bench-quick` (or `python benchmarks/bench_quick.py`) prints, per operation, the mean
CPU time of this process (time.process_time: Django + ORM; with SQLite also the database
engine, with PostgreSQL *not* the server's CPU) and the mean number of SQL statements
(CaptureQueriesContext), for:

- portal submission: a citizen's form GET + POST of /ho-so/nop/ (the request path only);
- follow-up job: the jobs the worker then runs for that submission (the transition fan-out
  and what it queues: notifications, monitoring contribution, VNeID flag), taken from the
  database queue and run as `run_worker` runs them (lock + claim + call + mark done);
- API create: POST /api/v1/applications/ + attach each missing component + submit.

Settings: benchmarks/settings_bench.py (DEBUG off, database task queue), a throwaway
SQLite file unless DATABASE_URL is set (then that database is migrated and used: give a
throwaway one). BENCH_QUICK_N operations of each kind (default 30) after BENCH_QUICK_WARMUP
(3). Figures go to benchmarks/results/<date>-quick.json (-quick-postgres.json on
PostgreSQL). A benchmark, not a test: nothing here checks a timing.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_QUICK_N", "30"))
WARMUP = int(os.environ.get("BENCH_QUICK_WARMUP", "3"))


def _setup_django() -> str:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings_bench")
    os.environ.setdefault("MOTCUA_TASKS_BACKEND", "db")
    os.environ.setdefault("MOTCUA_DVCQG_AUTO_SYNC", "0")
    # Documents, demo PKI and the SQLite file in a throwaway folder, never the demo's var/.
    var = tempfile.mkdtemp(prefix="bench-quick-")
    atexit.register(shutil.rmtree, var, ignore_errors=True)
    os.environ["MOTCUA_VAR_DIR"] = var
    os.environ.pop("MOTCUA_MEDIA_ROOT", None)
    os.environ.pop("MOTCUA_PKI_DIR", None)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var}/bench.sqlite3")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.MOTCUA_API_RATE_LIMIT = 0  # 30 creates a minute would hit the default limit
    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("demo_load", verbosity=0)
    from django.db import connection

    return connection.vendor


class Meter:
    """Mean process CPU ms and SQL statements over the measured (non warm-up) calls."""

    def __init__(self) -> None:
        self.cpu: list[float] = []
        self.queries: list[int] = []

    def measure(self, fn: Callable[[], Any], *, keep: bool = True) -> Any:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            started = time.process_time()
            result = fn()
            took = time.process_time() - started
        if keep:
            self.cpu.append(took * 1000)
            self.queries.append(len(ctx.captured_queries))
        return result

    def rows(self, name: str, vendor: str, note: str) -> list[dict]:
        if not self.cpu:
            return []
        n = len(self.cpu)
        return [
            {
                "name": f"{vendor}: {name} CPU",
                "value": sum(self.cpu) / n,
                "unit": "ms",
                "note": f"mean of {n}; {note}",
            },
            {
                "name": f"{vendor}: {name} queries",
                "value": sum(self.queries) / n,
                "unit": "queries",
                "note": f"mean of {n}; {note}",
            },
        ]


def _drain_jobs() -> int:
    """Run every ready job as django_tasks_db's worker does; returns how many ran."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    ran = 0
    while True:
        tasks = DBTaskResult.objects.ready()
        with exclusive_transaction(tasks.db):
            row = tasks.get_locked()
            if row is None:
                return ran
            row.claim("bench-quick")
        result = row.task_result
        value = row.task.call(*result.args, **result.kwargs)
        row.set_successful(value)
        ran += 1


def run() -> list[dict]:
    vendor = _setup_django()
    from django.test import Client

    from motcua.accounts.constants import AccountKind
    from motcua.accounts.models import User
    from motcua.api.services import api_client_create
    from motcua.catalog.models import Competence
    from motcua.core.testing.files import tiny_pdf
    from motcua.dossiers import portal_views as pv
    from motcua.org.models import OrgUnit

    # The online procedures the load benchmark submits (no e-form, a reception point).
    targets: list[tuple[int, int]] = []
    for v in pv._online_versions():
        points = list(
            Competence.objects.filter(
                procedure_id=v.procedure_id, is_reception_point=True
            ).values_list("unit_id", "unit__kind")
        )
        if pv._eform(v, None, user=None) is None and points:
            unit = next((u for u, kind in points if kind == "service_center"), points[0][0])
            targets.append((v.pk, unit))
    citizen, _ = User.objects.get_or_create(
        username="bench.quick",
        defaults={
            "kind": AccountKind.CITIZEN,
            "full_name": "Người nộp thử tải",
            "personal_id": "098099990001",
        },
    )
    web = Client()
    web.force_login(citizen)
    units = OrgUnit.objects.filter(pk__in={u for _v, u in targets})
    _, token = api_client_create(
        name=f"bench-quick-{uuid.uuid4().hex[:6]}",
        scopes=["dossiers:create", "dossiers:read"],
        units=list(units),
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    submit, follow, create = Meter(), Meter(), Meter()
    jobs: list[int] = []

    def portal_submit(i: int) -> None:
        version, unit = targets[i % len(targets)]
        url = f"/ho-so/nop/?version={version}"
        assert web.get(url).status_code == 200
        r = web.post(url, {"unit": str(unit)})
        assert r.status_code == 302 and re.match(r"^/ho-so/\d+/$", r["Location"]), r

    def api_create(i: int) -> None:
        version, unit = targets[i % len(targets)]
        r = api.post(
            "/api/v1/applications/",
            {
                "procedure_version": version,
                "receiving_unit": unit,
                "answers": {},
                "applicant_personal_id": citizen.personal_id,
            },
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert r.status_code == 201, r.content
        app = r.json()
        for comp in app["components"]:
            if comp["mode"] == "missing":
                upload = _pdf(comp["code"])
                r = api.post(
                    f"/api/v1/applications/{app['id']}/components/{comp['code']}",
                    {"files": [upload]},
                )
                assert r.status_code == 200, r.content
        r = api.post(
            f"/api/v1/applications/{app['id']}/submit",
            {"declared": True},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert r.status_code == 201, r.content

    def _pdf(code: str) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile(f"{code}.pdf", tiny_pdf(), "application/pdf")

    _drain_jobs()  # whatever demo_load queued
    for i in range(WARMUP + N):
        keep = i >= WARMUP
        submit.measure(lambda i=i: portal_submit(i), keep=keep)
        ran = follow.measure(_drain_jobs, keep=keep)
        if keep:
            jobs.append(ran)
    for i in range(WARMUP + N):
        create.measure(lambda i=i: api_create(i), keep=i >= WARMUP)
        _drain_jobs()  # not measured here: the same follow-up as a portal submission

    note = f"{vendor}, demo province, {len(targets)} procedures, {os.cpu_count()} cores"
    per_job = sum(jobs) / len(jobs) if jobs else 0
    return [
        *submit.rows("portal submission (form GET + POST)", vendor, note),
        *follow.rows("follow-up jobs per submission", vendor, f"{per_job:.1f} jobs; {note}"),
        *create.rows("API create (create + attach + submit)", vendor, note),
    ]


def main() -> int:
    started = time.perf_counter()
    rows = run()
    from django.db import connection
    from run import machine  # benchmarks/run.py (benchmarks/ is on sys.path)

    vendor = connection.vendor
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "n": N,
        "results": rows,
    }
    suffix = "" if vendor == "sqlite" else f"-{vendor}"
    out = ROOT / "benchmarks" / "results" / f"{dt.date.today().isoformat()}-quick{suffix}.json"
    if os.environ.get("BENCH_QUICK_WRITE", "1") != "0":
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        print(f"{r['name']:<{width}} {r['value']:>9.1f} {r['unit']}")
    print(f"({time.perf_counter() - started:.0f} s; N={N})")
    if os.environ.get("BENCH_QUICK_WRITE", "1") != "0":
        print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
