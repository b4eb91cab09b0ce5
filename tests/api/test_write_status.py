"""Issue 10 part 4: a machine client with scope dossiers:write changes a dossier's status
through its acting account (ApiClient.acting_user), whose roles the services check; the
audit entry shows the client."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from motcua.api.models import ApiClient
from motcua.api.services import api_client_create
from motcua.core.models import AuditEntry
from motcua.dossiers.models import DossierEvent
from tests.dossiers.conftest import submitted, version  # noqa: F401

pytestmark = pytest.mark.django_db


def _client(name: str, scopes: list[str], *, units=(), acting_user=None) -> Client:
    _, token = api_client_create(name=name, scopes=scopes, units=units, acting_user=acting_user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _act(client: Client, dossier, action: str = "receive", expected: int | None = None):
    return client.post(
        f"/api/v1/dossiers/{dossier.pk}/actions/{action}",
        {"expected_version": dossier.version if expected is None else expected},
        content_type="application/json",
    )


def test_client_receives_a_dossier_through_its_acting_account(personas, submitted):  # noqa: F811
    p = personas
    api = _client(
        "Cổng dịch vụ công",
        ["dossiers:read", "dossiers:write"],
        units=[p.unit_x],
        acting_user=p.receptionist_x,
    )
    before = api.get(f"/api/v1/dossiers/{submitted.pk}").json()
    assert before["status"] == "submitted" and "receive" in before["actions"]

    response = _act(api, submitted)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "received" and body["version"] == submitted.version + 1
    assert body["code"]

    event = DossierEvent.objects.get(dossier=submitted, action="receive")
    assert event.actor == p.receptionist_x and event.to_status == "received"
    assert event.payload["via"] == "API: Cổng dịch vụ công"  # the history names the client
    entry = AuditEntry.objects.get(action="dossier.receive", object_id=str(submitted.pk))
    assert entry.actor == p.receptionist_x and entry.role == "receptionist"
    assert entry.after["via"] == "API: Cổng dịch vụ công"
    assert entry.after["status"] == "received"


def test_write_needs_the_scope(personas, submitted):  # noqa: F811
    api = _client("chỉ đọc", ["dossiers:read"], acting_user=personas.receptionist_x)
    response = _act(api, submitted)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "missing_scope"
    # Without the scope, an unknown id answers the same: nothing to probe.
    assert _act(api, submitted, expected=1).json()["code"] == "missing_scope"
    missing = api.post(
        "/api/v1/dossiers/999999/actions/receive",
        {"expected_version": 1},
        content_type="application/json",
    )
    assert missing.status_code == 403 and missing.json()["code"] == "missing_scope"
    # Reading needs dossiers:read.
    writer = _client("chỉ ghi", ["dossiers:write"], acting_user=personas.receptionist_x)
    refused = writer.get(f"/api/v1/dossiers/{submitted.pk}")
    assert refused.status_code == 403 and refused.json()["code"] == "missing_scope"


def test_client_of_another_unit_gets_404(personas, submitted):  # noqa: F811
    p = personas
    api = _client(
        "đơn vị Y",
        ["dossiers:read", "dossiers:write"],
        units=[p.unit_y],
        acting_user=p.receptionist_x,
    )
    for response in (api.get(f"/api/v1/dossiers/{submitted.pk}"), _act(api, submitted)):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    unknown = api.get("/api/v1/dossiers/999999")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    # Bound to the province: descendants included.
    province = _client("tỉnh", ["dossiers:read"], units=[p.province], acting_user=p.receptionist_x)
    assert province.get(f"/api/v1/dossiers/{submitted.pk}").status_code == 200


def test_acting_account_without_the_role_is_not_permitted(personas, submitted):  # noqa: F811
    p = personas
    api = _client("lãnh đạo", ["dossiers:write"], units=[p.unit_x], acting_user=p.leader_x)
    response = _act(api, submitted)
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not DossierEvent.objects.filter(dossier=submitted, action="receive").exists()


def test_client_without_acting_account_cannot_write(personas, submitted):  # noqa: F811
    api = _client("không tài khoản", ["dossiers:read", "dossiers:write"])
    response = _act(api, submitted)
    assert response.status_code == 403 and response.json()["code"] == "no_acting_account"
    assert api.get(f"/api/v1/dossiers/{submitted.pk}").json()["actions"] == []


def test_stale_version_is_a_conflict(personas, submitted):  # noqa: F811
    api = _client("cũ", ["dossiers:write"], acting_user=personas.receptionist_x)
    response = _act(api, submitted, expected=submitted.version - 1)
    assert response.status_code == 409 and response.json()["code"] == "version_conflict"
    assert _act(api, submitted).status_code == 200
    # Replaying the call: the state check (already received) comes before the version.
    again = _act(api, submitted)
    assert again.status_code == 400 and again.json()["code"] == "dossier_error"


def test_acting_account_must_be_an_officer(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        api_client_create(name="dân", scopes=["dossiers:write"], acting_user=personas.citizen_a)
    with pytest.raises(CommandError):
        call_command(
            "api_client_create", "cli-dân", "--scopes", "dossiers:write",
            "--acting-user", personas.citizen_a.username,
        )  # fmt: skip
    call_command(
        "api_client_create", "cli", "--scopes", "dossiers:write",
        "--acting-user", personas.receptionist_x.username,
    )  # fmt: skip
    assert ApiClient.objects.get(name="cli").acting_user == personas.receptionist_x


def test_admin_sets_the_acting_account(personas, client_for):
    admin = client_for(personas.admin)
    response = admin.post(
        "/quan-tri/ung-dung-api/",
        {
            "name": "Cổng DVC",
            "scopes": ["dossiers:write"],
            "units": [personas.unit_x.pk],
            "acting_user": personas.receptionist_x.pk,
        },
    )
    assert response.status_code == 200
    client = ApiClient.objects.get(name="Cổng DVC")
    assert client.acting_user == personas.receptionist_x
    # Only officers are offered.
    form = response.context["form"]
    offered = set(form.fields["acting_user"].queryset)
    assert personas.receptionist_x in offered and personas.citizen_a not in offered
    edit = admin.post(
        f"/quan-tri/ung-dung-api/{client.pk}/",
        {"name": client.name, "scopes": ["dossiers:write"], "acting_user": ""},
    )
    assert edit.status_code == 302
    client.refresh_from_db()
    assert client.acting_user is None
    entry = AuditEntry.objects.filter(action="api.client_update").latest("sequence")
    assert entry.before["acting_user"] == personas.receptionist_x.username
    assert entry.after["acting_user"] == ""
