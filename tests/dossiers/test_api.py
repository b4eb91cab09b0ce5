"""The dossier API router (mounted on a local NinjaAPI for the test)."""

import pytest
from ninja import NinjaAPI
from ninja.security import SessionAuth
from ninja.testing import TestClient

from motcua.dossiers.api import router
from motcua.dossiers.constants import DossierStatus

api = NinjaAPI(urls_namespace="dossiers-api-test", auth=SessionAuth(csrf=False))
api.add_router("/dossiers/", router)
client = TestClient(api)


@pytest.fixture
def as_user(personas):
    def make(user):
        return {"user": user}

    return make


def test_citizen_lists_own_dossiers(personas, received, as_user):
    response = client.get("/dossiers/mine", **as_user(personas.citizen_a))
    assert response.status_code == 200
    assert [d["code"] for d in response.json()] == [received.code]
    assert client.get("/dossiers/mine", **as_user(personas.citizen_b)).json() == []
    assert client.get(f"/dossiers/{received.pk}", **as_user(personas.citizen_b)).status_code == 404


def test_leader_assigns_through_the_api(personas, staff, received, as_user):
    leader = as_user(personas.leader_x)
    body = client.get(f"/dossiers/{received.pk}", **leader).json()
    assert "assign" in body["actions"]
    response = client.post(
        f"/dossiers/{received.pk}/actions/assign",
        json={"expected_version": body["version"], "assignee": staff.specialist_x.pk},
        **leader,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == DossierStatus.IN_PROCESS
    stale = client.post(
        f"/dossiers/{received.pk}/actions/assign",
        json={"expected_version": body["version"], "assignee": staff.specialist_x.pk},
        **leader,
    )
    assert stale.status_code == 409
    assert "người khác cập nhật" in stale.json()["detail"]
