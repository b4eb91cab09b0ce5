"""Liveness and readiness probes for load balancers and orchestrators
(docs/operations/observability.md).

`/healthz` answers 200 "ok" as long as the process serves requests; it touches nothing.
`/readyz` checks what a request needs: the database, the task queue (database or Redis,
whichever is configured), the document storage (a probe file is written and deleted) and
the national-portal sync backlog (outbox) against the thresholds in
docs/configuration.md. 200 with every check when all pass, else 503 naming the failures.

Both are answered by `ProbeMiddleware`, first in MIDDLEWARE, so a probe never loads or
writes a session, never sets a cookie, never enters the audit request context and is not
redirected to HTTPS (load balancers probe the backend over plain HTTP).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.tasks import task_backends
from django.utils import timezone

from motcua.core import metrics

logger = logging.getLogger(__name__)

HEALTHZ_PATH = "/healthz"
READYZ_PATH = "/readyz"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def check_database() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return CheckResult("database", True, connection.vendor)


def check_task_queue() -> CheckResult:
    backend_path = str(settings.TASKS["default"]["BACKEND"])
    if backend_path.startswith("django_tasks_redis."):
        task_backends["default"].get_client().ping()  # type: ignore[attr-defined]
        return CheckResult("task_queue", True, "redis")
    if backend_path.startswith("django_tasks_db."):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.only("pk").first()
        return CheckResult("task_queue", True, "database")
    return CheckResult("task_queue", True, backend_path.rsplit(".", 1)[-1])


def check_storage() -> CheckResult:
    """Where document bytes go (local MEDIA_ROOT/documents or S3) must take a write."""
    from motcua.documents.storage import document_storage

    storage = document_storage()
    name = storage.save(f"readyz/{uuid.uuid4().hex}.probe", ContentFile(b"ok"))
    storage.delete(name)
    return CheckResult("storage", True, type(storage).__name__)


def check_sync_backlog() -> CheckResult:
    from motcua.integrations.models import OutboxMessage, OutboxStatus

    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    pending_count = pending.count()
    dead_count = OutboxMessage.objects.filter(status=OutboxStatus.DEAD).count()
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    oldest_minutes = int((timezone.now() - oldest) / dt.timedelta(minutes=1)) if oldest else 0
    problems = []
    if pending_count > settings.MOTCUA_READYZ_OUTBOX_PENDING_MAX:
        problems.append(f"pending {pending_count} > {settings.MOTCUA_READYZ_OUTBOX_PENDING_MAX}")
    if oldest_minutes > settings.MOTCUA_READYZ_OUTBOX_OLDEST_MINUTES:
        problems.append(
            f"oldest pending {oldest_minutes} min > {settings.MOTCUA_READYZ_OUTBOX_OLDEST_MINUTES}"
        )
    if dead_count > settings.MOTCUA_READYZ_OUTBOX_DEAD_MAX:
        problems.append(f"dead {dead_count} > {settings.MOTCUA_READYZ_OUTBOX_DEAD_MAX}")
    summary = f"pending {pending_count}, oldest {oldest_minutes} min, dead {dead_count}"
    return CheckResult("sync_backlog", not problems, "; ".join(problems) or summary)


CHECKS: tuple[Callable[[], CheckResult], ...] = (
    check_database,
    check_task_queue,
    check_storage,
    check_sync_backlog,
)
CHECK_NAMES = ("database", "task_queue", "storage", "sync_backlog")


def readiness() -> list[CheckResult]:
    """Run every check; an exception is a failed check (logged), never a 500."""
    results = []
    for name, check in zip(CHECK_NAMES, CHECKS, strict=True):
        try:
            results.append(check())
        except Exception as exc:  # any failure means "not ready"
            logger.warning("readiness check %s failed: %s", name, exc)
            results.append(CheckResult(name, False, type(exc).__name__))
    return results


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def readyz(request: HttpRequest) -> HttpResponse:
    results = readiness()
    failing = [r.name for r in results if not r.ok]
    body = {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in results},
    }
    return JsonResponse(body, status=503 if failing else 200)


_PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    HEALTHZ_PATH: healthz,
    READYZ_PATH: readyz,
    metrics.METRICS_PATH: metrics.metrics_view,
}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class ProbeMiddleware:
    """Answers the probes and /metrics before any other middleware runs (see the module
    docstring; /metrics checks its own access, motcua.core.metrics)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = _PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return _no_store(probe(request))
        return self.get_response(request)
