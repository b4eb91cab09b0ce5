"""Rate limits per API client and per IP: 429 problem+json with Retry-After, RateLimit-*
headers, other callers unaffected."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from motcua.api.services import api_client_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@override_settings(MOTCUA_API_RATE_LIMIT=3, MOTCUA_API_RATE_WINDOW_SECONDS=3600)
def test_client_over_its_limit_gets_429_others_do_not(personas):
    _, token_a = api_client_create(name="a", scopes=[])
    _, token_b = api_client_create(name="b", scopes=[])
    a = Client(HTTP_AUTHORIZATION=f"Bearer {token_a}")
    b = Client(HTTP_AUTHORIZATION=f"Bearer {token_b}")
    answers = [a.get("/api/v1/me") for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert answers[0]["RateLimit-Limit"] == "3"
    assert [r["RateLimit-Remaining"] for r in answers] == ["2", "1", "0"]
    assert 0 < int(answers[0]["RateLimit-Reset"]) <= 3600
    refused = a.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/problem+json")
    assert int(refused["Retry-After"]) > 0
    body = refused.json()
    assert body["code"] == "rate_limited" and body["status"] == 429
    assert body["title"] == "Quá nhiều yêu cầu"
    assert refused["RateLimit-Remaining"] == "0"
    # Another client has its own counter.
    assert b.get("/api/v1/me").status_code == 200


@override_settings(MOTCUA_API_RATE_LIMIT=100, MOTCUA_API_RATE_WINDOW_SECONDS=3600)
def test_per_client_limit_overrides_default(personas):
    _, token = api_client_create(name="small", scopes=[], rate_limit=1)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert c.get("/api/v1/me").status_code == 200
    assert c.get("/api/v1/me").status_code == 429


@override_settings(MOTCUA_API_RATE_LIMIT_ANON=2, MOTCUA_API_RATE_WINDOW_SECONDS=3600)
def test_anonymous_calls_are_limited_per_ip():
    one = Client(REMOTE_ADDR="10.0.0.1")
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert [one.get("/api/v1/health").status_code for _ in range(3)] == [200, 200, 429]
    assert one.get("/api/v1/catalogue/procedures").status_code == 429
    assert other.get("/api/v1/health").status_code == 200


def test_limits_off_means_no_headers(personas):
    response = Client().get("/api/v1/health")
    assert response.status_code == 200 and "RateLimit-Limit" not in response
