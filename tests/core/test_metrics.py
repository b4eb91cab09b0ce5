"""/metrics: Prometheus text format, never public."""

import pytest
from django.test import override_settings

from motcua.core.testing.personas import login, make_citizen

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def _scrape(client, **extra):
    response = client.get("/metrics", **extra)
    return response, response.content.decode()


@pytest.mark.django_db
def test_loopback_scrape_has_every_family(client):
    client.get("/tra-cuu-ngay-hen/")  # one timed request with a named route
    response, text = _scrape(client, **LOOPBACK)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert not response.cookies
    for family in (
        "motcua_http_request_duration_seconds_bucket",
        "motcua_task_queue_depth",
        "motcua_task_queue_oldest_age_seconds",
        "motcua_outbox_pending",
        "motcua_outbox_oldest_pending_age_seconds",
        "motcua_outbox_dead_letters",
        "motcua_dossiers_overdue",
        "motcua_login_failures_total",
        "motcua_payment_callbacks",
    ):
        assert family in text, family
    assert 'route="workdays_public:' in text or 'route="' in text


@pytest.mark.django_db
def test_not_public_from_elsewhere_behind_a_proxy_or_with_a_wrong_token(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404
    proxied = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert proxied.status_code == 404
    with override_settings(MOTCUA_METRICS_TOKEN="s3cret-token"):
        assert client.get("/metrics", **LOOPBACK).status_code == 404
        wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", REMOTE_ADDR="1.2.3.4")
        assert wrong.status_code == 404
        right = client.get(
            "/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", REMOTE_ADDR="203.0.113.7"
        )
        assert right.status_code == 200
        assert b"motcua_outbox_pending" in right.content


@pytest.mark.django_db
def test_logged_in_admin_cookie_is_not_enough(client):
    login(client, make_citizen("001099024002", "Người Xem Số Liệu"))
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404


def _sample(text: str, prefix: str) -> float:
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.django_db
def test_failed_login_is_counted(client):
    before = _sample(_scrape(client, **LOOPBACK)[1], "motcua_login_failures_total")
    client.post("/tai-khoan/dang-nhap/", {"identifier": "001099024003", "password": "wrong"})
    after = _sample(_scrape(client, **LOOPBACK)[1], "motcua_login_failures_total")
    assert after == before + 1


@pytest.mark.django_db
def test_payment_callback_is_counted_by_the_code_returned(client):
    before = _scrape(client, **LOOPBACK)[1]
    response = client.get("/thanh-toan/cong/ipn/", {"vnp_TxnRef": "x", "vnp_SecureHash": "bad"})
    code = response.json()["RspCode"]
    prefix = f'motcua_payment_callbacks_total{{code="{code}"}}'
    after = _scrape(client, **LOOPBACK)[1]
    assert _sample(after, prefix) == _sample(before, prefix) + 1


@pytest.mark.django_db
def test_overdue_dossiers_are_counted_per_competent_unit(client):
    import datetime as dt

    from django.utils import timezone

    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import RUNNING
    from tests.security.world import build_world

    world = build_world()
    dossier = world.dossier
    Dossier.objects.filter(pk=dossier.pk).update(
        status=RUNNING[0], due_at=timezone.now() - dt.timedelta(days=2)
    )
    code = Dossier.objects.get(pk=dossier.pk).competent_unit.code
    text = _scrape(client, **LOOPBACK)[1]
    assert _sample(text, f'motcua_dossiers_overdue{{unit="{code}"}}') >= 1


@pytest.mark.django_db
def test_grafana_dashboard_only_uses_metrics_that_exist(client):
    """docs/operations/grafana-dashboard.json must not drift from what /metrics serves."""
    import json
    import re
    from pathlib import Path

    dashboard = json.loads(
        (Path(__file__).resolve().parents[2] / "docs/operations/grafana-dashboard.json").read_text(
            encoding="utf-8"
        )
    )
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {name for expr in exprs for name in re.findall(r"\bmotcua_[a-z_]+", expr)}
    client.get("/tra-cuu-ngay-hen/")
    families = re.findall(r"^# TYPE (motcua_[a-z_]+) ", _scrape(client, **LOOPBACK)[1], re.M)
    suffixes = ("", "_bucket", "_count", "_sum", "_total")
    served = {family + suffix for family in families for suffix in suffixes}
    assert len(used) >= 9
    assert used <= served, used - served


def _redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping())
    except Exception:
        return False


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_task_queue_depth_counts_a_waiting_job(client, backend):
    import uuid

    from django.test import override_settings

    from motcua.accounts.tasks import purge_login_throttles

    if backend == "redis" and not _redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379")
    tasks = {
        "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        "redis": {
            "BACKEND": "django_tasks_redis.backends.RedisTaskBackend",
            "OPTIONS": {
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "REDIS_KEY_PREFIX": f"motcua-test-{uuid.uuid4().hex[:8]}",
            },
        },
    }[backend]
    with override_settings(TASKS={"default": tasks}):
        prefix = f'motcua_task_queue_depth{{backend="{backend}"}}'
        before = _sample(_scrape(client, **LOOPBACK)[1], prefix)
        purge_login_throttles.enqueue(slot="2026-12-07T03:00:00+07:00")
        text = _scrape(client, **LOOPBACK)[1]
    assert _sample(text, prefix) == before + 1
    assert f'motcua_task_queue_oldest_age_seconds{{backend="{backend}"}}' in text
