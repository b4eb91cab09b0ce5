"""Issue 24, deliverable 2 — the production profile booted on loopback, as
docs/operations/deploy.md installs it: nginx rendered from deploy/nginx/motcua.conf with a
certificate from a CA generated here, gunicorn with deploy/gunicorn.conf.py, `motcua
run_worker` and `motcua run_scheduler`, the production settings, a fresh PostgreSQL
database (created and dropped here) and the Redis task queue.

Checked: the production settings refuse insecure values (and `check --deploy` is clean
with good ones); over HTTPS, verified against the generated CA, a citizen logs in and
submits a dossier, a receptionist logs in with password + TOTP, sees it and receives it;
a job is run by the worker through Redis; a hashed static file comes back pre-compressed
with a one-year immutable cache; a document download is authorised by Django and served
by nginx (X-Accel-Redirect), and refused to another citizen.

Needs the nginx and openssl binaries (CI installs them: .ci/run) and PostgreSQL and
Redis on loopback (127.0.0.1:5432 trust, :6379)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import ssl
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
from httpload import CSRF, free_port, stop_processes  # noqa: E402

from tests.acceptance.journey import scan_pdf  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
OPENSSL = shutil.which("openssl") or ""
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
PG_ADMIN = os.environ.get("MOTCUA_DEPLOY_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_DB = os.environ.get("MOTCUA_DEPLOY_REDIS_DB", "13")

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(
        not (NGINX and OPENSSL),
        reason="the nginx and openssl binaries are needed (Debian packages nginx, openssl; "
        "CI installs them in .ci/run)",
    ),
]

PASSWORD = "Trien-khai@2026-motcua"
RECEPTIONIST = "tiepnhan.ttpvhcc"
TOTP_KEY = "3132333435363738393031323334353637383930"  # hex, known to this test only
DOCUMENT = scan_pdf("Motcua deploy test " + secrets.token_hex(8))

# One `motcua shell` does what deploy.md's first-time setup does plus the fixtures of the
# journey: migrate, the demo organisation and one procedure (a province loads its own),
# two citizens, the receptionist's password and TOTP device, a citizen's document.
SETUP = r"""
import json, os, sys, time
from django.core.management import call_command
took = {}
for step in (["migrate", "--noinput"], ["demo_load", "--org-only"]):
    began = time.monotonic()
    call_command(*step, verbosity=0)
    took[step[0]] = round(time.monotonic() - began, 1)
# One procedure of the demo catalogue (the whole one takes minutes): partly online,
# received at the provincial service centre, no e-form.
from motcua.catalog.demo import DATA_FILE
from motcua.catalog.interchange import import_catalogue
with open(DATA_FILE, encoding="utf-8") as fh:
    import_catalogue([p for p in json.load(fh) if p["code"] == "1.012753"])
from django_otp.plugins.otp_totp.models import TOTPDevice
from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.catalog.models import Competence
from motcua.documents.services import stored_file_create
from motcua.dossiers import portal_views as pv
password = os.environ["DEPLOY_PASSWORD"]
citizens = []
for i in (1, 2):
    u = User.objects.create_user(username=f"trienkhai.{i}", password=password,
        kind=AccountKind.CITIZEN, full_name=f"Người dân thử {i}", personal_id=f"04919600{i:04d}")
    citizens.append(u)
officer = User.objects.get(username=os.environ["DEPLOY_RECEPTIONIST"])
officer.set_password(password)
officer.save(update_fields=["password"])
TOTPDevice.objects.filter(user=officer).delete()
TOTPDevice.objects.create(user=officer, name="test", key=os.environ["DEPLOY_TOTP_KEY"],
                          confirmed=True)
versions = []
for v in pv._online_versions():
    points = list(Competence.objects.filter(procedure_id=v.procedure_id,
                  is_reception_point=True).values_list("unit_id", "unit__kind"))
    if pv._eform(v, None, user=None) is None and points:
        unit = next((u for u, kind in points if kind == "service_center"), None)
        if unit:
            versions.append([v.pk, unit])
with open(os.environ["DEPLOY_DOCUMENT"], "rb") as fh:
    doc = stored_file_create(data=fh.read(), original_name="Giấy tờ của tôi.pdf",
                             owner=citizens[0], actor=citizens[0])
