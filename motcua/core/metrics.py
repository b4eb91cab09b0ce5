"""Prometheus metrics at `/metrics` (docs/operations/observability.md).

Counters and the latency histogram live in the process (with several gunicorn workers set
PROMETHEUS_MULTIPROC_DIR so they are summed across workers); the gauges about the system's
state (task queue, national-portal outbox, overdue dossiers) are computed at scrape time
by a few cheap aggregate queries.

The endpoint is never public: with `MOTCUA_METRICS_TOKEN` set it needs
`Authorization: Bearer <token>`; without it, only a direct loopback connection (no proxy
headers) is answered. Everything else gets 404, as if the endpoint did not exist.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Count, Min
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

METRICS_PATH = "/metrics"
LOOPBACK = frozenset({"127.0.0.1", "::1"})
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")

REQUEST_LATENCY = Histogram(
    "motcua_http_request_duration_seconds",
    "Time to answer a request, by route name (URL pattern name), method and status class.",
    ["route", "method", "status"],
)
LOGIN_FAILURES = Counter(
    "motcua_login_failures", "Failed password checks (wrong identifier or password)."
)
PAYMENT_CALLBACKS = Counter(
    "motcua_payment_callbacks",
    "Payment gateway server-to-server callbacks (IPN), by the response code we returned.",
    ["code"],
)


@receiver(user_login_failed, dispatch_uid="motcua_metrics_login_failed")
def _count_login_failure(sender: object, **kwargs: object) -> None:
    LOGIN_FAILURES.inc()


def route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match.route or "<unnamed>"


class RequestLatencyMiddleware:
    """Times every request except the probes and /metrics (answered before it runs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_LATENCY.labels(
            route=route_name(request),
            method=request.method if request.method in _METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class StateCollector(Collector):
    """Gauges read from the database at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from task_queue_metrics()
        yield from outbox_metrics()
        yield overdue_metric()


def task_queue_metrics() -> Iterator[GaugeMetricFamily]:
    depth = GaugeMetricFamily(
        "motcua_task_queue_depth", "Background jobs waiting for a worker.", labels=["backend"]
    )
    age = GaugeMetricFamily(
        "motcua_task_queue_oldest_age_seconds",
        "Age of the oldest job waiting for a worker (0 when none).",
        labels=["backend"],
    )
    backend_path = str(settings.TASKS["default"]["BACKEND"])
    if backend_path.startswith("django_tasks_db."):
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        row = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
            n=Count("pk"), oldest=Min("enqueued_at")
        )
        depth.add_metric(["database"], row["n"])
        age.add_metric(["database"], _age_seconds(row["oldest"]))
    elif backend_path.startswith("django_tasks_redis."):
        from django.tasks import task_backends

        # Read from the backend's status index (a few Redis commands, not a scan).
        stats = task_backends["default"].get_queue_stats()  # type: ignore[attr-defined]
        depth.add_metric(["redis"], stats["pending_count"])
        age.add_metric(["redis"], _age_seconds(stats["oldest_pending_waiting_since"]))
    yield depth
    yield age


def _age_seconds(since: dt.datetime | None) -> float:
    """Seconds since `since`; 0 for none or a time still to come (a delayed job)."""
    return max(0.0, (timezone.now() - since).total_seconds()) if since else 0.0


def outbox_metrics() -> Iterator[GaugeMetricFamily]:
    from motcua.integrations.models import OutboxMessage, OutboxStatus

    counts = dict(
        OutboxMessage.objects.exclude(status=OutboxStatus.DELIVERED)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    oldest = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .aggregate(oldest=Min("created_at"))
        .get("oldest")
    )
    yield GaugeMetricFamily(
        "motcua_outbox_pending",
        "National-portal sync messages waiting to be sent.",
        value=counts.get(OutboxStatus.PENDING, 0),
    )
    yield GaugeMetricFamily(
        "motcua_outbox_oldest_pending_age_seconds",
        "Age of the oldest waiting national-portal sync message (0 when none).",
        value=_age_seconds(oldest),
    )
    yield GaugeMetricFamily(
        "motcua_outbox_dead_letters",
        "National-portal sync messages given up on, waiting for an officer.",
        value=counts.get(OutboxStatus.DEAD, 0),
    )


def overdue_metric() -> GaugeMetricFamily:
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import RUNNING

    family = GaugeMetricFamily(
        "motcua_dossiers_overdue",
        "Dossiers past their appointment date whose clock still runs, by competent unit code.",
        labels=["unit"],
    )
    rows = (
        Dossier.objects.filter(status__in=RUNNING, due_at__lt=timezone.now())
        .values_list("competent_unit__code")
        .annotate(n=Count("pk"))
        .values_list("competent_unit__code", "n")
        .order_by("competent_unit__code")
    )
    for code, n in rows:
        family.add_metric([code or ""], n)
    return family


def exposition() -> bytes:
    """This process's counters and histogram (or all workers' with PROMETHEUS_MULTIPROC_DIR),
    then the state gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        process = CollectorRegistry()
        multiprocess.MultiProcessCollector(process)  # type: ignore[no-untyped-call]
    else:
        process = REGISTRY
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector())
    return generate_latest(process) + generate_latest(state)


def allowed(request: HttpRequest) -> bool:
    token = settings.MOTCUA_METRICS_TOKEN
    if token:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _sep, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        )
    # Behind a reverse proxy every request comes from loopback: a proxied one is refused.
    proxied = any(request.META.get(name) for name in PROXY_HEADERS)
    return request.META.get("REMOTE_ADDR") in LOOPBACK and not proxied


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        # Plain 404: answered before the middleware the site's 404 page relies on.
        return HttpResponseNotFound(b"Not Found", content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
