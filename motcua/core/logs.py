"""Request ids and the JSON log format (docs/operations/observability.md).

Every request gets an id: the caller's `X-Request-ID` when it is a plausible token (a
reverse proxy or load balancer usually sets one), else a new random one; it is echoed in
the response's `X-Request-ID` and added to every log line written while the request runs.
A background job enqueued by the request is logged with both the request id and the
job's task id; the worker's log lines during that job carry the task id, so a request
and the jobs it started can be joined.

`MOTCUA_LOG_FORMAT=json` writes one JSON object per line (time, level, logger, message,
request_id, task_id, exception) for log collectors; `text` (default) keeps the plain
message lines.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.tasks.signals import task_enqueued, task_finished, task_started

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_request_id: ContextVar[str] = ContextVar("motcua_request_id", default="")
_task_id: ContextVar[str] = ContextVar("motcua_task_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def current_correlation_id() -> str:
    """The id that joins a record with the log lines of what wrote it: the request id,
    else "job:<task id>" inside a background job, else ""."""
    if request_id := _request_id.get():
        return request_id
    task_id = _task_id.get()
    return f"job:{task_id}" if task_id else ""


def request_id_from(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(task_enqueued, dispatch_uid="motcua_log_task_enqueued")
def _log_enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if _request_id.get():
        logger.info(
            "job %s enqueued (%s)",
            task_result.id,
            task_result.task.module_path,
            extra={"task_id": str(task_result.id)},
        )


@receiver(task_started, dispatch_uid="motcua_log_task_started")
def _job_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _task_id.set(str(task_result.id))


@receiver(task_finished, dispatch_uid="motcua_log_task_finished")
def _job_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _task_id.set("")


class ContextFilter(logging.Filter):
    """Adds `request_id` and `task_id` to every record (empty outside a request/job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        if not getattr(record, "task_id", ""):
            record.task_id = _task_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
            "task_id": getattr(record, "task_id", ""),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
