"""Virus-scan plugin point. `MOTCUA_VIRUS_SCANNER` selects the scanner: "" (none, the
default), "clamav" (clamd over a Unix socket or TCP, INSTREAM command), or a dotted
path to a callable `scan(data: bytes) -> str | None` returning a threat name."""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

Scanner = Callable[[bytes], str | None]

CHUNK = 64 * 1024


class ScannerUnavailable(RuntimeError):
    pass


def clamav_scan(data: bytes) -> str | None:
    """Scan with clamd (clamav-daemon). Settings: MOTCUA_CLAMAV_SOCKET (path) or
    MOTCUA_CLAMAV_HOST/MOTCUA_CLAMAV_PORT."""
    path = getattr(settings, "MOTCUA_CLAMAV_SOCKET", "/var/run/clamav/clamd.ctl")
    host = getattr(settings, "MOTCUA_CLAMAV_HOST", "")
    try:
        if host:
            port = int(getattr(settings, "MOTCUA_CLAMAV_PORT", 3310))
            conn = socket.create_connection((host, port), timeout=30)
        else:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(30)
            conn.connect(path)
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    with conn:
        conn.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), CHUNK):
            chunk = data[start : start + CHUNK]
            conn.sendall(struct.pack("!L", len(chunk)) + chunk)
        conn.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            part = conn.recv(4096)
            if not part:
                break
            reply += part
    text = reply.rstrip(b"\0").decode("utf-8", "replace")
    if text.endswith("FOUND"):
        return text.split(":", 1)[-1].removesuffix("FOUND").strip()
    if text.endswith("OK"):
        return None
    raise ScannerUnavailable(text)


def get_scanner() -> Scanner | None:
    name = getattr(settings, "MOTCUA_VIRUS_SCANNER", "")
    if not name:
        return None
    if name == "clamav":
        return clamav_scan
    return import_string(name)  # type: ignore[no-any-return]
