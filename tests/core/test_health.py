"""/healthz and /readyz: unauthenticated probes without session side effects."""

import time
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import override_settings

from motcua.accounts.session_timeout import ACTIVITY_KEY
from motcua.core import health
from motcua.core.models import AuditEntry
from motcua.core.testing.personas import make_citizen


@pytest.mark.django_db
def test_healthz_is_alive_without_database_or_cookies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_reports_every_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "task_queue", "storage", "sync_backlog"}
    assert all(check["ok"] for check in body["checks"].values())
    assert not response.cookies


@pytest.mark.django_db
def test_probe_of_a_logged_in_browser_touches_no_session_and_no_audit(client):
    client.force_login(make_citizen("001099024001", "Người Thăm Dò"))
    session = client.session
    # Two minutes idle: any ordinary page would now write the last-activity time.
    session[ACTIVITY_KEY] = time.time() - 120
    session.save()
    session_before = dict(client.session.items())
    audit_before = AuditEntry.objects.count()
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert not response.cookies
    assert dict(client.session.items()) == session_before
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_readyz_names_the_failing_database(client, monkeypatch):
    class BrokenConnection:
        vendor = "broken"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == {"ok": False, "detail": "OperationalError"}


@pytest.mark.django_db
def test_readyz_names_unwritable_storage(client, tmp_path: Path):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("x")
    with override_settings(MEDIA_ROOT=not_a_directory):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


@pytest.mark.django_db
def test_readyz_fails_when_sync_backlog_exceeds_thresholds(client):
    # An empty outbox is within any non-negative threshold; -1 makes "0 waiting" too many.
    with override_settings(MOTCUA_READYZ_OUTBOX_DEAD_MAX=-1):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["sync_backlog"]
    assert "dead 0 > -1" in body["checks"]["sync_backlog"]["detail"]


def test_probe_paths_are_the_named_urls():
    from django.urls import reverse

    assert reverse("healthz") == health.HEALTHZ_PATH
    assert reverse("readyz") == health.READYZ_PATH


@pytest.mark.django_db
def test_readyz_checks_the_database_task_queue():
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=tasks):
        result = health.check_task_queue()
    assert result == health.CheckResult("task_queue", True, "database")


@pytest.mark.django_db
def test_readyz_names_an_unreachable_redis_queue(client):
    tasks = {
        "default": {
            "BACKEND": "django_tasks_redis.backends.RedisTaskBackend",
            "OPTIONS": {"REDIS_URL": "redis://127.0.0.1:9/0"},  # discard port: refused
        }
    }
    with override_settings(TASKS=tasks):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["task_queue"]