print("JSON" + json.dumps({"citizens": [c.username for c in citizens], "versions": versions,
      "document": str(doc.pk), "storage_name": doc.storage_name, "took": took}))
"""

ENQUEUE = r"""
import json
from motcua.core.tasks import deadline_sweep
print("JSON" + json.dumps(deadline_sweep.enqueue().id))
"""

RESULT = r"""
import json
from motcua.core.tasks import deadline_sweep
print("JSON" + json.dumps(str(deadline_sweep.get_result("ID").status)))
"""

DOSSIER = r"""
import json
from motcua.dossiers.models import Dossier
d = Dossier.objects.get(pk=PK)
print("JSON" + json.dumps([d.status, d.applicant.username]))
"""


def _totp(key_hex: str, at: float) -> str:
    import hmac
    import struct

    counter = struct.pack(">Q", int(at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), counter, "sha1").digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def _run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kw)


def make_certificates(tmp: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for localhost / 127.0.0.1 signed by it."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca_key, ca, key, csr, cert = (
        tmp / "ca.key",
        tmp / "ca.pem",
        tmp / "server.key",
        tmp / "server.csr",
        tmp / "server.pem",
    )
    ext = tmp / "server.ext"
    ext.write_text(
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
    )
    steps = [
        [OPENSSL, "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2",
         "-subj", "/CN=Motcua deploy test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        [OPENSSL, "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost"],
        [OPENSSL, "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
         "-out", cert, "-days", "2", "-extfile", ext],
    ]  # fmt: skip
    for step in steps:
        done = _run([str(a) for a in step])
        assert done.returncode == 0, done.stderr
    return ca, cert, key


def render_site(template: str, values: dict[str, str], *, brotli: bool) -> str:
    """deploy/nginx/motcua.conf with its @PLACEHOLDERS@ filled, as deploy.md's sed does."""
    for name, value in values.items():
        template = template.replace(f"@{name}@", value)
    left = re.findall(r"@[A-Z_]+@", template)
    assert not left, f"placeholders not rendered: {left}"
    if not brotli:  # the Debian module is not installed: gzip only
        template = "\n".join(line for line in template.splitlines() if "brotli_" not in line)
    return template


