"""Loopback HTTP load helpers shared by bench_http.py and scripts/scale_demo.sh.

Standard library only (http.client + threads). A `Site` is a throwaway deployment: a
fresh database (SQLite file or a PostgreSQL database created and dropped here) loaded with
the demo organisation and catalogue plus `demo_generate` history, served by gunicorn.
Clients log in through the real login form and submit through the real portal form
(/ho-so/nop/), so every figure includes sessions, CSRF, the service transaction, the
event log and the audit chain.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MOTCUA = str(BIN / "motcua")
PASSWORD = "Bench@2026-motcua"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SETUP = r"""
import json, os
from django.contrib.auth.hashers import make_password
from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.catalog.models import Competence
from motcua.dossiers import portal_views as pv
from motcua.dossiers.models import Dossier
n = int(os.environ["BENCH_N"]); password = os.environ["BENCH_PASSWORD"]
hashed = make_password(password)
users = []
for i in range(n):
    pid = f"0980{i:08d}"
    u, _ = User.objects.get_or_create(username=f"bench.{i:05d}", defaults={
        "kind": AccountKind.CITIZEN, "full_name": "Người nộp thử tải", "personal_id": pid})
    u.password = hashed
    u.save(update_fields=["password"])
    users.append(pid)
versions = []
for v in pv._online_versions():
    points = list(Competence.objects.filter(procedure_id=v.procedure_id,
                  is_reception_point=True).values_list("unit_id", "unit__kind"))
    if pv._eform(v, None, user=None) is None and points:
        # Prefer the provincial service centre (where the demo receptionist works).
        unit = next((u for u, kind in points if kind == "service_center"), points[0][0])
        versions.append([v.pk, unit])
track = [(c, (p or "")[-4:]) for c, p in Dossier.objects.filter(code__isnull=False,
         applicant__personal_id__isnull=False).order_by("?").values_list("code",
         "applicant__personal_id")[:200]]
