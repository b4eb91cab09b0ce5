"""Issue 24 deliverable 3: the optional Sentry-compatible error reports. A server error in
a process started with MOTCUA_SENTRY_DSN reaches a local collector speaking Sentry's
envelope protocol, with the exception and the route but nothing personal (query string,
cookies, authorization, local variables)."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
import zlib
from pathlib import Path

from motcua.core.error_reporting import error_event_scrub

ROOT = Path(__file__).resolve().parents[2]
CITIZEN_ID = "012345678901"  # a citizen identity number: must never leave the server
SCRIPT = r"""
import sys, types
import django
django.setup()
import sentry_sdk
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

def boom(request):
    secret = request.GET["cccd"]  # a local variable holding personal data
    raise RuntimeError("boom at the counter")

urls = types.ModuleType("boom_urls")
urls.urlpatterns = [path("boom/", boom)]
urls.handler500 = lambda request: HttpResponse("error", status=500)
sys.modules["boom_urls"] = urls
only_ids = ["motcua.core.logs.RequestIdMiddleware"]
with override_settings(ROOT_URLCONF="boom_urls", MIDDLEWARE=only_ids):
    response = Client(raise_request_exception=False).get(
        "/boom/?cccd=012345678901",
        HTTP_COOKIE="sessionid=s3cret",
        HTTP_AUTHORIZATION="Bearer t0ken",
        HTTP_X_REQUEST_ID="req-boom-1",
    )
assert response.status_code == 500, response.status_code
sentry_sdk.flush(timeout=10)
print("FLUSHED")
"""


class _Collector(http.server.BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def test_a_server_error_is_reported_without_personal_data():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "motcua.config.settings.test",
            "MOTCUA_SENTRY_DSN": f"http://public@127.0.0.1:{server.server_port}/1",
            "MOTCUA_RELEASE": "test-release",
        }
        run = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.shutdown()
    assert run.returncode == 0 and "FLUSHED" in run.stdout, run.stderr[-3000:]
    raw = b"".join(_Collector.bodies)
    events = [
        json.loads(line)
        for body in _Collector.bodies
        for line in body.splitlines()
        if line.startswith(b"{") and b'"exception"' in line
    ]
    assert len(events) == 1, raw[:2000]
    (event,) = events
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["release"] == "test-release"
    assert event["transaction"] == "/boom/"  # the route, not the query string
    assert "?" not in event.get("request", {}).get("url", "")
    assert event["tags"]["request_id"] == "req-boom-1"
    for secret in (CITIZEN_ID.encode(), b"s3cret", b"t0ken"):
        at = raw.find(secret)
        assert at < 0, raw[max(0, at - 400) : at + 100]


def test_scrubber_keeps_only_what_carries_no_personal_data():
    event = {
        "request": {
            "method": "POST",
            "url": "https://motcua.example/ho-so/?q=Nguyen",
            "data": {"cccd": CITIZEN_ID},
            "cookies": {"sessionid": "x"},
            "query_string": "q=Nguyen",
            "headers": {"Cookie": "x", "User-Agent": "ua", "X-Forwarded-For": "1.2.3.4"},
            "env": {"REMOTE_ADDR": "1.2.3.4"},
        },
        "user": {"id": "7", "username": "nguyenvana", "email": "a@b.vn", "ip_address": "1.2.3.4"},
        "breadcrumbs": {"values": [{"message": f"citizen {CITIZEN_ID}"}]},
        "exception": {"values": [{"stacktrace": {"frames": [{"vars": {"id": CITIZEN_ID}}]}}]},
    }
    scrubbed = error_event_scrub(event)
    assert scrubbed["request"] == {
        "method": "POST",
        "url": "https://motcua.example/ho-so/",
        "headers": {"User-Agent": "ua"},
    }
    assert scrubbed["user"] == {"id": "7"}
    assert CITIZEN_ID not in json.dumps(scrubbed)
