"""Issue 20 finding 6 (throttle races): limits hold under real parallel requests.
PostgreSQL only: SQLite serialises writers for the whole transaction (and the test
database is one in-memory connection), so the race cannot happen there."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from motcua.dossiers.services.drafts import TRACKING_MAX_FAILURES
from tests.dossiers.conftest import received, submitted, version  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

PARALLEL = 24


def _parallel(call) -> list[int]:
    start = threading.Barrier(PARALLEL)

    def run(_i: int) -> int:
        try:
            start.wait(10)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(run, range(PARALLEL)))


def test_tracking_throttle_holds_under_parallel_guesses(received):  # noqa: F811
    url = f"/tra-cuu/{received.code}/"

    def guess() -> int:
        return Client(REMOTE_ADDR="203.0.113.9").post(url, {"factor": "0000"}).status_code

    codes = _parallel(guess)
    assert codes.count(404) == TRACKING_MAX_FAILURES
    assert codes.count(429) == PARALLEL - TRACKING_MAX_FAILURES


def test_anonymous_feedback_throttle_holds_under_parallel_requests(settings):
    import datetime as dt

    from motcua.feedback.services import throttle_hit
    from motcua.feedback.services._base import RateLimited

    settings.MOTCUA_FEEDBACK_LIMITS = {"anon_hour": (5, dt.timedelta(hours=1))}

    def hit() -> int:
        try:
            throttle_hit(scope="anon_hour", ip="203.0.113.7")
        except RateLimited:
            return 429
        return 200

    codes = _parallel(hit)
    assert codes.count(200) == 5 and codes.count(429) == PARALLEL - 5


def test_login_lockout_holds_under_parallel_guesses(personas, settings):
    from motcua.accounts.models import LoginThrottle

    settings.MOTCUA_LOGIN_MAX_FAILURES = 5
    settings.MOTCUA_LOGIN_MAX_FAILURES_PER_IP = 1000
    identifier = personas.citizen_a.personal_id

    def guess() -> int:
        from tests.accounts.conftest import post_login

        return post_login(
            Client(REMOTE_ADDR="203.0.113.11"), identifier, "sai-mat-khau"
        ).status_code

    _parallel(guess)
    row = LoginThrottle.objects.get(scope="account", key=f"u{personas.citizen_a.pk}")
    # Every guess after the fifth was refused by the lock without checking the password.
    assert row.failures == 5


def test_signup_throttle_holds_under_parallel_requests(db):
    from motcua.accounts.services import SIGNUP_LIMIT

    def attempt() -> int:
        return Client(REMOTE_ADDR="203.0.113.12").post("/tai-khoan/dang-ky/", {}).status_code

    codes = _parallel(attempt)
    assert codes.count(429) == PARALLEL - SIGNUP_LIMIT


def test_per_ip_login_throttle_holds_under_parallel_guesses_on_many_accounts(db, settings):
    """Guesses spread over many identifiers from one address: the per-IP counter is
    charged under its row lock before the password is checked, so no more than the
    limit are ever checked (each identifier is new, so the per-account lock never helps)."""
    from motcua.accounts.models import LoginThrottle
    from motcua.core.models import AuditEntry

    settings.MOTCUA_LOGIN_MAX_FAILURES = 1000
    settings.MOTCUA_LOGIN_MAX_FAILURES_PER_IP = 5
    counter = iter(range(PARALLEL))
    lock = threading.Lock()

    def guess() -> int:
        from tests.accounts.conftest import post_login

        with lock:
            n = next(counter)
        return post_login(
            Client(REMOTE_ADDR="203.0.113.13"), f"0010999900{n:02d}", "sai-mat-khau"
        ).status_code

    _parallel(guess)
    row = LoginThrottle.objects.get(scope="ip", key="203.0.113.13")
    assert row.failures == 5
    assert AuditEntry.objects.filter(action="accounts.login_failed").count() == 5
