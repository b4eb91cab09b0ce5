"""Read operations mirroring the UI: dossier list with unit-bound clients, catalogue,
units, working days, monitoring scores."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.api.services import api_client_create
from tests.security.world import _version

pytestmark = pytest.mark.django_db


def _token(name: str, scopes: list[str], units=()) -> Client:
    _, token = api_client_create(name=name, scopes=scopes, units=units)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def dossier(personas):
    from motcua.dossiers import services as ds

    v = _version(personas)
    d = ds.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=v,
        receiving_unit=personas.unit_x,
        form_answers={"so_ban": 1},
        components=[ds.ComponentInput(component=c) for c in v.components.all()],
    )
    return ds.dossier_receive(dossier=d, actor=personas.receptionist_x, expected_version=d.version)


def test_client_bound_to_units_sees_only_their_dossiers(personas, dossier):
    p = personas
    cases = {
        "unbound": ([], 1),
        "x": ([p.unit_x], 1),
        "province": ([p.province], 1),  # descendants included
        "y": ([p.unit_y], 0),
    }
    for name, (units, expected) in cases.items():
        body = _token(name, ["dossiers:read"], units).get("/api/v1/dossiers/").json()
        assert body["count"] == expected, name
    item = _token("x2", ["dossiers:read"], [p.unit_x]).get("/api/v1/dossiers/").json()["items"][0]
    assert item["code"] == dossier.code and item["receiving_unit"] == p.unit_x.code
    refused = _token("noscope", ["org:read"]).get("/api/v1/dossiers/")
    assert refused.status_code == 403 and refused.json()["code"] == "missing_scope"


def test_dossier_list_filters_and_pagination(personas, dossier, client_for):
    officer = client_for(personas.leader_x)
    assert officer.get("/api/v1/dossiers/").json()["count"] == 1
    assert officer.get("/api/v1/dossiers/", {"status": "refused"}).json()["count"] == 0
    assert officer.get("/api/v1/dossiers/", {"unit": personas.unit_y.code}).json()["count"] == 0
    assert officer.get("/api/v1/dossiers/", {"limit": 0, "offset": -5}).status_code == 200
    missing = officer.get("/api/v1/dossiers/", {"unit": "KHONG-CO"})
    assert missing.status_code == 404 and missing.json()["code"] == "unit_not_found"
    assert client_for(personas.specialist_y).get("/api/v1/dossiers/").json()["count"] == 0
    citizen = client_for(personas.citizen_a).get("/api/v1/dossiers/")
    assert citizen.status_code == 403 and citizen.json()["code"] == "officers_only"


def test_client_write_rule_follows_units(personas, dossier):
    from motcua.api.readers import client_may_write

    x, _ = api_client_create(name="wx", scopes=["dossiers:write"], units=[personas.unit_x])
    y, _ = api_client_create(name="wy", scopes=["dossiers:write"], units=[personas.unit_y])
    r, _ = api_client_create(name="r", scopes=["dossiers:read"])
    assert client_may_write(x, dossier) and not client_may_write(y, dossier)
    assert not client_may_write(r, dossier)


def test_catalogue_is_public(personas):
    v = _version(personas)
    body = Client().get("/api/v1/catalogue/procedures", {"field": "G01-TP"}).json()
    assert body["count"] == 1 and body["items"][0]["code"] == v.procedure.code
    detail = Client().get(f"/api/v1/catalogue/procedures/{v.procedure.code}").json()
    assert detail["processing_time_value"] == "5.00" or float(detail["processing_time_value"]) == 5
    assert detail["fees"][0] == {
        "code": "LP",
        "name": "Lệ phí",
        "kind": "le_phi",
        "amount": 10000,
        "basis": "per_copy",
        "cap": None,
        "online_discount_percent": 0,
        "exemption_note": "",
        "case_code": None,
    }
    assert [x["number"] for x in detail["versions"]] == [1]
    assert detail["cases"][0]["code"] == "TH1"
    assert detail["competent_units"] == [{"code": personas.unit_x.code, "name": "Sở X"}]
    missing = Client().get("/api/v1/catalogue/procedures/khong-co")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/problem+json")


def test_units_list_and_tree(personas, client_for):
    officer = client_for(personas.receptionist_x)
    body = officer.get("/api/v1/units/", {"parent": personas.province.code}).json()
    assert {u["code"] for u in body["items"]} == {personas.unit_x.code, personas.unit_y.code}
    tree = officer.get("/api/v1/units/tree").json()
    assert tree[0]["code"] == personas.province.code and len(tree[0]["children"]) == 2
    bound = _token("org-x", ["org:read"], [personas.unit_x]).get("/api/v1/units/").json()
    assert [u["code"] for u in bound["items"]] == [personas.unit_x.code]
    assert client_for(personas.citizen_a).get("/api/v1/units/").status_code == 403


def test_workdays_year_and_due():
    body = Client().get("/api/v1/workdays/2026").json()
    holidays = {d["date"]: d for d in body["days"] if not d["working"]}
    assert "2026-09-02" in holidays and holidays["2026-09-02"]["reason"]
    assert 240 <= body["working_days"] <= 255
    due = (
        Client()
        .get("/api/v1/workdays/due", {"start": "2026-08-31T09:00:00+07:00", "days": 3})
        .json()
    )
    # 1 and 2 September are national holidays (Independence Day).
    assert due["due"].startswith("2026-09-0") and due["due"] > "2026-09-03"
    assert any(not line["counted"] for line in due["lines"])
    bad = Client().get("/api/v1/workdays/due", {"start": "2026-08-31T09:00:00", "days": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == "query.days"
    assert Client().get("/api/v1/workdays/1800").json()["code"] == "year_out_of_range"


def test_monitoring_scores_need_scope_or_role(personas, client_for):
    query = {"start": "2026-01-01", "end": "2026-01-31"}
    body = client_for(personas.supervisor).get("/api/v1/monitoring/scores", query).json()
    codes = {i["unit_code"] for i in body["items"]}
    assert personas.unit_x.code in codes and body["count"] == len(body["items"])
    assert {"total", "band", "colour", "groups"} <= set(body["items"][0])
    refused = client_for(personas.receptionist_x).get("/api/v1/monitoring/scores", query)
    assert refused.status_code == 403
    bound = _token("mon", ["monitoring:read"], [personas.unit_y])
    assert [
        i["unit_code"] for i in bound.get("/api/v1/monitoring/scores", query).json()["items"]
    ] == [personas.unit_y.code]
    assert _token("nomon", ["org:read"]).get("/api/v1/monitoring/scores", query).status_code == 403
    bad = client_for(personas.supervisor).get(
        "/api/v1/monitoring/scores", {"start": "2026-02-01", "end": "2026-01-01"}
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"
