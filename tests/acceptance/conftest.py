"""Acceptance fixtures: the system run the way `make demo` runs it (issue 18).

`demo_site` is a throwaway deployment started once per test session: a fresh database
(an SQLite file, or — when DATABASE_URL names PostgreSQL — a database created next to it
and dropped afterwards), `migrate` + `demo_load` as `make setup` does, then the three
processes of `make demo` — `runserver` on a free port, `run_worker` and
`run_scheduler` — with the demo (dev) settings and the database task backend. Nothing
of the test settings reaches these processes.

Clients talk to it over HTTP with `site.browser()` (cookies, CSRF, real login form).
Other acceptance tests reuse the fixture; `site.shell(code)` runs Django code against
the same database (prints after "JSON" are parsed).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MOTCUA = str(BIN / "motcua")
sys.path.insert(0, str(ROOT / "benchmarks"))
from httpload import CSRF, Browser, free_port, stop_processes  # noqa: E402

FACTS = r"""
import json
from motcua.catalog.models import Competence
from motcua.dossiers import portal_views as pv
from motcua.org.constants import Role
from motcua.org.demo import CITIZENS, DEMO_PASSWORD, demo_login_rows
from motcua.org.models import StaffAssignment
printed = [row[1] for row in demo_login_rows()]
receptionists = {}
for unit_id, username in StaffAssignment.objects.filter(
        role=Role.RECEPTIONIST, valid_to__isnull=True, user__username__in=printed
        ).values_list("unit_id", "user__username"):
    receptionists.setdefault(str(unit_id), username)
versions = []
for v in pv._online_versions():
    points = list(Competence.objects.filter(procedure_id=v.procedure_id,
                  is_reception_point=True).values_list("unit_id", "unit__kind"))
    if pv._eform(v, None, user=None) is None and points:
        unit = next((u for u, kind in points if kind == "service_center"), points[0][0])
        versions.append([v.pk, unit])
print("JSON" + json.dumps({
    "password": DEMO_PASSWORD,
    "logins": printed,
    "receptionists": receptionists,
    "citizens": [str(c["username"]) for c in CITIZENS],
    "versions": versions,
}))
"""


def _database(tmp: Path) -> tuple[str, str]:
    """(DATABASE_URL for the site, PostgreSQL admin URL or "" for SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(url)
        name = f"{parts.path.lstrip('/') or 'motcua'}_acc_{secrets.token_hex(4)}"
        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        _psql(admin, f'CREATE DATABASE "{name}"')
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), admin
    return f"sqlite:///{tmp / 'demo.sqlite3'}", ""


def _psql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@dataclass
class DemoSite:
    tmp: Path
    env: dict[str, str]
    port: int = 0
    facts: dict[str, Any] = field(default_factory=dict)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    started_at: float = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, timeout: float = 900) -> str:
        done = subprocess.run(
            [MOTCUA, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"motcua {' '.join(args)}:\n{done.stderr[-3000:]}"
        return done.stdout

    def shell(self, code: str) -> Any:
        return json.loads(self.manage("shell", "-c", code).rsplit("JSON", 1)[1])

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{args[0]}.log", "ab")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [MOTCUA, *args], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def browser(self) -> Browser:
        return Browser(self.port)

    def login(self, username: str) -> Browser:
        """A browser logged in with a printed demo login."""
        b = self.browser()
        status, _loc, _page = b.post_form(
            "/tai-khoan/dang-nhap/", {"identifier": username, "password": self.facts["password"]}
        )
        assert status == 302, f"login of {username} failed ({status})"
        return b

    def act(self, officer: Browser, pk: int, action: str, **fields: str) -> tuple[int, str]:
        """A workflow action from the back-office dossier page, as its form posts it."""
        status, _loc, page = officer.request("GET", f"/quan-tri/ho-so/{pk}/")
        assert status == 200, status
        token = CSRF.search(page)
        version = re.search(rf'name="{action}-expected_version" value="(\d+)"', page)
        assert token and version, f"{action} is not offered on dossier {pk}"
        form = {
            "csrfmiddlewaretoken": token.group(1),
            f"{action}-expected_version": version.group(1),
        }
        form.update({f"{action}-{k}": v for k, v in fields.items()})
        status, loc, _page = officer.request(
            "POST", f"/quan-tri/ho-so/{pk}/thao-tac/{action}/", form
        )
        return status, loc

    def start(self) -> None:
        """`make demo`'s three processes, started together."""
        self.spawn("run_worker")
        self.spawn("run_scheduler")
        self.spawn("runserver", "--noreload", f"127.0.0.1:{self.port}")
        self.started_at = time.monotonic()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for proc in self.procs:
                assert proc.poll() is None, f"a demo process exited: {self.log('runserver')}"
            with contextlib.suppress(OSError):
                status, _loc, _page = self.browser().request("GET", "/tai-khoan/dang-nhap/")
                if status == 200:
                    return
            time.sleep(0.3)
        raise AssertionError(f"the server did not start:\n{self.log('runserver')[-3000:]}")

    def stop(self) -> None:
        stop_processes(self.procs)


@contextlib.contextmanager
def demo_deployment(tmp: Path) -> Iterator[DemoSite]:
    """A loaded, running demo (see the module docstring); stopped and dropped on exit."""
    url, admin = _database(tmp)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings.dev",
        "DATABASE_URL": url,
        "MOTCUA_VAR_DIR": str(tmp),
        "MOTCUA_TASKS_BACKEND": "db",
        "MOTCUA_SITE_URL": f"http://127.0.0.1:{port}",
        "MOTCUA_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    site = DemoSite(tmp=tmp, env=env, port=port)
    try:
        site.manage("migrate", "--noinput", "-v0")
        site.manage("demo_load")
        site.facts = site.shell(FACTS)
        site.start()
        yield site
    finally:
        site.stop()
        if admin:
            with contextlib.suppress(Exception):
                name = urllib.parse.urlsplit(url).path.lstrip("/")
                _psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_RUNNING: list[DemoSite] = []


@pytest.fixture(scope="session")
def _demo_deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with demo_deployment(tmp_path_factory.mktemp("demo-site")) as site:
        _RUNNING.append(site)
        yield site


@pytest.fixture
def demo_site(_demo_deployment: DemoSite) -> DemoSite:
    """The running demo. Its processes stop after the last acceptance test of a run of
    them (`pytest_runtest_teardown`); under pytest-xdist a worker may run other files
    between two acceptance files, so a stopped demo is started again (same database,
    same port) rather than leaving the next test a refused connection."""
    if not _demo_deployment.procs:
        _demo_deployment.start()
    return _demo_deployment


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests share one demo (`demo_site`): the "writable while busy" test measures its
    first minute, so it runs before the journeys (test_*_journey.py)."""
    spots = [i for i, item in enumerate(items) if "tests/acceptance/" in item.nodeid]
    ordered = sorted(
        (items[i] for i in spots), key=lambda item: "writable_while_busy" not in item.nodeid
    )
    for i, item in zip(spots, ordered, strict=True):
        items[i] = item


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """The demo's processes stop after the last acceptance test, not at the end of the
    whole suite (its database is dropped then): the rest of the suite does not share
    the CPU with a worker and a scheduler."""
    if not _RUNNING or "tests/acceptance/" not in item.nodeid:
        return
    if nextitem is None or "tests/acceptance/" not in nextitem.nodeid:
        for site in _RUNNING:
            site.stop()
