"""National-portal connector plugin (design.md §2: external systems are plugins with a
small base class and a sandbox). The default speaks the DVCQG/LGSP JSON convention of
law.md §12.1 — one endpoint, body `{service, ...}`, bearer token, `error_code` "0"
or "00" for success — to `MOTCUA_DVCQG_URL`; in dev/test that is the sandbox portal
(motcua.sandbox_portal), reached in-process."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from motcua.integrations import http

OK_CODES = {"0", "00"}
RETRYABLE_HTTP = {401, 403, 408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class SendResult:
    ok: bool
    retryable: bool = False
    http_status: int | None = None
    error: str = ""
    portal_down: bool = False  # no answer or 503: stop the run, try later


class PortalConnector(ABC):
    @property
    def configured(self) -> bool:
        """False when there is nowhere to send: the worker then leaves messages queued
        instead of burning their attempts."""
        return True

    @abstractmethod
    def send(self, *, body: dict[str, Any], ma_ho_so: str, seq: int) -> SendResult: ...

    @abstractmethod
    def fetch_procedures(self, *, unit_code: str = "") -> list[dict[str, Any]]:
        """LayThuTuc: the procedure records of the national procedure database."""

    def fetch_dossiers(self, *, cursor: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """LayDanhSachHoSo: dossiers filed on the national portal after `cursor`, and the
        new cursor (law.md R22a). Raises http.TransportError when there is no answer."""
        raise http.TransportError("this connector does not pull dossiers")

    def acknowledge_dossier(self, *, code: str, province_ref: str) -> SendResult:
        """XacNhanTiepNhanHoSo: tell the portal the province holds the dossier."""
        return SendResult(False, retryable=True, error="not supported by this connector")


class DvcqgConnector(PortalConnector):
    def __init__(self) -> None:
        default = (
            "http://testserver/sandbox/dvcqg/api/"
            if getattr(settings, "MOTCUA_SANDBOXES", False)
            else ""
        )
        self.url = getattr(settings, "MOTCUA_DVCQG_URL", "") or default
        self.token = getattr(settings, "MOTCUA_DVCQG_TOKEN", "sandbox-token")
        self.timeout = float(getattr(settings, "MOTCUA_DVCQG_TIMEOUT", 15))

    @property
    def configured(self) -> bool:
        return bool(self.url)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def send(self, *, body: dict[str, Any], ma_ho_so: str, seq: int) -> SendResult:
        if not self.url:
            return SendResult(False, retryable=True, error="MOTCUA_DVCQG_URL is not set")
        headers = {
            **self._headers(),
            "X-Message-Seq": str(seq),
            "Idempotency-Key": f"{ma_ho_so}:{seq}",
        }
        try:
            resp = http.post_json(self.url, body, headers=headers, timeout=self.timeout)
        except http.TransportError as exc:
            return SendResult(False, retryable=True, error=str(exc)[:500], portal_down=True)
        return classify(resp.status, resp.body)

    def fetch_procedures(self, *, unit_code: str = "") -> list[dict[str, Any]]:
        resp = http.post_json(
            self.url,
            {"service": "LayThuTuc", "madonvi": unit_code},
            headers=self._headers(),
            timeout=self.timeout,
        )
        data = resp.json() if resp.body else None
        if resp.status != 200 or not isinstance(data, dict):
            raise http.TransportError(f"LayThuTuc failed: HTTP {resp.status}")
        if str(data.get("error_code")) not in OK_CODES:
            raise http.TransportError(f"LayThuTuc failed: {data.get('message', '')}")
        result = data.get("result") or []
        return result if isinstance(result, list) else []

    def fetch_dossiers(self, *, cursor: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        if not self.url:
            raise http.TransportError("MOTCUA_DVCQG_URL is not set")
        resp = http.post_json(
            self.url,
            {"service": "LayDanhSachHoSo", "tu": cursor, "so_luong": limit},
            headers=self._headers(),
            timeout=self.timeout,
        )
        try:
            data = resp.json() if resp.body else None
        except ValueError:
            data = None
        if resp.status != 200 or not isinstance(data, dict):
            raise http.TransportError(f"LayDanhSachHoSo failed: HTTP {resp.status}")
        if str(data.get("error_code")) not in OK_CODES:
            raise http.TransportError(f"LayDanhSachHoSo failed: {data.get('message', '')}")
        result = data.get("result")
        after = data.get("tiep")
        if not isinstance(result, list) or not isinstance(after, int) or after < cursor:
            raise http.TransportError("LayDanhSachHoSo: malformed answer")
        return result, after

    def acknowledge_dossier(self, *, code: str, province_ref: str) -> SendResult:
        if not self.url:
            return SendResult(False, retryable=True, error="MOTCUA_DVCQG_URL is not set")
        body = {"service": "XacNhanTiepNhanHoSo", "MaHoSo": code, "MaHoSoTinh": province_ref}
        try:
            resp = http.post_json(self.url, body, headers=self._headers(), timeout=self.timeout)
        except http.TransportError as exc:
            return SendResult(False, retryable=True, error=str(exc)[:500], portal_down=True)
        return classify(resp.status, resp.body)


def classify(status: int, raw: bytes) -> SendResult:
    """Success, retry later, or poison (never retried automatically)."""
    text = raw.decode("utf-8", "replace")[:1000]
    if status in RETRYABLE_HTTP:
        return SendResult(
            False, retryable=True, http_status=status, error=text, portal_down=status == 503
        )
    if 200 <= status < 300:
        try:
            import json

            code = str(json.loads(text).get("error_code", ""))
        except (ValueError, AttributeError):
            return SendResult(False, retryable=True, http_status=status, error=text)
        if code in OK_CODES:
            return SendResult(True, http_status=status)
        return SendResult(False, retryable=False, http_status=status, error=text)
    return SendResult(False, retryable=False, http_status=status, error=text)


@lru_cache(maxsize=1)
def get_connector() -> PortalConnector:
    path = getattr(
        settings, "MOTCUA_DVCQG_CONNECTOR", "motcua.integrations.connector.DvcqgConnector"
    )
    connector: PortalConnector = import_string(path)()
    return connector


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("MOTCUA_DVCQG") or setting in ("MOTCUA_SANDBOXES",):
        get_connector.cache_clear()
