import pytest

from motcua.integrations import delivery, relay

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.integrations.urls")]


def test_reconciliation_endpoint(personas, make_dossier, receive_and_assign, client_for):
    receive_and_assign(make_dossier())
    relay.relay()
    delivery.deliver()
    resp = client_for(personas.supervisor).get(
        "/test-api/sync/reconciliation", {"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert resp.status_code == 200
    data = resp.json()
    assert data["total"]["expected"] == 1 and data["total"]["ratio"] == 100.0
    msgs = client_for(personas.supervisor).get("/test-api/sync/messages", {"status": "delivered"})
    assert len(msgs.json()) == 6


def test_sync_api_is_closed_to_citizens(personas, client_for):
    resp = client_for(personas.citizen_a).get(
        "/test-api/sync/reconciliation", {"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert resp.status_code == 403