def nginx_main(tmp: Path, site: Path, *, brotli: bool) -> str:
    """A minimal nginx.conf around the site file (what /etc/nginx/nginx.conf gives)."""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
{"user root;" if os.geteuid() == 0 else ""}
{f"load_module {BROTLI_MODULE};" if brotli else ""}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "nginx-error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp / "nginx-access.log"};
{temp}
    include {site};
}}
"""


class TlsBrowser:
    """One HTTPS client with a cookie jar, verifying the server against `ca`."""

    def __init__(self, port: int, ca: Path, host: str = "localhost") -> None:
        self.port, self.host = port, host
        self.context = ssl.create_default_context(cafile=str(ca))
        self.conn = self._connect()
        self.cookies: dict[str, str] = {}

    def _connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=120)

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        sent.update(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = self.origin + path
            sent["Origin"] = self.origin
        try:
            self.conn.request(method, path, body=body, headers=sent)
            resp = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = self._connect()
            self.conn.request(method, path, body=body, headers=sent)
            resp = self.conn.getresponse()
        data = resp.read()
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def page(self, path: str) -> str:
        status, _h, data = self.request("GET", path)
        assert status == 200, (path, status, data[:500])
        return data.decode()

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        m = CSRF.search(self.page(path))
        assert m, f"no CSRF token on {path}"
        status, headers, _data = self.request(
            "POST", path, {"csrfmiddlewaretoken": m.group(1), **fields}
        )
        return status, headers.get("location", "")


@dataclass
class Profile:
    tmp: Path
    env: dict[str, str]
    https_port: int
    http_port: int
    web_port: int
    ca: Path
    facts: dict[str, Any] = field(default_factory=dict)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def manage(self, *args: str, timeout: float = 900, **extra: str) -> str:
        done = _run([MOTCUA, *args], env={**self.env, **extra}, cwd=ROOT, timeout=timeout)
        assert done.returncode == 0, f"motcua {args[0]}:\n{done.stderr[-3000:]}"
        return done.stdout

    def shell(self, code: str, **extra: str) -> Any:
        return json.loads(self.manage("shell", "-c", code, **extra).rsplit("JSON", 1)[1])

    def spawn(self, name: str, args: list[str]) -> None:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        self.procs.append(
            subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        )

    def log(self, name: str) -> str:
        path = self.tmp / name
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def browser(self) -> TlsBrowser:
        return TlsBrowser(self.https_port, self.ca)


def _reachable(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        return True
    return False


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


GOOD_ENV = {
    "DJANGO_SETTINGS_MODULE": "motcua.config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "MOTCUA_VNEID_CLIENT_SECRET": "deploy-test-" + secrets.token_hex(8),
    "MOTCUA_DVCQG_TOKEN": "deploy-test-" + secrets.token_hex(8),
    "MOTCUA_PAYGATE_SECRET": "deploy-test-" + secrets.token_hex(8),
    "MOTCUA_TASKS_BACKEND": "redis",
    "MOTCUA_MEDIA_ACCEL_REDIRECT": "/_documents/",
    "MOTCUA_LOG_FORMAT": "json",
    "PYTHONUNBUFFERED": "1",
}

# What the production settings must refuse, each on top of an otherwise good environment.
INSECURE = {
    "debug": {"DJANGO_DEBUG": "1"},
    "default-secret": {"DJANGO_SECRET_KEY": "dev-insecure-change-me"},
    "short-secret": {"DJANGO_SECRET_KEY": "short"},
    "http-site-url": {"MOTCUA_SITE_URL": "http://localhost"},
    "no-allowed-hosts": {"DJANGO_ALLOWED_HOSTS": None},
    "any-host": {"DJANGO_ALLOWED_HOSTS": "*"},
    "sandbox-token": {"MOTCUA_DVCQG_TOKEN": "sandbox-token"},
    "no-2fa": {"MOTCUA_STAFF_2FA_REQUIRED": "0"},
    "demo": {"MOTCUA_DEMO": "1"},
}


@contextlib.contextmanager
def production_profile(tmp: Path) -> Iterator[Profile]:
    assert _reachable(5432) and _reachable(6379), (
        "the production profile test needs PostgreSQL on 127.0.0.1:5432 and Redis on "
        "127.0.0.1:6379 (CI starts both)"
    )
    https_port, http_port, web_port = free_port(), free_port(), free_port()
    site_url = f"https://localhost:{https_port}"
    dbname = f"motcua_deploy_{secrets.token_hex(4)}"
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_"))}
    base.pop("DATABASE_URL", None)
    env = {
        **base,
        **GOOD_ENV,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "MOTCUA_SITE_URL": site_url,
        "MOTCUA_PUBLIC_BASE_URL": site_url,
        "MOTCUA_VAR_DIR": str(tmp / "var"),
        "MOTCUA_MEDIA_ROOT": str(tmp / "var" / "media"),
        "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + f"/{dbname}",
        "DB_CONN_MAX_AGE": "60",
        "REDIS_URL": redis_url,
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "GUNICORN_WORKERS": "2",
    }
    ca, cert, key = make_certificates(tmp)
    profile = Profile(tmp, env, https_port, http_port, web_port, ca)
    _psql(f'CREATE DATABASE "{dbname}"')
    _flush_redis(redis_url)
    try:
        # collectstatic (compressing) runs while the database is set up.
        profile.spawn("collectstatic", [MOTCUA, "collectstatic", "--noinput", "-v0"])
        collect = profile.procs.pop()
        (tmp / "document.pdf").write_bytes(DOCUMENT)
        profile.facts = profile.shell(
            SETUP,
            DEPLOY_PASSWORD=PASSWORD,
            DEPLOY_RECEPTIONIST=RECEPTIONIST,
            DEPLOY_TOTP_KEY=TOTP_KEY,
            DEPLOY_DOCUMENT=str(tmp / "document.pdf"),
        )
        assert collect.wait(timeout=600) == 0, profile.log("collectstatic.log")
        print("setup (s):", profile.facts["took"])

        brotli = BROTLI_MODULE.exists()
        site = tmp / "motcua-site.conf"
        site.write_text(
            render_site(
                (ROOT / "deploy" / "nginx" / "motcua.conf").read_text(),
                {
                    "SERVER_NAME": "localhost",
                    "UPSTREAM": f"127.0.0.1:{web_port}",
                    "HTTP_PORT": f"127.0.0.1:{http_port}",
                    "HTTPS_PORT": f"127.0.0.1:{https_port}",
                    "TLS_CERT": str(cert),
                    "TLS_KEY": str(key),
                    "VAR_DIR": env["MOTCUA_VAR_DIR"],
                    "MEDIA_ROOT": env["MOTCUA_MEDIA_ROOT"],
                },
                brotli=brotli,
            )
        )
        main = tmp / "nginx.conf"
        main.write_text(nginx_main(tmp, site, brotli=brotli))
        checked = _run([NGINX, "-t", "-c", str(main)])
        assert checked.returncode == 0, checked.stderr

        # The three services of deploy/systemd/, with their ExecStart commands.
        profile.spawn(
            "gunicorn",
            [str(BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
        )
        profile.spawn("worker", [MOTCUA, "run_worker"])
        profile.spawn("scheduler", [MOTCUA, "run_scheduler"])
        profile.spawn("nginx", [NGINX, "-c", str(main), "-g", "daemon off;"])
        deadline = time.monotonic() + 120
        while True:
            for proc in profile.procs:
                assert proc.poll() is None, (
                    f"{proc.args} exited:\n{profile.log('gunicorn.log')}\n"
                    f"{profile.log('nginx.log')}{profile.log('nginx-error.log')}"
                )
            with contextlib.suppress(OSError, ssl.SSLError, http.client.HTTPException):
                if profile.browser().request("GET", "/readyz")[0] == 200:
                    break
            assert time.monotonic() < deadline, profile.log("gunicorn.log")
            time.sleep(0.5)
        yield profile
    finally:
        stop_processes(profile.procs)
        with contextlib.suppress(Exception):
            _psql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        with contextlib.suppress(Exception):
            _flush_redis(redis_url)


def _refusals(env: dict[str, str]) -> dict[str, subprocess.Popen[str]]:
    """`motcua check --deploy` under each insecure environment, all started at once."""
    started = {}
    for name, change in INSECURE.items():
        bad = {**env, **{k: v for k, v in change.items() if v is not None}}
        for k in (k for k, v in change.items() if v is None):
            bad.pop(k)
        started[name] = subprocess.Popen(
            [MOTCUA, "check", "--deploy"],
            env=bad,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    return started


def test_production_profile_over_https(tmp_path: Path) -> None:
    with production_profile(tmp_path) as site:
        journey(site)


def journey(site: Profile) -> None:
    """The checks of the module docstring, on a running profile."""
    # 1. The production settings refuse insecure values; with the good ones the
    # deployment checklist (`check --deploy`) has nothing to say.
    refusals = _refusals(site.env)
    good = _run([MOTCUA, "check", "--deploy", "--fail-level", "WARNING"], env=site.env)
    assert good.returncode == 0, good.stdout + good.stderr
    for name, proc in refusals.items():
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode != 0 and "ImproperlyConfigured" in err, (name, err[-800:])

    # 2. TLS: verified against the generated CA; plain HTTP only redirects.
    plain = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=30)
    plain.request("GET", "/ho-so/", headers={"Host": "localhost"})
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == "https://localhost/ho-so/"
    with pytest.raises(ssl.SSLCertVerificationError):
        http.client.HTTPSConnection(
            "localhost", site.https_port, context=ssl.create_default_context(), timeout=30
        ).request("GET", "/healthz")

    # 3. A citizen logs in and submits an online dossier.
    citizen = site.browser()
    status, location = citizen.post_form(
        "/tai-khoan/dang-nhap/",
        {"identifier": site.facts["citizens"][0], "password": PASSWORD},
    )
    assert status == 302, status
    assert "sessionid" in citizen.cookies
    version, unit = site.facts["versions"][0]
    status, location = citizen.post_form(f"/ho-so/nop/?version={version}", {"unit": str(unit)})
    found = re.match(r"^/ho-so/(\d+)/$", location)
    assert status == 302 and found, (status, location)
    pk = int(found.group(1))
    status, headers, _page = citizen.request("GET", location)
    assert status == 200
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "secure" in _cookie_flags(citizen, "/tai-khoan/dang-nhap/")

    # 4. The receptionist logs in (password, then the TOTP code), sees the dossier in
    # the worklist and receives it.
    officer = site.browser()
    status, location = officer.post_form(
        "/tai-khoan/dang-nhap/", {"identifier": RECEPTIONIST, "password": PASSWORD}
    )
    assert status == 302 and "/xac-thuc-2-lop/" in location, (status, location)
    status, location = officer.post_form(
        "/tai-khoan/xac-thuc-2-lop/", {"token": _totp(TOTP_KEY, time.time())}
    )
    assert status == 302 and "/xac-thuc-2-lop/" not in location, (status, location)
    assert f'href="/quan-tri/ho-so/{pk}/"' in officer.page("/quan-tri/ho-so/")
    detail = officer.page(f"/quan-tri/ho-so/{pk}/")
    expected = re.search(r'name="receive-expected_version" value="(\d+)"', detail)
    token = CSRF.search(detail)
    assert expected and token, "receive is not offered to the receptionist"
    status, _h, _b = officer.request(
        "POST",
        f"/quan-tri/ho-so/{pk}/thao-tac/receive/",
        {"csrfmiddlewaretoken": token.group(1), "receive-expected_version": expected[1]},
    )
    assert status == 302, status
    state, applicant = site.shell(DOSSIER.replace("PK", str(pk)))
    assert applicant == site.facts["citizens"][0]
    assert state != "submitted", state

    # 5. A job goes through Redis to the worker and comes back successful.
    job = site.shell(ENQUEUE)
    outcome = ""
    for _attempt in range(60):
        outcome = site.shell(RESULT.replace("ID", job))
        if outcome in ("SUCCESSFUL", "FAILED"):
            break
        time.sleep(1)
    assert outcome == "SUCCESSFUL", (outcome, site.log("worker.log"))

    # 6. Static files: hashed names, pre-compressed, cached for a year, immutable.
    login = site.browser().page("/tai-khoan/dang-nhap/")
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', login)
    assert css, "no hashed stylesheet on the login page"
    status, headers, body = citizen.request("GET", css[1], headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip", headers
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert body[:2] == b"\x1f\x8b"
    if BROTLI_MODULE.exists():
        status, headers, _b = citizen.request(
            "GET", css[1], headers={"Accept-Encoding": "br, gzip"}
        )
        assert status == 200 and headers.get("content-encoding") == "br", headers

    # A signed-in page is never compressed on the fly (BREACH, page-weight.md).
    status, headers, _b = citizen.request("GET", "/ho-so/", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers, headers

    # 7. A document: Django checks access, nginx sends the bytes (X-Accel-Redirect).
    url = f"/tai-lieu/{site.facts['document']}/tai-ve/"
    status, headers, body = citizen.request("GET", url)
    assert status == 200, status
    assert body == (site.tmp / "document.pdf").read_bytes()
    assert "x-accel-redirect" not in headers
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")
    assert "no-store" in headers["cache-control"]
    upstream = _upstream_get(site, url, citizen.cookies)
    assert upstream[0] == 200 and upstream[2] == b""
    assert upstream[1]["x-accel-redirect"] == f"/_documents/{site.facts['storage_name']}"
    other = site.browser()
    status, _loc = other.post_form(
        "/tai-khoan/dang-nhap/",
        {"identifier": site.facts["citizens"][1], "password": PASSWORD},
    )
    assert status == 302
    assert other.request("GET", url)[0] == 404
    internal = f"/_documents/{site.facts['storage_name']}"
    assert other.request("GET", internal)[0] == 404

    # 8. Operations: probes through the proxy; /metrics never without its token.
    assert citizen.request("GET", "/healthz")[0] == 200
    assert site.browser().request("GET", "/metrics")[0] == 404
    for proc in site.procs:
        assert proc.poll() is None, f"{proc.args} died during the journey"


def _cookie_flags(browser: TlsBrowser, path: str) -> str:
    """The Set-Cookie attributes of a fresh visit (the CSRF cookie), lower-cased."""
    conn = http.client.HTTPSConnection(
        browser.host, browser.port, context=browser.context, timeout=60
    )
    conn.request("GET", path)
    resp = conn.getresponse()
    resp.read()
    return " ".join(v.lower() for k, v in resp.getheaders() if k.lower() == "set-cookie")


def _upstream_get(site: Profile, path: str, cookies: dict[str, str]) -> Any:
    """The same request straight to gunicorn, as nginx forwards it."""
    conn = http.client.HTTPConnection("127.0.0.1", site.web_port, timeout=60)
    conn.request(
        "GET",
        path,
        headers={
            "Host": f"localhost:{site.https_port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        },
    )
    resp = conn.getresponse()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
