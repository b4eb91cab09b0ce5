"""Issue 20 finding 6 (odd input): each request the review answered with a 500 now
answers a clear Vietnamese 4xx."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/tra-cuu/?ma=a/b", "/tra-cuu/?ma=%2F%2F", "/xac-minh/?code=a/b", "/xac-minh/?code=%3F"],
)
def test_public_lookups_refuse_malformed_codes(url):
    r = Client().get(url)
    assert r.status_code == 400
    assert "text/html" in r["Content-Type"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sync/messages?offset=99999999999999999999",
        "/api/v1/sync/messages?offset=-1",
        "/api/v1/sync/messages?limit=100000000000000000000",
        "/api/v1/sync/reconciliation?start=0001-01-01&end=9999-12-31",
        "/api/v1/sync/reconciliation?start=2026-03-31&end=2026-03-01",
        "/api/v1/sync/reconciliation?start=2020-01-01&end=2026-03-01",
    ],
)
def test_sync_api_refuses_out_of_range_parameters(personas, client_for, url):
    r = client_for(personas.supervisor).get(url)
    assert r.status_code in (400, 422), r.content
    problem = r.json()
    assert problem["code"] in {"validation_error", "invalid_period"}
    assert problem["detail"] and problem["detail"].isascii() is False  # Vietnamese text


def test_valid_lookups_still_work(personas, client_for):
    assert Client().get("/tra-cuu/?ma=000.00.01.H47-260302-0001").status_code == 302
    r = client_for(personas.supervisor).get(
        "/api/v1/sync/reconciliation?start=2026-03-01&end=2026-03-31"
    )
    assert r.status_code == 200
