"""Request ids (X-Request-ID in/out) on log lines and the JSON log format."""

import json
import logging

import pytest
from django.tasks import task

from motcua.core import logs


@task
def _job_that_logs() -> str:
    logging.getLogger("motcua.test_job").info("inside the job")
    return "done"


def _json_lines(records: list[logging.LogRecord]) -> list[dict]:
    formatter = logs.JsonFormatter()
    return [json.loads(formatter.format(record)) for record in records]


@pytest.mark.django_db
def test_given_request_id_is_echoed_and_a_missing_or_odd_one_replaced(client):
    assert client.get("/tra-cuu-ngay-hen/", HTTP_X_REQUEST_ID="lb-abc.123")["X-Request-ID"] == (
        "lb-abc.123"
    )
    fresh = client.get("/tra-cuu-ngay-hen/")["X-Request-ID"]
    assert len(fresh) == 32
    odd = client.get("/tra-cuu-ngay-hen/", HTTP_X_REQUEST_ID="bad id\n<script>")
    assert odd["X-Request-ID"] not in ("", "bad id\n<script>")


def test_request_and_job_log_lines_carry_the_ids(rf, caplog):
    def view(request):
        _job_that_logs.enqueue()  # immediate backend in tests: runs inline
        logging.getLogger("motcua.test_view").info("in the view")
        from django.http import HttpResponse

        return HttpResponse("ok")

    middleware = logs.RequestIdMiddleware(view)
    caplog.handler.addFilter(logs.ContextFilter())  # as on the console handler (settings)
    with caplog.at_level(logging.INFO):
        response = middleware(rf.get("/", HTTP_X_REQUEST_ID="req-42"))
    assert response["X-Request-ID"] == "req-42"
    lines = _json_lines(caplog.records)
    enqueued = next(line for line in lines if line["message"].startswith("job "))
    job = next(line for line in lines if line["message"] == "inside the job")
    view_line = next(line for line in lines if line["message"] == "in the view")
    assert enqueued["request_id"] == "req-42"
    assert enqueued["task_id"] and job["task_id"] == enqueued["task_id"]
    assert view_line["request_id"] == "req-42" and view_line["task_id"] == ""
    assert logs.current_request_id() == ""  # reset after the request


def test_json_line_holds_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
        import sys

        record.exc_info = sys.exc_info()
    (line,) = _json_lines([record])
    assert line["message"] == "failed here"
    assert line["level"] == "ERROR"
    assert "ValueError: boom" in line["exception"]