print("JSON" + json.dumps({"citizens": users, "versions": versions, "tracking": track}))
"""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_available(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    with (
        contextlib.suppress(OSError),
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=1),
    ):
        return True
    return False


@dataclass
class Site:
    """A throwaway deployment; use as a context manager."""

    backend: str = "sqlite"  # or "postgres"
    pg_admin_url: str = os.environ.get(
        "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"
    )
    env: dict[str, str] = field(default_factory=dict)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="motcua-bench-")))
    dbname: str = ""

    def __enter__(self) -> Site:
        env = dict(os.environ)
        env.update(
            {
                "PYTHONPATH": f"{ROOT / 'benchmarks'}{os.pathsep}{env.get('PYTHONPATH', '')}",
                "DJANGO_SETTINGS_MODULE": "settings_bench",
                "MOTCUA_MEDIA_ROOT": str(self.tmp / "media"),
            }
        )
        if self.backend == "postgres":
            self.dbname = f"motcua_bench_{os.getpid()}_{int(time.time())}"
            self._psql(f'CREATE DATABASE "{self.dbname}"')
            base = self.pg_admin_url.rsplit("/", 1)[0]
            env["DATABASE_URL"] = f"{base}/{self.dbname}"
            env.setdefault("DB_CONN_MAX_AGE", "60")
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        self.env = env
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self.dbname:
            with contextlib.suppress(Exception):
                self._psql(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def _psql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def manage(self, *args: str, timeout: float = 3600, **extra: str) -> str:
        out = subprocess.run(
            [MOTCUA, *args],
            env={**self.env, **extra},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if out.returncode:
            raise RuntimeError(f"motcua {' '.join(args)} failed:\n{out.stderr[-3000:]}")
        return out.stdout

    def load(self, *, dossiers: int, citizens: int, years: float = 1.0) -> dict[str, Any]:
        """Migrate, load the demo and generated history; returns timings and fixtures."""
        timings: dict[str, Any] = {}
        started = time.perf_counter()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("demo_load", "--org-only")
        self.manage("catalog_load_demo")
        timings["setup_s"] = time.perf_counter() - started
        if dossiers:
            started = time.perf_counter()
            out = self.manage(
                "demo_generate", "--dossiers", str(dossiers), "--years", str(years), "-v0"
            )
            timings["generate_s"] = time.perf_counter() - started
            m = re.search(r"\(([\d,]+) dòng\)", out)
            timings["generate_rows"] = int(m.group(1).replace(",", "")) if m else 0
        out = self.manage("shell", "-c", SETUP, BENCH_N=str(citizens), BENCH_PASSWORD=PASSWORD)
        payload = json.loads(out.split("JSON", 1)[1])
        payload.update(timings)
        return payload

    def serve(self, *, workers: int = 2, port: int | None = None, threads: int = 1) -> int:
        port = port or free_port()
        proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "motcua.config.wsgi",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=open(self.tmp / f"gunicorn-{port}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        deadline = time.time() + 60
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/tai-khoan/dang-nhap/")
                if conn.getresponse().status == 200:
                    return port
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn on {port} did not start: see {self.tmp}")

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [MOTCUA, *args],
            env=self.env,
            cwd=ROOT,
            stdout=open(self.tmp / f"{args[0]}-{len(self.procs)}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def worker_rss_mb(self) -> list[float]:
        """Peak RSS (VmHWM) of every gunicorn worker we started (children of our masters)."""
        masters = {p.pid for p in self.procs}
        peaks = []
        for status in Path("/proc").glob("[0-9]*/status"):
            with contextlib.suppress(OSError):
                text = status.read_text()
                ppid = int(re.search(r"PPid:\s+(\d+)", text).group(1))  # type: ignore[union-attr]
                if ppid in masters:
                    m = re.search(r"VmHWM:\s+(\d+) kB", text)
                    if m:
                        peaks.append(int(m.group(1)) / 1024)
        return peaks

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) used so far by our gunicorn masters and workers, and
        by every PostgreSQL process of the machine (run the benchmark on a quiet machine:
        other databases' work would count too). Read from /proc/<pid>/stat."""
        tick = os.sysconf("SC_CLK_TCK")
        masters = {p.pid for p in self.procs}
        web = db = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                raw = stat.read_text()
                comm = raw[raw.index("(") + 1 : raw.rindex(")")]
                fields = raw[raw.rindex(")") + 2 :].split()
                ppid, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
                pid = int(stat.parent.name)
                if pid in masters or ppid in masters:
                    web += used
                elif comm.startswith("postgres"):
                    db += used
        return {"web": web, "db": db}

    def stop(self) -> None:
        stop_processes(self.procs)


