"""A tiny HTTP client shared by the national-portal connector and the VNeID relying
party. Real HTTP goes through urllib; URLs whose host is listed in
`MOTCUA_INPROCESS_HOSTS` (default: "testserver" when sandboxes are on) are dispatched
in-process to this Django site with the test client, so tests and the demo exercise the
exact same views and payloads without opening sockets."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings


class TransportError(Exception):
    """No HTTP answer at all (connection refused, timeout, DNS)."""


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8") or "null")


def inprocess_hosts() -> list[str]:
    default = ["testserver"] if getattr(settings, "MOTCUA_SANDBOXES", False) else []
    return list(getattr(settings, "MOTCUA_INPROCESS_HOSTS", default))


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Response:
    headers = dict(headers or {})
    parts = urlsplit(url)
    if parts.netloc in inprocess_hosts():
        return _inprocess(method, url, body, headers)
    req = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (configured URL)
            return Response(resp.status, resp.read(), dict(resp.headers.items()))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read(), dict(exc.headers.items()))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TransportError(str(exc)) from exc


def site_host(netloc: str) -> str:
    """The Host header of an in-process request: `netloc` when this site accepts it
    (the test runner allows "testserver"), else the first literal host of
    ALLOWED_HOSTS. Under the demo settings "testserver" is not allowed, and sending it
    made every sandbox delivery fail with DisallowedHost (issue 18)."""
    from django.http.request import split_domain_port, validate_host

    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if validate_host(split_domain_port(netloc)[0], allowed):
        return netloc
    literal = [h for h in allowed if h and h != "*" and not h.startswith(".")]
    return literal[0] if literal else netloc


def _inprocess(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Response:
    from django.test import Client

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    client = Client(raise_request_exception=False, HTTP_HOST=site_host(parts.netloc))
    content_type = headers.pop("Content-Type", "application/octet-stream")
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    if method == "GET":
        resp = client.get(path, **extra)  # type: ignore[arg-type]
    else:
        resp = client.generic(method, path, data=body or b"", content_type=content_type, **extra)  # type: ignore[arg-type]
    return Response(resp.status_code, resp.content, dict(resp.headers.items()))


def post_json(
    url: str, payload: Any, *, headers: dict[str, str] | None = None, timeout: float = 10.0
) -> Response:
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return request("POST", url, body=data, headers=all_headers, timeout=timeout)