def stop_processes(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every process, wait up to 20 s each, kill what is left; empties `procs`."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        if proc.poll() is None:
            proc.kill()
    procs.clear()


class Browser:
    """One client: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return resp.status, resp.getheader("Location") or "", data

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        status, _loc, page = self.request("GET", path)
        m = CSRF.search(page)
        if status != 200 or not m:
            return status, "", page
        return self.request("POST", path, {"csrfmiddlewaretoken": m.group(1), **fields})

    def login(self, identifier: str, password: str) -> bool:
        status, _loc, _page = self.post_form(
            "/tai-khoan/dang-nhap/", {"identifier": identifier, "password": password}
        )
        return status == 302


@dataclass
class SubmitStats:
    ok: list[int] = field(default_factory=list)  # dossier ids from the redirects
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # GET form + POST, seconds
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        return {
            "submitted": len(self.ok),
            "errors": len(self.errors),
            "throughput": len(self.ok) / self.seconds if self.seconds else 0.0,
            "p50_ms": percentile(self.latencies, 50) * 1000,
            "p95_ms": percentile(self.latencies, 95) * 1000,
        }


def submit_load(
    port: int | list[int],
    citizens: list[str],
    versions: list[list[int]],
    *,
    clients: int,
    seconds: float,
    max_per_client: int = 10_000,
    on_start: Any = None,
) -> SubmitStats:
    """`clients` threads, each logged in as its own citizen, submit online dossiers through
    /ho-so/nop/ for `seconds`. Latency = form GET + POST (what a person waits for)."""
    stats = SubmitStats()
    lock = threading.Lock()
    ports = port if isinstance(port, list) else [port]
    start_gate = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        b = Browser(ports[i % len(ports)])
        logged = b.login(citizens[i % len(citizens)], PASSWORD)
        start_gate.wait()
        if not logged:
            with lock:
                stats.errors.append("login failed")
            return
        n = 0
        until = time.perf_counter() + seconds  # own clock: no race with the main thread
        while time.perf_counter() < until and n < max_per_client:
            version, unit = versions[(i + n) % len(versions)]
            t0 = time.perf_counter()
            try:
                status, loc, _page = b.post_form(
                    f"/ho-so/nop/?version={version}", {"unit": str(unit)}
                )
            except Exception as exc:
                with lock:
                    stats.errors.append(repr(exc))
                continue
            took = time.perf_counter() - t0
            n += 1
            m = re.match(r"^/ho-so/(\d+)/$", loc)
            with lock:
                if status == 302 and m:
                    stats.ok.append(int(m.group(1)))
                    stats.latencies.append(took)
                else:
                    stats.errors.append(f"HTTP {status}")

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    if on_start is not None:
        on_start()  # every client has logged in: the measured window starts here
    began = time.perf_counter()
    for t in threads:
        t.join(timeout=seconds + 120)
    stats.seconds = time.perf_counter() - began
    return stats


def timed_gets(b: Browser, paths: list[str], repeat: int) -> list[float]:
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        status, _loc, _page = b.request("GET", paths[i % len(paths)])
        if status == 200:
            times.append(time.perf_counter() - t0)
    return times


def tracking_load(port: int, codes: list[tuple[str, str]], repeat: int) -> list[float]:
    """Public tracking: code + second factor, POSTed as the Form 01 QR page does."""
    b = Browser(port)
    times = []
    for i in range(repeat):
        code, factor = codes[i % len(codes)]
        t0 = time.perf_counter()
        status, _loc, _page = b.post_form(
            f"/tra-cuu/{urllib.parse.quote(code)}/", {"factor": factor}
        )
        if status == 200:
            times.append(time.perf_counter() - t0)
    return times


def verify_submissions(site: Site, ids: list[int]) -> dict[str, int]:
    """Every acknowledged submission exists exactly once, with one submit event, and its
    event history replays to the stored status."""
    script = r"""
import json, os
from collections import Counter
from motcua.dossiers.models import Dossier, DossierEvent
ids = json.loads(open(os.environ["BENCH_IDS"]).read())
bench = Dossier.objects.filter(applicant__username__startswith="bench.")
stored = list(bench.values_list("pk", "status"))
events = Counter(DossierEvent.objects.filter(dossier__applicant__username__startswith="bench.",
                 action="submit_online").values_list("dossier_id", flat=True))
last = {}
for d, to in DossierEvent.objects.filter(dossier__applicant__username__startswith="bench.").exclude(
        to_status="").order_by("at", "pk").values_list("dossier_id", "to_status"):
    last[d] = to
stored_ids = [pk for pk, _ in stored]
print("JSON" + json.dumps({
    "acknowledged": len(ids),
    "acknowledged_unique": len(set(ids)),
    "stored": len(stored_ids),
    "lost": len(set(ids) - set(stored_ids)),
    "unacknowledged_extra": len(set(stored_ids) - set(ids)),
    "duplicated_submit_events": sum(1 for c in events.values() if c != 1),
    "missing_submit_event": sum(1 for pk in stored_ids if pk not in events),
    "history_mismatch": sum(1 for pk, st in stored if last.get(pk) != st),
}))
"""
    path = site.tmp / "ids.json"
    path.write_text(json.dumps(ids))
    out = site.manage("shell", "-c", script, BENCH_IDS=str(path))
    return json.loads(out.split("JSON", 1)[1])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
